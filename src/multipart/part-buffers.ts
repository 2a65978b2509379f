/**
 * The part buffers of one upload, reused as parts finish: at most `concurrency` parts in flight
 * plus the one being filled, so memory stays at part size × (concurrency + 1) whatever the object
 * size, and a long upload does not churn through fresh multi-MiB buffers for the GC to find.
 */
export class PartBuffers {
  readonly #free: Buffer[] = [];
  readonly #keep: number;

  constructor(keep: number) {
    this.#keep = keep;
  }

  /** A buffer of exactly `size` bytes (contents undefined). */
  acquire(size: number): Buffer {
    while (this.#free.length > 0) {
      const buffer = this.#free.pop()!;
      // The schedule only grows: a smaller buffer will not be wanted again.
      if (buffer.length === size) return buffer;
    }
    return Buffer.allocUnsafeSlow(size);
  }

  release(buffer: Buffer): void {
    if (this.#free.length < this.#keep) this.#free.push(buffer);
  }
}
