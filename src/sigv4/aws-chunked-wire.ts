import type { KeyObject } from 'node:crypto';
import {
  STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_SIGNED_TRAILER_V4A, STREAMING_SIGNED_V4A, STREAMING_UNSIGNED_TRAILER,
  V4A_PADDED_SIGNATURE_LENGTH,
} from './constants.js';

/** The three aws-chunked forms, named after their `x-amz-content-sha256` value. */
export type AwsChunkedMode = 'signed' | 'signed-trailer' | 'unsigned-trailer';

/** Chunk extension carrying the chunk signature, between the hex size and CRLF. */
export const CHUNK_SIGNATURE_EXTENSION = ';chunk-signature=';
export const CRLF = '\r\n';
/** Hex SHA-256 signatures are always this long. */
export const SIGNATURE_HEX_LENGTH = 64;

/** The key and chain start of a signed aws-chunked body: the seed is the header signature. */
export interface ChunkSigningContext {
  readonly signingKey: Buffer;
  readonly amzDate: string;
  readonly scope: string;
  readonly seedSignature: string;
  /** SigV4A: chunks are signed with this ECDSA key (signingKey unused), signatures padded to 144 chars. */
  readonly ecdsaKey?: KeyObject | undefined;
}

/** The width of a chunk signature on the wire: 64 hex for SigV4, 144 padded for SigV4A. */
export function chunkSignatureLength(ecdsa: boolean): number {
  return ecdsa ? V4A_PADDED_SIGNATURE_LENGTH : SIGNATURE_HEX_LENGTH;
}

const CONTENT_SHA256_OF_MODE: Readonly<Record<AwsChunkedMode, string>> = {
  signed: STREAMING_SIGNED,
  'signed-trailer': STREAMING_SIGNED_TRAILER,
  'unsigned-trailer': STREAMING_UNSIGNED_TRAILER,
};

const CONTENT_SHA256_OF_MODE_V4A: Readonly<Record<AwsChunkedMode, string>> = {
  signed: STREAMING_SIGNED_V4A,
  'signed-trailer': STREAMING_SIGNED_TRAILER_V4A,
  'unsigned-trailer': STREAMING_UNSIGNED_TRAILER,
};

/** The `x-amz-content-sha256` value announcing `mode` (its SigV4A form when `ecdsa`). */
export function awsChunkedContentSha256(mode: AwsChunkedMode, ecdsa = false): string {
  return (ecdsa ? CONTENT_SHA256_OF_MODE_V4A : CONTENT_SHA256_OF_MODE)[mode];
}

/** The mode an `x-amz-content-sha256` value announces, or undefined when it is not aws-chunked. */
export function awsChunkedModeOf(contentSha256: string): AwsChunkedMode | undefined {
  if (contentSha256 === STREAMING_SIGNED) return 'signed';
  if (contentSha256 === STREAMING_SIGNED_TRAILER) return 'signed-trailer';
  if (contentSha256 === STREAMING_UNSIGNED_TRAILER) return 'unsigned-trailer';
  return undefined;
}

export function isSignedMode(mode: AwsChunkedMode): boolean {
  return mode !== 'unsigned-trailer';
}

export function hasTrailer(mode: AwsChunkedMode): boolean {
  return mode !== 'signed';
}
