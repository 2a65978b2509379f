// Every protocol string of SigV4 as S3 applies it lives here; no other file spells them out.

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const CHUNK_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
export const TRAILER_ALGORITHM = 'AWS4-HMAC-SHA256-TRAILER';
export const KEY_TYPE_IDENTIFIER = 'aws4_request';
export const KEY_PREFIX = 'AWS4';

// SigV4A (AWS4-ECDSA-P256-SHA256): aws-c-auth source/aws_signing.c and key_derivation.c.
export const ALGORITHM_V4A = 'AWS4-ECDSA-P256-SHA256';
export const CHUNK_ALGORITHM_V4A = 'AWS4-ECDSA-P256-SHA256-PAYLOAD';
export const TRAILER_ALGORITHM_V4A = 'AWS4-ECDSA-P256-SHA256-TRAILER';
/** HMAC key of the SigV4A key derivation: "AWS4A" + secret. */
export const KEY_PREFIX_V4A = 'AWS4A';
/** A DER ECDSA-P256 signature is at most 72 bytes; chunk and trailer signatures are hex padded to this width. */
export const V4A_PADDED_SIGNATURE_LENGTH = 144;
export const V4A_SIGNATURE_PADDING = '*';
/** Region set meaning every region (Multi-Region Access Points). */
export const REGION_SET_ANY = '*';

// Header names, lower case (canonical form).
export const AUTHORIZATION = 'authorization';
export const HOST = 'host';
export const AMZ_DATE = 'x-amz-date';
export const AMZ_CONTENT_SHA256 = 'x-amz-content-sha256';
export const AMZ_SECURITY_TOKEN = 'x-amz-security-token';
export const AMZ_REGION_SET = 'x-amz-region-set';
export const AMZ_DECODED_CONTENT_LENGTH = 'x-amz-decoded-content-length';
export const AMZ_TRAILER = 'x-amz-trailer';
export const AMZ_TRAILER_SIGNATURE = 'x-amz-trailer-signature';
export const AMZ_CHECKSUM_PREFIX = 'x-amz-checksum-';
export const AMZ_PREFIX = 'x-amz-';
export const AMZN_TRACE_ID = 'x-amzn-trace-id';
/** W3C Trace Context (the client's trace, read by signet's tracing). */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
export const CONTENT_ENCODING = 'content-encoding';
export const CONTENT_LENGTH = 'content-length';
export const CONTENT_TYPE = 'content-type';
export const CONTENT_MD5 = 'content-md5';
export const DATE = 'date';

// Presigned-URL query parameter names (as sent: mixed case).
export const Q_ALGORITHM = 'X-Amz-Algorithm';
export const Q_CREDENTIAL = 'X-Amz-Credential';
export const Q_DATE = 'X-Amz-Date';
export const Q_EXPIRES = 'X-Amz-Expires';
export const Q_SIGNED_HEADERS = 'X-Amz-SignedHeaders';
export const Q_SIGNATURE = 'X-Amz-Signature';
export const Q_SECURITY_TOKEN = 'X-Amz-Security-Token';
export const Q_REGION_SET = 'X-Amz-Region-Set';

// SigV2 (legacy clients) query parameter names.
export const Q_V2_ACCESS_KEY_ID = 'AWSAccessKeyId';
export const Q_V2_SIGNATURE = 'Signature';
export const Q_V2_EXPIRES = 'Expires';
export const V2_AUTH_PREFIX = 'AWS ';

/** Query parameters a client may carry from its own auth scheme; never forwarded. */
export const CLIENT_AUTH_QUERY_PARAMS: ReadonlySet<string> = new Set([
  Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SIGNED_HEADERS, Q_SIGNATURE, Q_SECURITY_TOKEN, Q_REGION_SET,
  Q_V2_ACCESS_KEY_ID, Q_V2_SIGNATURE, Q_V2_EXPIRES,
]);

// x-amz-content-sha256 values.
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export const STREAMING_SIGNED_V4A = 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER_V4A = 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER';
export const AWS_CHUNKED = 'aws-chunked';

/** S3 caps presigned URLs at seven days. */
export const MAX_PRESIGNED_TTL_SECONDS = 60 * 60 * 24 * 7;
/** Chunk size for aws-chunked encoding; S3 requires >= 8 KiB for all but the last chunk. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
export const MIN_CHUNK_SIZE = 8 * 1024;

/**
 * Headers never signed: hop-by-hop (RFC 9110 §7.6.1), or rewritten by proxies and load balancers
 * on the way (user-agent, x-amzn-trace-id, expect). `authorization` is what we produce.
 * traceparent/tracestate are rewritten hop by hop by every traced proxy and mesh sidecar; S3 takes
 * no part in W3C Trace Context, so signet reads them for its own span and sends neither upstream.
 */
export const UNSIGNABLE_HEADERS: ReadonlySet<string> = new Set([
  'authorization', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'user-agent',
  AMZN_TRACE_ID, TRACEPARENT, TRACESTATE, 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port',
  'forwarded', 'via', 'x-real-ip', 'max-forwards', 'referer', 'pragma', 'from',
]);
