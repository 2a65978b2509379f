import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Hash, KeyObject } from 'node:crypto';
import {
  AMZ_TRAILER_SIGNATURE, CHUNK_ALGORITHM, CHUNK_ALGORITHM_V4A, EMPTY_SHA256, MIN_CHUNK_SIZE, TRAILER_ALGORITHM,
  TRAILER_ALGORITHM_V4A, V4A_PADDED_SIGNATURE_LENGTH,
} from '../sigv4/constants.js';
import { DemoError } from './demo-error.js';
import { verifiesV4a } from './verify-signature.js';

/** How one chunk or trailer signature is checked: SigV4 recomputes an HMAC, SigV4A verifies ECDSA. */
export interface ChunkCheck {
  readonly chunkAlgorithm: string;
  readonly trailerAlgorithm: string;
  /** The signature the next string to sign chains from when `provided` is right, else null. */
  check(stringToSign: string, provided: string): string | null;
}

export function hmacChunkCheck(key: Buffer): ChunkCheck {
  return {
    chunkAlgorithm: CHUNK_ALGORITHM,
    trailerAlgorithm: TRAILER_ALGORITHM,
    check(stringToSign, provided) {
      const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
      return sameHex(expected, provided) ? expected : null;
    },
  };
}

/**
 * SigV4A (aws-c-auth aws_signing.c): chunk and trailer signatures are hex DER padded with '*' to
 * 144 chars; the next string to sign chains the signature without its padding.
 */
export function ecdsaChunkCheck(key: KeyObject): ChunkCheck {
  return {
    chunkAlgorithm: CHUNK_ALGORITHM_V4A,
    trailerAlgorithm: TRAILER_ALGORITHM_V4A,
    check(stringToSign, provided) {
      if (provided.length !== V4A_PADDED_SIGNATURE_LENGTH || !verifiesV4a(key, stringToSign, provided)) return null;
      return provided.replace(/\*+$/, '');
    },
  };
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function mismatch(stringToSign: string, provided: string): DemoError {
  return new DemoError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', [
    ['StringToSign', stringToSign], ['SignatureProvided', provided],
  ]);
}

/**
 * Checks the chain of aws-chunked signatures (sigv4-streaming): each chunk signs the previous
 * signature (the seed for the first) and its data's hash; the trailer signs the final chunk's.
 */
export class ChunkVerifier {
  private previous: string;
  private hash: Hash | null = null;
  private provided = '';
  private lastWasSmall = false;
  private readonly trailerLines: string[] = [];
  private trailerSignature: string | undefined;

  constructor(
    private readonly signatures: ChunkCheck,
    private readonly amzDate: string,
    private readonly scope: string,
    seedSignature: string,
  ) {
    this.previous = seedSignature;
  }

  chunkStart(size: number, signature: string): void {
    // S3: only the last chunk carrying data may be smaller than 8 KiB.
    if (size > 0 && this.lastWasSmall) {
      throw new DemoError(403, 'InvalidChunkSizeError', 'Only the last chunk is allowed to have a size less than 8192 bytes');
    }
    this.lastWasSmall = size < MIN_CHUNK_SIZE;
    this.hash = createHash('sha256');
    this.provided = signature;
  }

  data(bytes: Buffer): void {
    this.hash?.update(bytes);
  }

  chunkEnd(): void {
    const digest = this.hash === null ? EMPTY_SHA256 : this.hash.digest('hex');
    this.hash = null;
    const stringToSign = [this.signatures.chunkAlgorithm, this.amzDate, this.scope, this.previous, EMPTY_SHA256, digest].join('\n');
    const next = this.signatures.check(stringToSign, this.provided);
    if (next === null) throw mismatch(stringToSign, this.provided);
    this.previous = next;
  }

  trailer(name: string, value: string): void {
    if (name === AMZ_TRAILER_SIGNATURE) this.trailerSignature = value;
    else this.trailerLines.push(`${name}:${value}\n`);
  }

  /** Verifies the trailer signature (signed-trailer form), chained from the final chunk. */
  finishTrailer(): void {
    if (this.trailerSignature === undefined) {
      throw new DemoError(403, 'SignatureDoesNotMatch', `The ${AMZ_TRAILER_SIGNATURE} trailer is missing.`);
    }
    const linesHash = createHash('sha256').update(this.trailerLines.join('')).digest('hex');
    const stringToSign = [this.signatures.trailerAlgorithm, this.amzDate, this.scope, this.previous, linesHash].join('\n');
    if (this.signatures.check(stringToSign, this.trailerSignature) === null) throw mismatch(stringToSign, this.trailerSignature);
  }
}
