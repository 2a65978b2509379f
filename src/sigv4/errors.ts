/**
 * Errors of the pure signing layer. Callers branch on `code`, never on the message. The brand
 * survives two loaded copies of the module, as undici's errors do.
 */
const BRAND = Symbol.for('signet.SigV4Error');

export type SigV4ErrorCode =
  | 'SIGV4_CHUNK_MALFORMED' // aws-chunked framing does not parse
  | 'SIGV4_CHUNK_TOO_LARGE' // a chunk header or size exceeds the bounds we accept
  | 'SIGV4_CHUNK_SIGNATURE' // a chunk or trailer signature does not verify
  | 'SIGV4_CHUNK_TRUNCATED' // the stream ended before the final chunk
  | 'SIGV4_CHUNK_LENGTH' // decoded length differs from x-amz-decoded-content-length
  | 'SIGV4_CHECKSUM_MISMATCH' // trailer checksum differs from the data
  | 'SIGV4_PRESIGN_EXPIRES' // presign expiry outside 1..604800 s
  | 'SIGV4_V2_MALFORMED' // SigV2 Authorization/query does not parse
  | 'SIGV4_V2_SIGNATURE' // SigV2 signature does not verify
  | 'SIGV4_V2_EXPIRED' // SigV2 query auth past Expires
  | 'SIGV4_INVALID_INPUT'; // anything else handed to the signer that cannot be signed

export class SigV4Error extends Error {
  readonly code: SigV4ErrorCode;
  constructor(code: SigV4ErrorCode, message: string) {
    super(message);
    this.name = 'SigV4Error';
    this.code = code;
  }
  get [BRAND](): true {
    return true;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
