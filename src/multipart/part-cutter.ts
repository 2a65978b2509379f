import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { SignetError } from '../errors.js';
import type { RequestAbort } from '../proxy/request-abort.js';
import { createRunningChecksum } from '../sigv4/trailer-checksum.js';
import type { ChecksumAlgorithm, RunningChecksum } from '../sigv4/trailer-checksum.js';

/** One part cut from the body: `buffer[0, length)`, with its hex SHA-256 and checksum (base64, '' without). */
export interface CutPart {
  readonly buffer: Buffer;
  readonly length: number;
  readonly sha256: string;
  readonly checksum: string;
}

export interface CutterOptions {
  /** A buffer for part `n`; its length is the part's size. */
  readonly bufferFor: (n: number) => Buffer;
  readonly checksum: ChecksumAlgorithm | undefined;
  /** Every chunk as it arrives (whole-object digests). */
  readonly onData: (chunk: Buffer) => void;
  /**
   * Part `n` is full and more bytes follow. The body is paused until the promise settles, so a
   * slow upstream slows the client down (TCP backpressure) instead of filling memory.
   */
  readonly full: (part: CutPart, n: number) => Promise<void>;
  /** Stops cutting (a part failed, the client went away). */
  readonly abort: RequestAbort;
}

export interface CutResult {
  /** The last part (length 0 only when the body was empty); it has not been handed to `full`. */
  readonly last: CutPart;
  readonly lastNumber: number;
  readonly total: number;
}

const noop = (): void => undefined;

/**
 * Cuts a body into parts as it arrives: each chunk is copied once into the part's buffer and
 * hashed on the way, so a part is ready to sign the moment it is full. A full part is handed on
 * only when the next byte arrives, so the caller learns that the body ended with a part still
 * in hand (and can send a body that fits in one part as a plain PutObject). On failure the body
 * is left paused, never destroyed: the client can still be told why.
 */
export function cutParts(source: Readable, o: CutterOptions): Promise<CutResult> {
  return new Promise((resolve, reject) => {
    let n = 1;
    let buffer = o.bufferFor(1);
    let length = 0;
    let hash: Hash = createHash('sha256');
    let sum: RunningChecksum | null = o.checksum === undefined ? null : createRunningChecksum(o.checksum);
    let total = 0;
    let busy = false;
    let ended = false;
    let settled = false;
    const queue: Buffer[] = [];

    const seal = (): CutPart => ({ buffer, length, sha256: hash.digest('hex'), checksum: sum === null ? '' : sum.digestBase64() });
    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      if (err !== null) {
        source.pause();
        reject(err);
        return;
      }
      resolve({ last: seal(), lastNumber: n, total });
    };
    /** Copies `chunk` from `offset`; returns false when it had to stop for a full part. */
    const take = (chunk: Buffer, offset: number): boolean => {
      while (offset < chunk.length) {
        if (length === buffer.length) {
          const part = seal();
          busy = true;
          source.pause();
          o.full(part, n).then(() => {
            if (settled) return;
            n++;
            buffer = o.bufferFor(n);
            length = 0;
            hash = createHash('sha256');
            sum = o.checksum === undefined ? null : createRunningChecksum(o.checksum);
            busy = false;
            if (!take(chunk, offset)) return;
            drainQueue();
          }, settle);
          return false;
        }
        const end = Math.min(chunk.length, offset + buffer.length - length);
        const piece = chunk.subarray(offset, end);
        piece.copy(buffer, length);
        hash.update(piece);
        sum?.update(piece);
        length += piece.length;
        offset = end;
      }
      return true;
    };
    const drainQueue = (): void => {
      while (queue.length > 0) {
        if (!take(queue.shift()!, 0)) return;
      }
      if (ended) settle(null);
      else source.resume();
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      o.onData(chunk);
      if (busy) queue.push(chunk);
      else take(chunk, 0);
    };
    const onEnd = (): void => {
      ended = true;
      if (!busy && queue.length === 0) settle(null);
    };
    const onError = (err: unknown): void => settle(err);
    const onClose = (): void => {
      if (!ended) settle(new SignetError('ClientClosedRequest', 'client went away during a multipart upload'));
    };
    const onAbort = (): void => settle(new SignetError('RequestTimeout', 'multipart upload stopped'));
    const cleanup = (): void => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('close', onClose);
      o.abort.off('abort', onAbort);
      // An error after we stop listening must not become an uncaught exception.
      source.on('error', noop);
    };
    if (o.abort.aborted) {
      onAbort();
      return;
    }
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', onError);
    source.once('close', onClose);
    o.abort.once('abort', onAbort);
  });
}
