import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SignetError } from '../errors.js';

export interface SpoolOptions {
  readonly dir: string;
  /** Bytes kept in memory before the spool moves to a temp file. */
  readonly memoryLimit: number;
  /** Hard cap: past it the request fails with 413 EntityTooLarge. */
  readonly maxBytes: number;
  /** Called with +n / -n as spooled bytes come and go (the signet_spool_bytes gauge). */
  readonly onBytes?: (delta: number) => void;
}

/**
 * Holds a body of unknown length: memory first, then a temp file (mode 0600), hashing as it goes,
 * so the length and SHA-256 are known before the upstream request starts. The spool can be read
 * any number of times (retries); `dispose()` removes the file on every path.
 */
export class Spool {
  readonly #options: SpoolOptions;
  readonly #memory: Buffer[] = [];
  #memoryBytes = 0;
  #file: FileHandle | null = null;
  #path: string | null = null;
  #length = 0;
  #sha256 = '';
  #disposed = false;

  constructor(options: SpoolOptions) {
    this.#options = options;
  }

  get length(): number {
    return this.#length;
  }
  get sha256(): string {
    return this.#sha256;
  }
  get onDisk(): boolean {
    return this.#path !== null;
  }

  /** Reads `source` to its end; rejects with EntityTooLarge past maxBytes. */
  async fill(source: AsyncIterable<Buffer>): Promise<void> {
    const hash = createHash('sha256');
    const { memoryLimit, maxBytes, onBytes } = this.#options;
    for await (const chunk of source) {
      if (this.#length + chunk.length > maxBytes) {
        throw new SignetError('EntityTooLarge', `spooled body exceeds --max-spool (${maxBytes} bytes)`);
      }
      hash.update(chunk);
      this.#length += chunk.length;
      onBytes?.(chunk.length);
      if (this.#file === null && this.#memoryBytes + chunk.length <= memoryLimit) {
        this.#memory.push(chunk);
        this.#memoryBytes += chunk.length;
        continue;
      }
      await this.#toFile(chunk);
    }
    if (this.#file !== null) {
      await this.#file.close();
      this.#file = null;
    }
    this.#sha256 = hash.digest('hex');
  }

  async #toFile(chunk: Buffer): Promise<void> {
    try {
      if (this.#file === null) {
        const path = join(this.#options.dir, `signet-${process.pid}-${randomBytes(8).toString('hex')}.spool`);
        this.#file = await open(path, 'wx', 0o600);
        this.#path = path;
      }
      await this.#file.write(chunk);
    } catch (err) {
      // The directory gone, turned read-only or full is the operator's to fix, and the client's to
      // retry later: 503, not 500. The reason (logged as a warning) names the path and the errno.
      const code = (err as { code?: string }).code ?? 'unknown';
      throw new SignetError('SpoolUnavailable', `spool: cannot write ${this.#path ?? this.#options.dir}: ${code}`);
    }
  }

  /** A fresh stream over the whole body. */
  open(): Readable {
    const memory = this.#memory;
    const path = this.#path;
    return Readable.from(
      (async function* () {
        for (const chunk of memory) yield chunk;
        if (path !== null) for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
      })(),
      { objectMode: false },
    );
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#options.onBytes?.(-this.#length);
    this.#memory.length = 0;
    if (this.#file !== null) await this.#file.close().catch(() => undefined);
    if (this.#path !== null) await unlink(this.#path).catch(() => undefined);
  }
}
