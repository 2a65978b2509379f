import { writeSync as fsWriteSync } from 'node:fs';

/** A pino-compatible destination that can also be flushed, and never blocks shutdown. */
export interface LineSink {
  write(line: string): void;
  flushSync(): void;
  /** Lines dropped because the fd could not take them (the reader went away). */
  readonly dropped: number;
}

export interface LineSinkOptions {
  readonly fd?: number;
  /** Buffer up to this many bytes before a write(2); 0 writes every line at once. */
  readonly minLength?: number;
  /** fs.writeSync; tests pass a recorder. */
  readonly writeSync?: (fd: number, buf: Buffer) => number;
}

/**
 * PIPE_BUF on Linux: a write(2) of at most this many bytes to a pipe lands whole, never
 * interleaved with another process's. Worker processes (--workers) share stdout, so no write
 * carries more than this, and every write ends at a line end: their lines never mix mid-line.
 */
export const ATOMIC_WRITE_BYTES = 4096;

// A pipe whose reader is slow answers EAGAIN; a short wait, a bounded number of times.
const EAGAIN_WAIT_MS = 10;
const EAGAIN_TRIES = 100;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Synchronous line writer for stdout. It exists because sonic-boom's flushSync (pino.destination)
 * retries every write error forever, EPIPE included, so with stdout on a pipe whose reader has
 * gone, a flush at shutdown spun the main thread for good and SIGTERM never ended the process. A
 * destination that cannot be written is given up on: its lines are counted and dropped, never
 * retried, never thrown.
 */
export function createLineSink(options: LineSinkOptions = {}): LineSink {
  const fd = options.fd ?? 1;
  const minLength = Math.min(options.minLength ?? 0, ATOMIC_WRITE_BYTES);
  const writeSync = options.writeSync ?? fsWriteSync;
  let pending = '';
  let pendingLines = 0;
  let broken = false;
  let dropped = 0;

  const writeOut = (): void => {
    const text = pending;
    const lines = pendingLines;
    pending = '';
    pendingLines = 0;
    if (broken) {
      dropped += lines;
      return;
    }
    const all = Buffer.from(text, 'utf8');
    let tries = 0;
    for (let start = 0; start < all.length;) {
      const end = pieceEnd(all, start);
      try {
        // A short write to a pipe only happens above PIPE_BUF (a single overlong line): finish it.
        start += writeSync(fd, all.subarray(start, end));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN' && ++tries <= EAGAIN_TRIES) {
          Atomics.wait(sleeper, 0, 0, EAGAIN_WAIT_MS);
          continue;
        }
        // EPIPE, EBADF, a reader stuck for a second: this fd is lost to us.
        broken = true;
        dropped += lines;
        return;
      }
    }
  };

  return {
    write(line: string): void {
      // Characters never outnumber bytes: a batch kept under the limit in characters is mostly
      // under it in bytes too, and pieceEnd() splits the rest at line ends.
      if (pending.length > 0 && pending.length + line.length > ATOMIC_WRITE_BYTES) writeOut();
      pending += line;
      pendingLines++;
      if (pending.length >= minLength) writeOut();
    },
    flushSync(): void {
      if (pending.length > 0) writeOut();
    },
    get dropped() {
      return dropped;
    },
  };
}

/** Where the write starting at `start` ends: the last line end within PIPE_BUF, or the end of one overlong line. */
function pieceEnd(all: Buffer, start: number): number {
  if (all.length - start <= ATOMIC_WRITE_BYTES) return all.length;
  const cut = all.lastIndexOf(0x0a, start + ATOMIC_WRITE_BYTES - 1);
  if (cut >= start) return cut + 1;
  const next = all.indexOf(0x0a, start + ATOMIC_WRITE_BYTES);
  return next === -1 ? all.length : next + 1;
}
