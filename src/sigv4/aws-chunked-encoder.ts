import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { AMZ_TRAILER_SIGNATURE, DEFAULT_CHUNK_SIZE, EMPTY_SHA256 } from './constants.js';
import { SigV4Error } from './errors.js';
import { chunkSignature, chunkSignatureV4a, trailerSignature, trailerSignatureV4a } from './chunk-signature.js';
import { awsChunkedEncodedLength, checkAwsChunkedLayout } from './aws-chunked-length.js';
import type { AwsChunkedLayout } from './aws-chunked-length.js';
import { CHUNK_SIGNATURE_EXTENSION, CRLF, isSignedMode } from './aws-chunked-wire.js';
import type { ChunkSigningContext } from './aws-chunked-wire.js';
import { checksumTrailerName, createRunningChecksum } from './trailer-checksum.js';
import type { RunningChecksum } from './trailer-checksum.js';

export interface AwsChunkedEncoderOptions extends AwsChunkedLayout {
  /** Exactly this many bytes must be written; anything else errors with SIGV4_CHUNK_LENGTH. */
  readonly decodedLength: number;
  /** Required by the signed modes: chunk signatures chain from `seedSignature`. */
  readonly signed?: ChunkSigningContext | undefined;
  /** Signed modes: hashes chunks elsewhere (a worker thread, payload/hash-pool.ts); absent: inline. */
  readonly hasher?: ChunkHasher | undefined;
}

/** A chunk's SHA-256 and its pieces, handed back (they may have been moved to another thread and back). */
export interface ChunkHashed {
  readonly error: Error | null;
  readonly digest: string;
  readonly pieces: Buffer[];
}

/**
 * Where a signed chunk's SHA-256 can be computed off the event loop. The encoder gives up its
 * pieces (they may be moved, not copied) and gets them back with the digest, in submission order.
 */
export interface ChunkHasher {
  /** Whether `bytes` more can be handed over now; when not, the encoder hashes the chunk itself. */
  hasRoom(bytes: number): boolean;
  submit(pieces: Buffer[], done: (result: ChunkHashed) => void): void;
  /** The upload is over: answers still on their way are dropped. */
  release(): void;
}

/** A finished chunk waiting for its turn: its digest known (inline) or still away at the hasher. */
interface QueuedChunk {
  readonly length: number;
  pieces: Buffer[];
  digest: string | null;
}

/** Bytes of finished chunks held, beyond the hasher's own bound, before the writer is made to wait. */
const MAX_QUEUED = 4 * 1024 * 1024;

const CRLF_BYTES = Buffer.from(CRLF, 'latin1');

/**
 * Frames a body of known length as aws-chunked. Unsigned chunks stream straight through (their
 * sizes are known in advance). A signed chunk's header carries the hash of its data, so its pieces
 * are held, by reference and never copied, until the chunk is complete: at most `chunkSize` bytes.
 */
export class AwsChunkedEncoder extends Transform {
  /** The Content-Length of the encoded body. */
  readonly encodedLength: number;
  private readonly chunkSize: number;
  private readonly signing: ChunkSigningContext | undefined;
  private readonly checksum: RunningChecksum | undefined;
  private previousSignature: string;
  private remaining: number; // decoded bytes still to be written
  private unframed: number; // decoded bytes not yet assigned to a chunk
  private chunkLength = 0;
  private chunkLeft = 0;
  private hash: Hash | undefined = undefined;
  private pieces: Buffer[] = [];
  private readonly hasher: ChunkHasher | undefined;
  /** With a hasher: finished chunks in order, signed and sent as their digests are known. */
  private readonly queue: QueuedChunk[] = [];
  private queuedBytes = 0;
  private waitingWrite: TransformCallback | null = null;
  private waitingFlush: TransformCallback | null = null;

