import { writeSync } from 'node:fs';

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
}

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
  const minLength = options.minLength ?? 0;
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
    let buf = Buffer.from(text, 'utf8');
    let tries = 0;
    while (buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(fd, buf));
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
