import { uriEncode } from './uri-encode.js';

/**
 * Canonical query string (SigV4 canonical request, step 3) from decoded name/value pairs: each
 * name and value UriEncoded (`/` included), sorted by encoded name then encoded value (byte
 * order), joined with `&`. A bare parameter (`?acl`) is signed as `acl=`. The result is also a
 * valid wire query, so the proxy sends this exact string and the two cannot diverge.
 */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>, exclude?: string): string {
  if (pairs.length === 0) return '';
  const encoded: string[] = [];
  for (const [name, value] of pairs) {
    if (name === exclude) continue;
    encoded.push(uriEncode(name) + '=' + uriEncode(value));
  }
  encoded.sort(compareEncodedPairs);
  return encoded.join('&');
}

/**
 * Orders encoded `name=value` pairs by name, then value. Encoding turns every `=` inside a name or
 * value into `%3D`, so the one left is the separator; ranking it below every other char gives
 * name-then-value order without splitting the strings ("a=" before "a-b=").
 */
function compareEncodedPairs(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca === 0x3d) ca = -1;
    if (cb === 0x3d) cb = -1;
    return ca - cb;
  }
  return a.length - b.length;
}
