import {
  AMZ_CHECKSUM_PREFIX, AMZ_CONTENT_SHA256, AMZ_DECODED_CONTENT_LENGTH, AMZ_TRAILER, AWS_CHUNKED, CONTENT_ENCODING,
  CONTENT_LENGTH, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_SIGNED_TRAILER_V4A, STREAMING_SIGNED_V4A,
  STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD,
} from '../sigv4/constants.js';
import { isChecksumAlgorithm } from './checksum.js';
import type { ChecksumAlgorithm } from './constants.js';
import { DemoError, invalidArgument, invalidRequest, notImplemented } from './demo-error.js';
import type { AcceptedPayloads } from './types.js';

export type PayloadMode = 'hex' | 'unsigned' | 'signed-chunked' | 'unsigned-trailer';

/** How the body must be read and what it must match, decided from the headers before reading it. */
export interface PayloadPlan {
  mode: PayloadMode;
  /** Hex SHA-256 announced in x-amz-content-sha256 (hex mode). */
  sha256?: string;
  signedTrailer: boolean;
  decodedLength?: number;
  /** Checksums sent as headers, base64 as announced. */
  headerChecksums: Array<[ChecksumAlgorithm, string]>;
  /** The checksum the x-amz-trailer header announces. */
  trailerChecksum?: ChecksumAlgorithm;
}

const HEX64 = /^[0-9a-f]{64}$/;
const NOT_CHECKSUMS = new Set(['mode', 'type', 'algorithm']);

function checksumName(header: string): string {
  return header.slice(AMZ_CHECKSUM_PREFIX.length);
}

function modeOf(value: string, accept: Required<AcceptedPayloads>): PayloadMode {
  if (HEX64.test(value)) return 'hex';
  if (value === UNSIGNED_PAYLOAD) {
    if (!accept.unsignedPayload) throw invalidRequest('UNSIGNED-PAYLOAD is not accepted by this server; sign the payload.');
    return 'unsigned';
  }
  if (value === STREAMING_SIGNED || value === STREAMING_SIGNED_TRAILER || value === STREAMING_SIGNED_V4A || value === STREAMING_SIGNED_TRAILER_V4A) {
    if (!accept.signedChunked) throw notImplemented(AMZ_CONTENT_SHA256, `${value} is not implemented by this server.`);
    return 'signed-chunked';
  }
  if (value === STREAMING_UNSIGNED_TRAILER) {
    if (!accept.unsignedTrailer) throw notImplemented(AMZ_CONTENT_SHA256, `${value} is not implemented by this server.`);
    return 'unsigned-trailer';
  }
  if (value.startsWith('STREAMING-')) throw notImplemented(AMZ_CONTENT_SHA256, `${value} is not implemented by this server.`);
  throw invalidArgument('x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.', AMZ_CONTENT_SHA256, value);
}

/**
 * `requiresLength`: PutObject/UploadPart, where S3 answers 411 to a body without Content-Length
 * that is not aws-chunked, and 501 to plain HTTP chunked.
 */
export function planPayload(headers: Record<string, string>, payloadHash: string, accept: Required<AcceptedPayloads>, requiresLength: boolean): PayloadPlan {
  const mode = modeOf(payloadHash, accept);
  const chunked = mode === 'signed-chunked' || mode === 'unsigned-trailer';
  const te = headers['transfer-encoding'];
  if (te !== undefined && !chunked) throw notImplemented('Transfer-Encoding');
  if (requiresLength && !chunked && headers[CONTENT_LENGTH] === undefined) {
    throw new DemoError(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
  }
  const plan: PayloadPlan = { mode, signedTrailer: payloadHash === STREAMING_SIGNED_TRAILER || payloadHash === STREAMING_SIGNED_TRAILER_V4A, headerChecksums: [] };
  if (mode === 'hex') plan.sha256 = payloadHash;
  if (chunked) {
    const encodings = (headers[CONTENT_ENCODING] ?? '').split(',').map((e) => e.trim().toLowerCase());
    if (!encodings.includes(AWS_CHUNKED)) invalidRequestThrow(`${payloadHash} requires Content-Encoding: aws-chunked`);
    const decoded = headers[AMZ_DECODED_CONTENT_LENGTH];
    if (decoded === undefined || !/^\d+$/.test(decoded)) {
      throw new DemoError(411, 'MissingContentLength', `You must provide the ${AMZ_DECODED_CONTENT_LENGTH} HTTP header.`);
    }
    plan.decodedLength = Number(decoded);
  }
  const trailer = headers[AMZ_TRAILER];
  if (trailer !== undefined) {
    if (mode !== 'unsigned-trailer' && !plan.signedTrailer) invalidRequestThrow(`${AMZ_TRAILER} requires a *-TRAILER ${AMZ_CONTENT_SHA256}`);
    const name = trailer.trim().toLowerCase();
    if (!name.startsWith(AMZ_CHECKSUM_PREFIX) || !isChecksumAlgorithm(checksumName(name))) {
      throw invalidArgument(`The trailer ${name} is not supported by this server.`, AMZ_TRAILER, name);
    }
    plan.trailerChecksum = checksumName(name) as ChecksumAlgorithm;
  } else if (mode === 'unsigned-trailer' || plan.signedTrailer) {
    invalidRequestThrow(`${payloadHash} requires the ${AMZ_TRAILER} header`);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(AMZ_CHECKSUM_PREFIX) || NOT_CHECKSUMS.has(checksumName(name))) continue;
    const algorithm = checksumName(name);
    // Only algorithms this server can verify are accepted, so nothing unverified is stored.
    if (!isChecksumAlgorithm(algorithm)) throw invalidArgument(`Checksum algorithm ${algorithm} is not supported by this server.`, name, value);
    plan.headerChecksums.push([algorithm, value]);
  }
  return plan;
}

function invalidRequestThrow(message: string): never {
  throw invalidRequest(message);
}
