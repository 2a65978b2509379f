import {
  AMZ_SECURITY_TOKEN,
  AUTHORIZATION,
  Q_CREDENTIAL,
  Q_SECURITY_TOKEN,
  Q_SIGNATURE,
  Q_V2_ACCESS_KEY_ID,
  Q_V2_SIGNATURE,
  V2_AUTH_PREFIX,
} from '../sigv4/constants.js';

export const REDACTED = '[REDACTED]';

const PROXY_AUTHORIZATION = 'proxy-authorization';
/** SSE-C customer keys are the keys that decrypt the object: as secret as a signing key. */
export const SSE_C_KEY_HEADERS: readonly string[] = Object.freeze([
  'x-amz-server-side-encryption-customer-key',
  'x-amz-copy-source-server-side-encryption-customer-key',
]);
const SSE_C_KEYS: ReadonlySet<string> = new Set(SSE_C_KEY_HEADERS);
const SIGNATURE_MARK = 'Signature=';
const CREDENTIAL_MARK = 'Credential=';
/** Characters of an access key id kept visible: enough to tell keys apart, not to use one. */
const VISIBLE_KEY_CHARS = 4;

// Query names compared in lower case: clients differ in case (botocore's `x-amz-security-token`).
const SECRET_PARAMS: ReadonlySet<string> = new Set(
  [Q_SIGNATURE, Q_SECURITY_TOKEN, Q_V2_SIGNATURE, ...SSE_C_KEY_HEADERS].map((n) => n.toLowerCase()),
);
const KEY_PARAMS: ReadonlySet<string> = new Set([Q_V2_ACCESS_KEY_ID.toLowerCase()]);
const CREDENTIAL_PARAM = Q_CREDENTIAL.toLowerCase();

/** `AKIAIOSFODNN7EXAMPLE` → `AKIA…`; anything too short to cut is hidden whole. */
export function maskAccessKey(accessKeyId: string): string {
  return accessKeyId.length > VISIBLE_KEY_CHARS * 2 ? accessKeyId.slice(0, VISIBLE_KEY_CHARS) + '…' : REDACTED;
}

/** Masks the key id in `AKID/date/region/service/aws4_request`, whether its slashes are encoded or not. */
export function maskCredential(credential: string): string {
  const slash = credential.indexOf('/');
  const encoded = credential.search(/%2F/i);
  const cut = slash === -1 ? encoded : encoded === -1 ? slash : Math.min(slash, encoded);
  if (cut === -1) return maskAccessKey(credential);
  return maskAccessKey(credential.slice(0, cut)) + credential.slice(cut);
}

/**
 * An Authorization value fit for a log: SigV4 cut at `Signature=` with the key id of the
 * Credential masked; SigV2 `AWS AKID:sig` as `AWS AKID…:[REDACTED]`; any other scheme keeps its name only.
 */
export function redactAuthorization(value: string): string {
  const sig = value.indexOf(SIGNATURE_MARK);
  if (sig !== -1) {
    let head = value.slice(0, sig);
    const cred = head.indexOf(CREDENTIAL_MARK);
    if (cred !== -1) {
      const from = cred + CREDENTIAL_MARK.length;
      const comma = head.indexOf(',', from);
      const to = comma === -1 ? head.length : comma;
      head = head.slice(0, from) + maskCredential(head.slice(from, to)) + head.slice(to);
    }
    return head + SIGNATURE_MARK + REDACTED;
  }
  if (value.startsWith(V2_AUTH_PREFIX)) {
    const rest = value.slice(V2_AUTH_PREFIX.length);
    const colon = rest.lastIndexOf(':');
    const key = colon === -1 ? rest : rest.slice(0, colon);
    return V2_AUTH_PREFIX + maskAccessKey(key.trim()) + ':' + REDACTED;
  }
  const space = value.indexOf(' ');
  return space === -1 ? REDACTED : value.slice(0, space + 1) + REDACTED;
}

/** A header value fit for a log; `name` in lower case. Values of other headers come back as they are. */
export function redactHeaderValue(name: string, value: string): string {
  if (name === AUTHORIZATION || name === PROXY_AUTHORIZATION) return redactAuthorization(value);
  if (name === AMZ_SECURITY_TOKEN || SSE_C_KEYS.has(name)) return REDACTED;
  return value;
}

/**
 * A query string (with or without its leading '?') with signatures, session tokens and access key
 * ids masked. Parameter names are matched without regard to case; the rest is kept byte for byte.
 */
export function redactQueryString(qs: string): string {
  if (qs === '' || !/signature|token|credential|accesskeyid|customer-key/i.test(qs)) return qs;
  const lead = qs.startsWith('?') ? '?' : '';
  const parts = (lead ? qs.slice(1) : qs).split('&');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).toLowerCase();
    const value = part.slice(eq + 1);
    if (SECRET_PARAMS.has(name)) parts[i] = part.slice(0, eq + 1) + REDACTED;
    else if (KEY_PARAMS.has(name)) parts[i] = part.slice(0, eq + 1) + maskAccessKey(value);
    else if (name === CREDENTIAL_PARAM) parts[i] = part.slice(0, eq + 1) + maskCredential(value);
  }
  return lead + parts.join('&');
}

/**
 * Scrubs known secrets (secret keys, session tokens, signatures) from any text, also in their
 * URL-encoded form. Longest first, so a secret that contains another is removed whole.
 */
export function redactText(s: string, secrets: ReadonlyArray<string>): string {
  const forms: string[] = [];
  for (const secret of secrets) {
    if (secret === '') continue;
    forms.push(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) forms.push(encoded);
  }
  forms.sort((a, b) => b.length - a.length);
  let out = s;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
  return out;
}

/**
 * A canonical request fit for a log: the query line through redactQueryString, and the values of
 * secret headers (session token, SSE-C customer keys) masked, the rest byte for byte.
 */
export function redactCanonicalRequest(canonicalRequest: string): string {
  const lines = canonicalRequest.split('\n');
  if (lines.length > 2) lines[2] = redactQueryString(lines[2]!);
  for (let i = 3; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break; // the header block ends with an empty line
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1);
    const masked = redactHeaderValue(name, value);
    if (masked !== value) lines[i] = name + ':' + masked;
  }
  return lines.join('\n');
}
