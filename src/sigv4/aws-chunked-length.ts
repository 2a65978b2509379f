import { AMZ_TRAILER_SIGNATURE, DEFAULT_CHUNK_SIZE } from './constants.js';
import { SigV4Error } from './errors.js';
import { CHUNK_SIGNATURE_EXTENSION, CRLF, chunkSignatureLength, hasTrailer, isSignedMode } from './aws-chunked-wire.js';
import type { AwsChunkedMode } from './aws-chunked-wire.js';
import { checksumBase64Length, checksumTrailerName } from './trailer-checksum.js';
import type { ChecksumAlgorithm } from './trailer-checksum.js';

/** How a body is cut into aws-chunked: every chunk but the last is exactly `chunkSize` bytes. */
export interface AwsChunkedLayout {
  readonly mode: AwsChunkedMode;
  /** S3 refuses chunks under 8 KiB (MIN_CHUNK_SIZE) except the last; default 64 KiB. */
  readonly chunkSize?: number;
  /** Required by the trailer modes, refused by 'signed'. */
  readonly trailer?: ChecksumAlgorithm | undefined;
  /** SigV4A chunk signatures (144 chars wide instead of 64). */
  readonly ecdsa?: boolean | undefined;
}

/** Checks a layout and returns its chunk size; throws SIGV4_INVALID_INPUT on nonsense. */
export function checkAwsChunkedLayout(decodedLength: number, layout: AwsChunkedLayout): number {
  const chunkSize = layout.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(decodedLength) || decodedLength < 0) {
    throw new SigV4Error('SIGV4_INVALID_INPUT', 'aws-chunked: decoded length must be a non-negative integer');
  }
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new SigV4Error('SIGV4_INVALID_INPUT', 'aws-chunked: chunk size must be a positive integer');
  }
  if (hasTrailer(layout.mode) !== (layout.trailer !== undefined)) {
    throw new SigV4Error('SIGV4_INVALID_INPUT', `aws-chunked: mode ${layout.mode} and trailer option disagree`);
  }
  return chunkSize;
}

/** Bytes of one chunk's framing (size line and the CRLF after the data), data excluded. */
export function chunkFramingLength(size: number, signed: boolean, ecdsa = false): number {
  const line = size.toString(16).length + (signed ? CHUNK_SIGNATURE_EXTENSION.length + chunkSignatureLength(ecdsa) : 0) + 2;
  return size === 0 ? line : line + 2;
}

/** Bytes after the final 0-size line: trailer lines, trailer signature, closing CRLF. */
export function trailerSectionLength(mode: AwsChunkedMode, trailer: ChecksumAlgorithm | undefined, ecdsa = false): number {
  let length = CRLF.length;
  if (trailer !== undefined) {
    length += checksumTrailerName(trailer).length + 1 + checksumBase64Length(trailer) + CRLF.length;
    if (isSignedMode(mode)) length += AMZ_TRAILER_SIGNATURE.length + 1 + chunkSignatureLength(ecdsa) + CRLF.length;
  }
  return length;
}

/**
 * Exact length of the aws-chunked encoding of `decodedLength` bytes, known before any byte is
 * read, so it can go in Content-Length (sigv4-streaming: the encoded length must be sent up front).
 */
export function awsChunkedEncodedLength(decodedLength: number, layout: AwsChunkedLayout): number {
  const chunkSize = checkAwsChunkedLayout(decodedLength, layout);
  const signed = isSignedMode(layout.mode);
  const ecdsa = layout.ecdsa === true;
  const fullChunks = Math.floor(decodedLength / chunkSize);
  const rest = decodedLength - fullChunks * chunkSize;
  let length = decodedLength + fullChunks * chunkFramingLength(chunkSize, signed, ecdsa);
  if (rest > 0) length += chunkFramingLength(rest, signed, ecdsa);
  return length + chunkFramingLength(0, signed, ecdsa) + trailerSectionLength(layout.mode, layout.trailer, ecdsa);
}
