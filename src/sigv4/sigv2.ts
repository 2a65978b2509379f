import { createHmac, timingSafeEqual } from 'node:crypto';
import { AUTHORIZATION, Q_V2_ACCESS_KEY_ID, Q_V2_EXPIRES, Q_V2_SIGNATURE, V2_AUTH_PREFIX } from './constants.js';
import { SigV4Error } from './errors.js';

/** SigV2 credentials found on a request; `expires` (Unix seconds, as sent) only for query auth. */
export interface SigV2Auth {
  readonly kind: 'header' | 'query';
  readonly accessKeyId: string;
  readonly signature: string;
  readonly expires?: string;
}

// base64 of a 20-byte HMAC-SHA1 is 28 characters; allow a little slack, refuse anything long.
const MAX_SIGNATURE_LENGTH = 64;
const MAX_ACCESS_KEY_LENGTH = 128;

function isBase64(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
    if (!ok) return false;
  }
  return true;
}

function isPrintableKey(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 58) return false; // no controls, spaces, ':' or non-ASCII
  }
  return true;
}

function malformed(what: string): never {
  throw new SigV4Error('SIGV4_V2_MALFORMED', 'SigV2 ' + what);
}

function checkParts(accessKeyId: string, signature: string): void {
  if (accessKeyId === '' || accessKeyId.length > MAX_ACCESS_KEY_LENGTH || !isPrintableKey(accessKeyId)) {
    malformed('access key id is missing or not printable ASCII');
  }
  if (signature === '' || signature.length > MAX_SIGNATURE_LENGTH || !isBase64(signature)) {
    malformed('signature is missing or not base64');
  }
}

function fromHeader(value: string): SigV2Auth {
  const rest = value.slice(V2_AUTH_PREFIX.length).trim();
  const colon = rest.lastIndexOf(':');
  if (colon === -1) malformed('Authorization has no ":" between access key id and signature');
  const accessKeyId = rest.slice(0, colon).trim();
  const signature = rest.slice(colon + 1).trim();
  checkParts(accessKeyId, signature);
  return { kind: 'header', accessKeyId, signature };
}

function fromQuery(query: ReadonlyArray<readonly [string, string]>): SigV2Auth | null {
  let accessKeyId: string | undefined;
  let signature: string | undefined;
  let expires: string | undefined;
  for (const [name, value] of query) {
    if (name === Q_V2_ACCESS_KEY_ID) accessKeyId = value;
    else if (name === Q_V2_SIGNATURE) signature = value;
    else if (name === Q_V2_EXPIRES) expires = value;
  }
  // `Expires` alone is an ordinary parameter; only the key id or the signature marks SigV2.
  if (accessKeyId === undefined && signature === undefined) return null;
  if (accessKeyId === undefined || signature === undefined || expires === undefined) {
    malformed('query auth needs AWSAccessKeyId, Signature and Expires');
  }
  // An unencoded '+' in the URL arrives as a space after form decoding; base64 never holds spaces.
  const sig = signature.includes(' ') ? signature.replaceAll(' ', '+') : signature;
  checkParts(accessKeyId, sig);
  if (expires === '' || expires.length > 12 || !/^[0-9]+$/.test(expires)) malformed('Expires is not Unix seconds');
  return { kind: 'query', accessKeyId, signature: sig, expires };
}

/**
 * Finds SigV2 credentials (`Authorization: AWS AKID:sig`, or the AWSAccessKeyId/Signature/Expires
 * query) on a request. Returns null when there are none, so SigV4 or anonymous requests pass by;
 * throws SIGV4_V2_MALFORMED when they are there but do not parse, or when both forms are sent.
 * `method` and `rawPath` are taken so the call matches `sigV2StringToSign`.
 */
export function parseSigV2(
  _method: string,
  _rawPath: string,
  query: ReadonlyArray<readonly [string, string]>,
  headers: Readonly<Record<string, string>>,
): SigV2Auth | null {
  const auth = headers[AUTHORIZATION];
  const header = auth !== undefined && auth.startsWith(V2_AUTH_PREFIX) ? fromHeader(auth) : null;
  const fromQ = fromQuery(query);
  if (header && fromQ) malformed('credentials sent both in Authorization and in the query');
  return header ?? fromQ;
}

/**
 * Checks a SigV2 signature: base64(HMAC-SHA1(secret, stringToSign)), compared in constant time.
 * Query auth whose Expires lies before `now` throws SIGV4_V2_EXPIRED; header auth leaves the
 * Date skew check to the caller, who has the clock offset.
 */
export function verifySigV2(parsed: SigV2Auth, stringToSign: string, secret: string, now: Date = new Date()): boolean {
  if (parsed.kind === 'query') {
    const expires = Number(parsed.expires);
    if (!Number.isFinite(expires) || expires * 1000 < now.getTime()) {
      throw new SigV4Error('SIGV4_V2_EXPIRED', 'SigV2 query authentication has expired');
    }
  }
  // The string to sign is a byte string (sigV2StringToSign): HMAC its octets, not their UTF-8.
  // Compared as base64 text, so padding or trailing junk the decoder would forgive still fails.
  const expected = Buffer.from(createHmac('sha1', secret).update(stringToSign, 'latin1').digest('base64'), 'latin1');
  const provided = Buffer.from(parsed.signature, 'latin1');
  if (provided.length !== expected.length) return false;
  return timingSafeEqual(provided, expected);
}
