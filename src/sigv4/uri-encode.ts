/**
 * SigV4 UriEncode: every UTF-8 byte outside `A-Z a-z 0-9 - . _ ~` becomes `%XX` (uppercase hex).
 * encodeURIComponent already does this, except that it leaves `! ' ( ) *` alone; those five are
 * fixed up afterwards. It throws URIError on a lone surrogate, which callers turn into InvalidURI.
 */
const SUBDELIMS = /[!'()*]/g;

function hexEscape(c: string): string {
  return '%' + c.charCodeAt(0).toString(16).toUpperCase();
}

/** True when every char is unreserved, so the string is its own encoding (the common case). */
function isUnreserved(value: string, keepSlash: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (
      (c >= 0x61 && c <= 0x7a) || // a-z
      (c >= 0x41 && c <= 0x5a) || // A-Z
      (c >= 0x30 && c <= 0x39) || // 0-9
      c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || // - . _ ~
      (keepSlash && c === 0x2f)
    ) continue;
    return false;
  }
  return true;
}

/** Encodes a decoded string; `/` is encoded too (query names and values). */
export function uriEncode(value: string): string {
  if (isUnreserved(value, false)) return value;
  const encoded = encodeURIComponent(value);
  return encoded.includes('!') || encoded.includes("'") || encoded.includes('(') || encoded.includes(')') || encoded.includes('*')
    ? encoded.replace(SUBDELIMS, hexEscape)
    : encoded;
}

/** Encodes a decoded path, keeping `/` as is (S3 object keys: encoded exactly once). */
export function uriEncodePath(path: string): string {
  if (isUnreserved(path, true)) return path;
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) segments[i] = uriEncode(segments[i]!);
  return segments.join('/');
}