  constructor(options: AwsChunkedEncoderOptions) {
    const chunkSize = checkAwsChunkedLayout(options.decodedLength, options);
    // Room for a few chunks on each side: with one chunk of slack the client-to-upstream pipe
    // stalled on backpressure half of the time (measured: 615 MB/s, signet 49% idle).
    const slack = 4 * Math.max(chunkSize, DEFAULT_CHUNK_SIZE);
    super({ readableHighWaterMark: slack, writableHighWaterMark: slack });
    if (isSignedMode(options.mode) !== (options.signed !== undefined)) {
      throw new SigV4Error('SIGV4_INVALID_INPUT', `aws-chunked: mode ${options.mode} and signing context disagree`);
    }
    // The encoded length was announced before signing: its signature width must be the one signed with.
    if (options.signed !== undefined && (options.ecdsa === true) !== (options.signed.ecdsaKey !== undefined)) {
      throw new SigV4Error('SIGV4_INVALID_INPUT', 'aws-chunked: layout and signing context disagree on SigV4A');
    }
    this.encodedLength = awsChunkedEncodedLength(options.decodedLength, options);
    this.chunkSize = chunkSize;
    this.signing = options.signed;
    this.checksum = options.trailer === undefined ? undefined : createRunningChecksum(options.trailer);
    this.previousSignature = options.signed?.seedSignature ?? '';
    this.remaining = options.decodedLength;
    this.unframed = options.decodedLength;
    this.hasher = options.signed === undefined ? undefined : options.hasher;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (data.length > this.remaining) {
      callback(new SigV4Error('SIGV4_CHUNK_LENGTH', 'aws-chunked: body is longer than its decoded length'));
      return;
    }
    this.remaining -= data.length;
    let offset = 0;
    while (offset < data.length) {
      if (this.chunkLeft === 0) this.startChunk();
      const n = Math.min(this.chunkLeft, data.length - offset);
      const piece = n === data.length ? data : data.subarray(offset, offset + n);
      this.checksum?.update(piece);
      this.hash?.update(piece);
      this.pieces.push(piece);
      offset += n;
      this.chunkLeft -= n;
      if (this.chunkLeft === 0) this.endChunk();
    }
    // Too much finished but unsent (the hasher is behind on the chunk at the head): wait for it.
    if (this.queuedBytes > MAX_QUEUED) this.waitingWrite = callback;
    else callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.remaining !== 0) {
      callback(new SigV4Error('SIGV4_CHUNK_LENGTH', 'aws-chunked: body is shorter than its decoded length'));
      return;
    }
    if (this.queue.length > 0) {
      this.waitingFlush = callback;
      return;
    }
    callback(null, Buffer.from(this.finalSection(), 'latin1'));
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.hasher?.release();
    this.queue.length = 0;
    callback(err);
  }

  private startChunk(): void {
    const size = Math.min(this.chunkSize, this.unframed);
    this.unframed -= size;
    this.chunkLength = size;
    this.chunkLeft = size;
    // With a hasher, the chunk is hashed whole when it is finished (there or here).
    if (this.signing !== undefined && this.hasher === undefined) this.hash = createHash('sha256');
  }

  /**
   * Signed chunks leave zero-copy (size line, the data pieces as they came, CRLF): that path is
   * bound by SHA-256 on the same thread, and copying only slowed it. Unsigned chunks leave as one
   * buffer: that path is bound by socket writes, and one write per chunk instead of three took a
   * 1 GiB upload from ~650 to ~860 MB/s (bench/RESULTS.md).
   */
  private endChunk(): void {
    if (this.hasher !== undefined) {
      this.queueChunk(this.hasher);
      return;
    }
    if (this.hash !== undefined) {
      const signature = this.sign(this.hash.digest('hex'));
      this.hash = undefined;
      this.push(Buffer.from(this.chunkLength.toString(16) + CHUNK_SIGNATURE_EXTENSION + signature + CRLF, 'latin1'));
      for (const piece of this.pieces) this.push(piece);
      this.push(CRLF_BYTES);
    } else {
      const head = this.chunkLength.toString(16) + CRLF;
      const out = Buffer.allocUnsafe(head.length + this.chunkLength + CRLF_BYTES.length);
      let at = out.write(head, 0, 'latin1');
      for (const piece of this.pieces) at += piece.copy(out, at);
      CRLF_BYTES.copy(out, at);
      this.push(out);
    }
    this.pieces = [];
  }

  /**
   * A finished chunk goes to the hasher while it has room, or is hashed here (when the hasher is
   * behind, the event loop takes the work back rather than wait); either way it is sent in order.
   */
  private queueChunk(hasher: ChunkHasher): void {
    const entry: QueuedChunk = { length: this.chunkLength, pieces: this.pieces, digest: null };
    this.pieces = [];
    this.queue.push(entry);
    this.queuedBytes += entry.length;
    if (hasher.hasRoom(entry.length)) {
      hasher.submit(entry.pieces, (r) => {
        if (this.destroyed) return;
        if (r.error !== null) {
          this.destroy(r.error);
          return;
        }
        entry.digest = r.digest;
        entry.pieces = r.pieces;
        this.sendReady();
      });
    } else {
      const hash = createHash('sha256');
      for (const piece of entry.pieces) hash.update(piece);
      entry.digest = hash.digest('hex');
      this.sendReady();
    }
  }

  /** Signs and pushes the chunks at the head of the queue whose digests are known. */
  private sendReady(): void {
    while (this.queue.length > 0 && this.queue[0]!.digest !== null) {
      const entry = this.queue.shift()!;
      this.queuedBytes -= entry.length;
      const signature = this.sign(entry.digest!);
      this.push(Buffer.from(entry.length.toString(16) + CHUNK_SIGNATURE_EXTENSION + signature + CRLF, 'latin1'));
      for (const piece of entry.pieces) this.push(piece);
      this.push(CRLF_BYTES);
    }
    if (this.waitingWrite !== null && this.queuedBytes <= MAX_QUEUED) {
      const cb = this.waitingWrite;
      this.waitingWrite = null;
      cb();
    }
    if (this.waitingFlush !== null && this.queue.length === 0) {
      const cb = this.waitingFlush;
      this.waitingFlush = null;
      cb(null, Buffer.from(this.finalSection(), 'latin1'));
    }
  }

  private sign(chunkSha256Hex: string): string {
    const s = this.signing as ChunkSigningContext;
    this.previousSignature = s.ecdsaKey === undefined
      ? chunkSignature(s.signingKey, s.amzDate, s.scope, this.previousSignature, chunkSha256Hex)
      : chunkSignatureV4a(s.ecdsaKey, s.amzDate, s.scope, this.previousSignature, chunkSha256Hex);
    return this.previousSignature;
  }

  /** The 0-size chunk, the trailer (and its signature) if any, and the closing empty line. */
  private finalSection(): string {
    const signing = this.signing;
    let out = signing === undefined ? '0' + CRLF : '0' + CHUNK_SIGNATURE_EXTENSION + this.sign(EMPTY_SHA256) + CRLF;
    if (this.checksum !== undefined) {
      const line = checksumTrailerName(this.checksum.algorithm) + ':' + this.checksum.digestBase64();
      out += line + CRLF;
      if (signing !== undefined) {
        const sig = signing.ecdsaKey === undefined
          ? trailerSignature(signing.signingKey, signing.amzDate, signing.scope, this.previousSignature, line + '\n')
          : trailerSignatureV4a(signing.ecdsaKey, signing.amzDate, signing.scope, this.previousSignature, line + '\n');
        out += AMZ_TRAILER_SIGNATURE + ':' + sig + CRLF;
      }
    }
    return out + CRLF;
  }
}

export function createAwsChunkedEncoder(options: AwsChunkedEncoderOptions): AwsChunkedEncoder {
  return new AwsChunkedEncoder(options);
}
