import { timingSafeEqual } from 'node:crypto';
import { AMZ_TRAILER_SIGNATURE } from './constants.js';
import { SigV4Error } from './errors.js';
import { trailerSignature } from './chunk-signature.js';
import type { ChunkSigningContext } from './aws-chunked-wire.js';
import type { TrailerLine } from './aws-chunked-line.js';
import { checksumAlgorithmOf, createRunningChecksum } from './trailer-checksum.js';
import type { RunningChecksum } from './trailer-checksum.js';

const MAX_TRAILERS = 16;

/** Constant-time comparison of two hex signatures. */
export function sameSignature(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
}

/**
 * The trailer side of a decoded aws-chunked body: the checksums announced in `x-amz-trailer`,
 * computed while the data passes, and the trailer fields read after the final chunk.
 */
export class AwsChunkedTrailers {
  /** Lower-case name → value; the trailer signature is not kept. */
  readonly values = new Map<string, string>();
  private readonly checksums = new Map<string, RunningChecksum>();
  private block = ''; // each trailer as received plus '\n': what the trailer signature covers
  private signed = false;

  /** `announced` is the `x-amz-trailer` header (comma-separated names), if any. */
  constructor(
    announced: string | undefined,
    private readonly signing: ChunkSigningContext | undefined,
  ) {
    for (const name of (announced ?? '').split(',')) {
      const trimmed = name.trim().toLowerCase();
      const algorithm = checksumAlgorithmOf(trimmed);
      if (algorithm !== undefined) this.checksums.set(trimmed, createRunningChecksum(algorithm));
    }
  }

  /** True until a trailer field or the trailer signature has been read. */
  get empty(): boolean {
    return this.values.size === 0 && !this.signed;
  }

  update(piece: Buffer): void {
    for (const checksum of this.checksums.values()) checksum.update(piece);
  }

  /** One trailer field; `previousSignature` is the final chunk's, which the trailer signature chains from. */
  add(line: TrailerLine, previousSignature: string): void {
    if (this.signed) throw malformed('trailer after the trailer signature');
    if (line.name === AMZ_TRAILER_SIGNATURE) {
      this.signed = true;
      const s = this.signing;
      if (s === undefined) return;
      const expected = trailerSignature(s.signingKey, s.amzDate, s.scope, previousSignature, this.block);
      if (!sameSignature(expected, line.value.toLowerCase())) {
        throw new SigV4Error('SIGV4_CHUNK_SIGNATURE', 'aws-chunked: trailer signature does not match');
      }
      return;
    }
    if (this.values.size >= MAX_TRAILERS) throw new SigV4Error('SIGV4_CHUNK_TOO_LARGE', 'aws-chunked: too many trailers');
    this.values.set(line.name, line.value);
    this.block += line.raw + '\n';
  }

  /** Once the section is over: signature present when required, checksums equal to the data. */
  finish(): void {
    if (this.signing !== undefined && this.values.size > 0 && !this.signed) {
      throw new SigV4Error('SIGV4_CHUNK_SIGNATURE', 'aws-chunked: signed body without a trailer signature');
    }
    for (const [name, checksum] of this.checksums) {
      const sent = this.values.get(name);
      if (sent === undefined) throw malformed('announced trailer is missing');
      if (sent !== checksum.digestBase64()) {
        throw new SigV4Error('SIGV4_CHECKSUM_MISMATCH', `aws-chunked: ${name} does not match the data`);
      }
    }
    for (const name of this.values.keys()) {
      if (checksumAlgorithmOf(name) !== undefined && !this.checksums.has(name)) {
        throw malformed(`${name} trailer was not announced in x-amz-trailer`);
      }
    }
  }
}

function malformed(what: string): SigV4Error {
  return new SigV4Error('SIGV4_CHUNK_MALFORMED', 'aws-chunked: ' + what);
}
