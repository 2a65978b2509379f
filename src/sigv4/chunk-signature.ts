import { createHash, createHmac } from 'node:crypto';
import { CHUNK_ALGORITHM, EMPTY_SHA256, TRAILER_ALGORITHM } from './constants.js';

/**
 * Signature of one aws-chunked chunk, chained from the previous one (the seed signature for the
 * first chunk). The fifth line is always the empty-string hash (sigv4-streaming doc).
 */
export function chunkSignature(
  signingKey: Buffer,
  amzDate: string,
  scope: string,
  previousSignature: string,
  chunkSha256Hex: string,
): string {
  const stringToSign =
    CHUNK_ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + previousSignature + '\n' + EMPTY_SHA256 + '\n' + chunkSha256Hex;
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/**
 * Signature of the trailer block, chained from the final 0-byte chunk's signature.
 * `trailerLines` is every trailer as `name:value\n`, the last newline included (sigv4-streaming-trailers).
 */
export function trailerSignature(
  signingKey: Buffer,
  amzDate: string,
  scope: string,
  previousSignature: string,
  trailerLines: string,
): string {
  // Trailer lines are octets as received (one char per byte).
  const trailerHash = createHash('sha256').update(trailerLines, 'latin1').digest('hex');
  const stringToSign =
    TRAILER_ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + previousSignature + '\n' + trailerHash;
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
