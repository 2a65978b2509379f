import { timingSafeEqual, verify } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4, getCanonicalHeaders, getSigningKey } from '@smithy/signature-v4';
import { ALGORITHM, ALGORITHM_V4A, HOST, KEY_TYPE_IDENTIFIER } from '../sigv4/constants.js';
import type { KeyObject } from 'node:crypto';
import type { AuthClaim } from './parse-auth.js';
import { sigV4aPublicKey } from './sigv4a-public-key.js';
import type { RequestInfo } from './request-info.js';

// @smithy/types is not a direct dependency; take its shapes from the functions that use them.
type HttpRequest = Parameters<typeof getCanonicalHeaders>[0];
type HeaderBag = Record<string, string>;

/** SignatureV4 with its canonicalisation steps opened up, so the server can show them like S3 does. */
class Recomputer extends SignatureV4 {
  canonicalRequest(request: HttpRequest, headers: HeaderBag, payloadHash: string): string {
    return this.createCanonicalRequest(request, headers, payloadHash);
  }

  stringToSign(longDate: string, scope: string, canonicalRequest: string, algorithm: string): Promise<string> {
    return this.createStringToSign(longDate, scope, canonicalRequest, algorithm);
  }
}

export interface Recomputed {
  /** One char per octet signed. */
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  matches: boolean;
}

const sha256 = Hash.bind(null, 'sha256');

/*
 * Node hands header values (and the raw request target) over as byte strings: one char per octet
 * received. S3 signs those octets, but smithy canonicalises Unicode strings and hashes their UTF-8,
 * and its trim and whitespace collapse would also eat U+00A0, the second octet of "à". So octets
 * 0x80-0xFF travel through smithy as private-use code points (never whitespace, so only ASCII
 * spaces and tabs are trimmed, as S3 does on octets) and become those octets again when the
 * canonical request is hashed: smithy's own canonical request, computed over the bytes received.
 */
const OCTET_BASE = 0xe000;
const HIGH_OCTETS = /[\x80-\xff]/g;

function octetsAsPrivateUse(text: string): string {
  HIGH_OCTETS.lastIndex = 0;
  if (!HIGH_OCTETS.test(text)) return text;
  return text.replace(HIGH_OCTETS, (c) => String.fromCharCode(OCTET_BASE + c.charCodeAt(0)));
}

function privateUseAsOctets(utf8: Uint8Array): Buffer {
  const text = Buffer.from(utf8.buffer, utf8.byteOffset, utf8.byteLength).toString('utf8');
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += code >= OCTET_BASE + 0x80 && code <= OCTET_BASE + 0xff ? String.fromCharCode(code - OCTET_BASE) : text[i];
  }
  return Buffer.from(out, 'latin1');
}

/** smithy's Hash, except that the unkeyed hash (the canonical request's) hashes the octets behind it. */
class OctetSha256 {
  private readonly inner: Hash;
  private readonly keyed: boolean;
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    this.inner = new Hash('sha256', secret);
    this.keyed = secret !== undefined;
  }

  update(data: Parameters<Hash['update']>[0], encoding?: 'utf8' | 'ascii' | 'latin1'): void {
    if (this.keyed || typeof data === 'string' || !ArrayBuffer.isView(data)) this.inner.update(data, encoding);
    else this.inner.update(privateUseAsOctets(data as Uint8Array));
  }

  digest(): Promise<Uint8Array> {
    return this.inner.digest();
  }

  reset(): void {
    this.inner.reset();
  }
}

function amzDateToDate(amzDate: string): Date {
  const iso = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`;
  return new Date(iso);
}

/**
 * Recompute the signature with @smithy/signature-v4, signing exactly the SignedHeaders named by the
 * client with the values received, the raw path (uriEscapePath:false: S3 signs the path as sent)
 * and the decoded query (smithy re-encodes it and drops X-Amz-Signature).
 */
export async function recomputeSignature(
  info: RequestInfo,
  claim: AuthClaim,
  amzDate: string,
  secretAccessKey: string,
  payloadHash: string,
): Promise<Recomputed> {
  const headers: HeaderBag = {};
  for (const name of claim.signedHeaders) {
    const value = info.headers[name];
    if (value !== undefined) headers[name] = octetsAsPrivateUse(value);
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of info.query) {
    const prior = query[name];
    if (prior === undefined) query[name] = value;
    else if (Array.isArray(prior)) prior.push(value);
    else query[name] = [prior, value];
  }
  const request: HttpRequest = {
    method: info.method,
    protocol: 'http:',
    hostname: headers[HOST] ?? '',
    path: octetsAsPrivateUse(info.rawPath),
    query,
    headers,
  };
  const credentials = { accessKeyId: claim.accessKeyId, secretAccessKey };
  const signer = new Recomputer({ credentials, region: claim.region, service: claim.service, sha256: OctetSha256, uriEscapePath: false });
  // Every listed header is signed, even those smithy would never sign itself (user-agent, expect…).
  const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(claim.signedHeaders));
  const canonicalRequest = signer.canonicalRequest(request, canonicalHeaders, payloadHash);
  // Shown as S3 shows it: the octets signed, one char per byte.
  const signedOctets = privateUseAsOctets(Buffer.from(canonicalRequest, 'utf8')).toString('latin1');
  if (claim.algorithm === 'sigv4a') {
    // SigV4A: scope without region; ECDSA is randomised, so the signature is verified, not recomputed.
    const stringToSign = await signer.stringToSign(amzDate, `${claim.shortDate}/${claim.service}/${KEY_TYPE_IDENTIFIER}`, canonicalRequest, ALGORITHM_V4A);
    const matches = verifiesV4a(sigV4aPublicKey(claim.accessKeyId, secretAccessKey), stringToSign, claim.signature);
    return { canonicalRequest: signedOctets, stringToSign, signature: claim.signature, matches };
  }
  const scope = `${claim.shortDate}/${claim.region}/${claim.service}/${KEY_TYPE_IDENTIFIER}`;
  const stringToSign = await signer.stringToSign(amzDate, scope, canonicalRequest, ALGORITHM);
  const signature = await signer.sign(stringToSign, {
    signingDate: amzDateToDate(amzDate),
    signingRegion: claim.region,
    signingService: claim.service,
  });
  const provided = Buffer.from(claim.signature, 'utf8');
  const expected = Buffer.from(signature, 'utf8');
  const matches = provided.length === expected.length && timingSafeEqual(provided, expected);
  return { canonicalRequest: signedOctets, stringToSign, signature, matches };
}

const HEX_DER = /^[0-9a-f]{16,144}$/;

/** A SigV4A signature (hex DER; chunk signatures padded with '*') verified over the string to sign. */
export function verifiesV4a(key: KeyObject, stringToSign: string, signature: string): boolean {
  const hex = signature.replace(/\*+$/, '');
  if (!HEX_DER.test(hex) || hex.length % 2 !== 0) return false;
  try {
    return verify('sha256', Buffer.from(stringToSign, 'latin1'), key, Buffer.from(hex, 'hex'));
  } catch {
    return false; // not a DER signature at all
  }
}

/** The SigV4 signing key, for verifying aws-chunked chunk and trailer signatures. */
export async function signingKeyFor(claim: AuthClaim, secretAccessKey: string): Promise<Buffer> {
  const key = await getSigningKey(sha256, { accessKeyId: claim.accessKeyId, secretAccessKey }, claim.shortDate, claim.region, claim.service);
  return Buffer.from(key);
}
