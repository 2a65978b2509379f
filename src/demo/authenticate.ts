import {
  AMZ_CONTENT_SHA256, AMZ_PREFIX, HOST, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_SIGNED_TRAILER_V4A,
  STREAMING_SIGNED_V4A, UNSIGNED_PAYLOAD,
} from '../sigv4/constants.js';
import { BUCKET_REGION, SERVICE } from './constants.js';
import { DemoError, accessDenied } from './demo-error.js';
import { parseAuth } from './parse-auth.js';
import type { AuthClaim } from './parse-auth.js';
import type { RequestInfo } from './request-info.js';
import type { KeyStore } from './types.js';
import { ecdsaChunkCheck, hmacChunkCheck } from './chunk-verifier.js';
import type { ChunkCheck } from './chunk-verifier.js';
import { sigV4aPublicKey } from './sigv4a-public-key.js';
import { recomputeSignature, signingKeyFor } from './verify-signature.js';

export interface AuthPolicy {
  region: string;
  keys: KeyStore;
  maxSkewMs: number;
  now: () => number;
}

/** A request whose signature checked out; what the body checks need next. */
export interface Authenticated {
  claim: AuthClaim;
  amzDate: string;
  scope: string;
  /** The x-amz-content-sha256 value signed (UNSIGNED-PAYLOAD for presigned URLs without one). */
  payloadHash: string;
  seedSignature: string;
  /** How the aws-chunked chunk and trailer signatures chained from this one are checked. */
  chunkCheck: () => Promise<ChunkCheck>;
}

const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function parseAmzDate(amzDate: string | undefined): number {
  const m = amzDate === undefined ? null : AMZ_DATE_RE.exec(amzDate);
  if (m === null) throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function checkClock(claim: AuthClaim, signedAt: number, policy: AuthPolicy): void {
  const now = policy.now();
  if (claim.kind === 'query') {
    if (signedAt - now > policy.maxSkewMs) throw accessDenied('Request is not valid yet');
    if (now > signedAt + (claim.expiresSeconds ?? 0) * 1000) {
      throw accessDenied('Request has expired', [['X-Amz-Expires', String(claim.expiresSeconds)], ['Expires', iso(signedAt + (claim.expiresSeconds ?? 0) * 1000)], ['ServerTime', iso(now)]]);
    }
    return;
  }
  if (Math.abs(signedAt - now) > policy.maxSkewMs) {
    throw new DemoError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', [
      ['RequestTime', claim.amzDate ?? ''], ['ServerTime', iso(now)], ['MaxAllowedSkewMilliseconds', policy.maxSkewMs],
    ]);
  }
}

/**
 * SigV4A: the signature is good in the regions of its set; `*` matches all, and a name may end in
 * `*` to match a prefix (us-*). A set that leaves this region out is refused.
 */
function checkRegionSet(regionSet: readonly string[], region: string): void {
  for (const entry of regionSet) {
    if (entry === region || entry === '*' || (entry.endsWith('*') && region.startsWith(entry.slice(0, -1)))) return;
  }
  throw new DemoError(403, 'AccessDenied', `The region set '${regionSet.join(',')}' of this SigV4A signature does not include '${region}'.`);
}

/** S3 requires every x-amz-* header present to be signed, and host always. */
function checkSignedHeaders(info: RequestInfo, claim: AuthClaim): void {
  const signed = new Set(claim.signedHeaders);
  if (!signed.has(HOST)) throw accessDenied('Signed headers must include host');
  const missing = Object.keys(info.headers).filter((h) => h.startsWith(AMZ_PREFIX) && !signed.has(h)).sort();
  if (missing.length > 0) {
    throw accessDenied('There were headers present in the request which were not signed', [['HeadersNotSigned', missing.join(', ')]]);
  }
}

/** Temporary keys need their own session token, signed; long-term keys must not carry one. */
function checkToken(claim: AuthClaim, expected: string | undefined): void {
  if (expected === claim.securityToken) return;
  throw new DemoError(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
}

export async function authenticate(info: RequestInfo, policy: AuthPolicy): Promise<Authenticated> {
  const claim = parseAuth(info);
  if (claim.algorithm === 'sigv4a') {
    checkRegionSet(claim.regionSet ?? [], policy.region);
  } else if (claim.region !== policy.region) {
    throw new DemoError(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${claim.region}' is wrong; expecting '${policy.region}'`, [['Region', policy.region]], { [BUCKET_REGION]: policy.region });
  }
  if (claim.service !== SERVICE) {
    throw new DemoError(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service '${claim.service}'. This endpoint belongs to '${SERVICE}'.`);
  }
  const entry = policy.keys.lookup(claim.accessKeyId);
  if (entry === undefined) {
    throw new DemoError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', [['AWSAccessKeyId', claim.accessKeyId]]);
  }
  if (entry.expiresAt !== undefined && entry.expiresAt <= policy.now()) {
    throw new DemoError(400, 'ExpiredToken', 'The provided token has expired.');
  }
  const signedAt = parseAmzDate(claim.amzDate);
  const amzDate = claim.amzDate as string;
  if (amzDate.slice(0, 8) !== claim.shortDate) {
    throw new DemoError(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; Invalid credential date "${claim.shortDate}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  checkClock(claim, signedAt, policy);
  checkSignedHeaders(info, claim);
  checkToken(claim, entry.sessionToken);
  const headerHash = info.headers[AMZ_CONTENT_SHA256];
  if (claim.kind === 'header' && headerHash === undefined) {
    throw new DemoError(400, 'InvalidRequest', `Missing required header for this request: ${AMZ_CONTENT_SHA256}`);
  }
  const payloadHash = headerHash ?? UNSIGNED_PAYLOAD;
  // Chunk signatures are made with the request's own algorithm: HMAC chunks under SigV4A, or
  // ECDSA chunks under SigV4, are refused before the body is read.
  const v4aStreaming = payloadHash === STREAMING_SIGNED_V4A || payloadHash === STREAMING_SIGNED_TRAILER_V4A;
  const v4Streaming = payloadHash === STREAMING_SIGNED || payloadHash === STREAMING_SIGNED_TRAILER;
  if ((claim.algorithm === 'sigv4a' && v4Streaming) || (claim.algorithm === 'sigv4' && v4aStreaming)) {
    throw new DemoError(400, 'InvalidRequest', `${AMZ_CONTENT_SHA256} ${payloadHash} does not match the signing algorithm.`);
  }
  const result = await recomputeSignature(info, claim, amzDate, entry.secretAccessKey, payloadHash);
  if (!result.matches) {
    throw new DemoError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', [
      ['AWSAccessKeyId', claim.accessKeyId],
      ['StringToSign', result.stringToSign],
      ['SignatureProvided', claim.signature],
      ['StringToSignBytes', hexBytes(result.stringToSign)],
      ['CanonicalRequest', result.canonicalRequest],
      ['CanonicalRequestBytes', hexBytes(result.canonicalRequest)],
    ]);
  }
  return {
    claim,
    amzDate,
    scope: result.stringToSign.split('\n')[2] ?? '',
    payloadHash,
    seedSignature: result.signature,
    chunkCheck: async () => claim.algorithm === 'sigv4a'
      ? ecdsaChunkCheck(sigV4aPublicKey(claim.accessKeyId, entry.secretAccessKey))
      : hmacChunkCheck(await signingKeyFor(claim, entry.secretAccessKey)),
  };
}

function hexBytes(text: string): string {
  return Buffer.from(text, 'latin1').toString('hex').replace(/(..)(?!$)/g, '$1 ');
}
