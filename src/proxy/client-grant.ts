import { SignetError } from '../errors.js';
import { AMZ_PREFIX, AWS_CHUNKED, CONTENT_ENCODING, CONTENT_MD5, CONTENT_TYPE, UNSIGNED_PAYLOAD } from '../sigv4/constants.js';
import { awsChunkedModeOf, isSignedMode } from '../sigv4/aws-chunked-wire.js';
import type { ChunkSigningContext } from '../sigv4/aws-chunked-wire.js';
import type { InboundHeaders } from './inbound-headers.js';

/**
 * What a gateway client's verified signature covers. The request signet signs with its own
 * identity is built from this and nothing else (bindToGrant): a valid signature over some headers
 * must not lend signet's identity to the headers, query or body beside it.
 */
export interface ClientGrant {
  readonly accessKeyId: string;
  /** 'sigv4' covers SignedHeaders; 'sigv2' covers Content-MD5, Content-Type, Date and every x-amz-* header. */
  readonly scheme: 'sigv4' | 'sigv2';
  /** SigV4: the SignedHeaders names (lower case). */
  readonly signedHeaders: ReadonlySet<string>;
  /**
   * The body contract the client signed: its x-amz-content-sha256 (a hex hash, UNSIGNED-PAYLOAD or
   * a STREAMING-* mode); UNSIGNED-PAYLOAD for a presigned URL without the header, '' for SigV2
   * without it (SigV2 never covers the body; S3 checks only a Content-MD5).
   */
  readonly payloadHash: string;
  /** The client's key and seed signature when it signed an aws-chunked body (checked chunk by chunk). */
  readonly chunkSigning: ChunkSigningContext | null;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * End-to-end headers forwarded even when the client did not sign them, because none can widen
 * what the signature allowed: an attacker who adds one can at most make the request fail or
 * answer less (README "Security model" lists them with the reason for each).
 * - accept, accept-encoding, accept-language: content negotiation; S3 ignores them for objects.
 * - origin: S3 answers CORS headers from the bucket's CORS rules; it grants nothing.
 * - content-md5: S3 checks the body against it; a wrong one only gets the request refused.
 * - if-match, if-none-match, if-modified-since, if-unmodified-since: preconditions can only stop
 *   a request, never make it do more.
 */
const UNSIGNED_ANY_METHOD: ReadonlySet<string> = new Set([
  'accept', 'accept-encoding', 'accept-language', 'origin', CONTENT_MD5,
  'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since',
]);
/** range on a read returns part of what the signature allowed to be read whole. */
const UNSIGNED_ON_READ: ReadonlySet<string> = new Set(['range']);

/** Connection options that name hop-by-hop headers; anything else names an end-to-end header. */
const HOP_BY_HOP_TOKENS: ReadonlySet<string> = new Set(['close', 'keep-alive', 'te', 'upgrade', 'http2-settings']);

function covers(grant: ClientGrant, name: string): boolean {
  if (grant.scheme === 'sigv4') return grant.signedHeaders.has(name);
  return name.startsWith(AMZ_PREFIX) || name === CONTENT_MD5 || name === CONTENT_TYPE;
}

function notSigned(names: readonly string[]): never {
  throw new SignetError(
    'AccessDenied', 'gateway: unsigned x-amz-* header',
    'There were headers present in the request which were not signed',
    { HeadersNotSigned: names.join(', ') },
  );
}

function invalid(reason: string, message: string): never {
  throw new SignetError('InvalidArgument', 'gateway: ' + reason, message);
}

/** The payload contract must be one signet can hold the body to (prepare and multipart enforce a hex hash). */
function checkPayloadContract(grant: ClientGrant, inbound: InboundHeaders): void {
  const hash = grant.payloadHash;
  const mode = awsChunkedModeOf(hash);
  if (mode !== undefined) {
    if (isSignedMode(mode) && grant.chunkSigning === null) {
      invalid('signed aws-chunked without a SigV4 header signature', 'A signed aws-chunked body needs SigV4 header authentication.');
    }
    return;
  }
  if (hash !== '' && hash !== UNSIGNED_PAYLOAD && !HEX_SHA256.test(hash)) {
    invalid('malformed x-amz-content-sha256', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] or a valid (lower-case hex) sha256 value.');
  }
  // aws-chunked framing is only ever removed under a STREAMING-* hash the client signed.
  if ((inbound.forward[CONTENT_ENCODING] ?? '').toLowerCase().includes(AWS_CHUNKED)) {
    invalid('aws-chunked without a STREAMING-* payload hash', 'Content-Encoding aws-chunked needs a STREAMING-* x-amz-content-sha256.');
  }
}

/**
 * Gateway mode: the headers signet may forward for this grant. Every x-amz-* header present must be
 * covered (S3's own rule, 403 otherwise); other end-to-end headers go only when covered or harmless
 * (UNSIGNED_ANY_METHOD); a Connection header may name hop-by-hop headers only.
 */
export function bindToGrant(grant: ClientGrant, method: string, rawHeaders: readonly string[], inbound: InboundHeaders): InboundHeaders {
  let unsigned: string[] | null = null;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (name.startsWith(AMZ_PREFIX) && !covers(grant, name) && !(unsigned ??= []).includes(name)) unsigned.push(name);
  }
  if (unsigned !== null) notSigned(unsigned);
  for (const token of inbound.connectionTokens) {
    if (token !== '' && !HOP_BY_HOP_TOKENS.has(token) && !token.startsWith('proxy-')) {
      invalid('Connection names an end-to-end header', 'A Connection header may name only hop-by-hop headers here.');
    }
  }
  checkPayloadContract(grant, inbound);
  const read = method === 'GET' || method === 'HEAD';
  const forward: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name in inbound.forward) {
    if (covers(grant, name) || UNSIGNED_ANY_METHOD.has(name) || (read && UNSIGNED_ON_READ.has(name))) forward[name] = inbound.forward[name]!;
  }
  return { ...inbound, forward };
}
