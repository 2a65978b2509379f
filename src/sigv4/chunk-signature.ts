import { createHash, createHmac } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CHUNK_ALGORITHM, CHUNK_ALGORITHM_V4A, EMPTY_SHA256, TRAILER_ALGORITHM, TRAILER_ALGORITHM_V4A } from './constants.js';
import { ecdsaSignatureHex, padV4aSignature, trimV4aSignature } from './sigv4a-signature.js';

/** The string a chunk signature signs; the fifth line is always the empty-string hash (sigv4-streaming doc). */
export function chunkStringToSign(algorithm: string, amzDate: string, scope: string, previousSignature: string, chunkSha256Hex: string): string {
  return algorithm + '\n' + amzDate + '\n' + scope + '\n' + previousSignature + '\n' + EMPTY_SHA256 + '\n' + chunkSha256Hex;
}

/** The string the trailer signature signs; trailer lines are octets as received (one char per byte). */
export function trailerStringToSign(algorithm: string, amzDate: string, scope: string, previousSignature: string, trailerLines: string): string {
  const trailerHash = createHash('sha256').update(trailerLines, 'latin1').digest('hex');
  return algorithm + '\n' + amzDate + '\n' + scope + '\n' + previousSignature + '\n' + trailerHash;
}

/**
 * Signature of one aws-chunked chunk, chained from the previous one (the seed signature for the
 * first chunk).
 */
export function chunkSignature(
  signingKey: Buffer,
  amzDate: string,
  scope: string,
  previousSignature: string,
  chunkSha256Hex: string,
): string {
  const stringToSign = chunkStringToSign(CHUNK_ALGORITHM, amzDate, scope, previousSignature, chunkSha256Hex);
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
  const stringToSign = trailerStringToSign(TRAILER_ALGORITHM, amzDate, scope, previousSignature, trailerLines);
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/**
 * SigV4A chunk signature (aws-c-auth aws_signing.c): the same string to sign under
 * AWS4-ECDSA-P256-SHA256-PAYLOAD, the previous signature without its padding, signed with ECDSA
 * and padded with `*` to 144 chars so that every chunk header has the same length.
 */
export function chunkSignatureV4a(key: KeyObject, amzDate: string, scope: string, previousSignature: string, chunkSha256Hex: string): string {
  const stringToSign = chunkStringToSign(CHUNK_ALGORITHM_V4A, amzDate, scope, trimV4aSignature(previousSignature), chunkSha256Hex);
  return padV4aSignature(ecdsaSignatureHex(key, stringToSign));
}

/** SigV4A trailer signature: AWS4-ECDSA-P256-SHA256-TRAILER, chained and padded as chunk signatures are. */
export function trailerSignatureV4a(key: KeyObject, amzDate: string, scope: string, previousSignature: string, trailerLines: string): string {
  const stringToSign = trailerStringToSign(TRAILER_ALGORITHM_V4A, amzDate, scope, trimV4aSignature(previousSignature), trailerLines);
  return padV4aSignature(ecdsaSignatureHex(key, stringToSign));
}
