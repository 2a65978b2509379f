import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignetError } from '../../../src/errors.js';
import { cutParts } from '../../../src/multipart/part-cutter.js';
import type { CutPart, CutterOptions } from '../../../src/multipart/part-cutter.js';
import { RequestAbort } from '../../../src/proxy/request-abort.js';
import { createRunningChecksum } from '../../../src/sigv4/trailer-checksum.js';
import type { ChecksumAlgorithm } from '../../../src/sigv4/trailer-checksum.js';

interface Seen {
  readonly parts: Array<{ n: number; bytes: Buffer; sha256: string; checksum: string }>;
  readonly data: Buffer[];
}

/** A body arriving in the given pieces, each after a turn of the event loop. */
function body(pieces: readonly Buffer[]): Readable {
  return Readable.from((async function* () {
    for (const p of pieces) {
      await new Promise((r) => setImmediate(r));
      yield p;
    }
  })());
}

function split(data: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = sizes.length === 0 ? data.length : sizes[i % sizes.length]!;
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** Options that copy each full part (the buffer is reused, as PartBuffers does) and settle `full` after `delay` turns. */
function recording(sizeOf: (n: number) => number, checksum: ChecksumAlgorithm | undefined, delay: number, abort = new RequestAbort()): { o: CutterOptions; seen: Seen } {
  const seen: Seen = { parts: [], data: [] };
  const pool: Buffer[] = [];
  const o: CutterOptions = {
    bufferFor: (n) => {
      const size = sizeOf(n);
      const reuse = pool.pop();
      return reuse !== undefined && reuse.length === size ? reuse : Buffer.alloc(size);
    },
    checksum,
    onData: (chunk) => seen.data.push(Buffer.from(chunk)),
    full: async (part: CutPart, n: number) => {
      expect(part.length).toBe(part.buffer.length);
      seen.parts.push({ n, bytes: Buffer.from(part.buffer.subarray(0, part.length)), sha256: part.sha256, checksum: part.checksum });
      for (let i = 0; i < delay; i++) await new Promise((r) => setImmediate(r));
      pool.push(part.buffer);
    },
    abort,
  };
  return { o, seen };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sum = (alg: ChecksumAlgorithm, b: Buffer): string => {
  const c = createRunningChecksum(alg);
  c.update(b);
  return c.digestBase64();
};

describe('cutParts', () => {
  it('cuts any body, however it arrives, into full parts and a last one that together are the body, each hashed', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.array(fc.integer({ min: 1, max: 70 }), { maxLength: 5 }),
      fc.integer({ min: 1, max: 40 }),
      fc.boolean(),
      fc.constantFrom(undefined, 'crc32' as const, 'crc32c' as const, 'sha1' as const, 'sha256' as const),
      fc.integer({ min: 0, max: 2 }),
      async (data, sizes, partSize, growing, checksum, delay) => {
        // `growing`: the unknown-length schedule, sizes that grow with n (here every 2 parts).
        const sizeOf = (n: number): number => (growing ? partSize * 2 ** Math.floor((n - 1) / 2) : partSize);
        const { o, seen } = recording(sizeOf, checksum, delay);
        const result = await cutParts(body(split(data, sizes)), o);
        expect(result.total).toBe(data.length);
        expect(Buffer.concat(seen.data).equals(data)).toBe(true);
        expect(seen.parts.map((p) => p.n)).toEqual(seen.parts.map((_, i) => i + 1));
        expect(result.lastNumber).toBe(seen.parts.length + 1);
        seen.parts.forEach((p) => {
          expect(p.bytes.length).toBe(sizeOf(p.n));
          expect(p.sha256).toBe(sha256(p.bytes));
          expect(p.checksum).toBe(checksum === undefined ? '' : sum(checksum, p.bytes));
        });
        const last = result.last.buffer.subarray(0, result.last.length);
        // A full part is handed on only when a byte follows it: the last part is never empty but for an empty body.
        if (data.length === 0) expect(result.last.length).toBe(0);
        else expect(result.last.length).toBeGreaterThan(0);
        expect(result.last.length).toBeLessThanOrEqual(sizeOf(result.lastNumber));
        expect(result.last.sha256).toBe(sha256(last));
        expect(Buffer.concat([...seen.parts.map((p) => p.bytes), last]).equals(data)).toBe(true);
      },
    ), { numRuns: 150 });
  });

  it('a body of exactly one part is handed back whole, never through full()', async () => {
    const { o, seen } = recording(() => 16, undefined, 0);
    const result = await cutParts(body([Buffer.alloc(10, 1), Buffer.alloc(6, 2)]), o);
    expect(seen.parts).toHaveLength(0);
    expect(result).toMatchObject({ lastNumber: 1, total: 16 });
    expect(result.last.length).toBe(16);
  });

  it('holds the body while a full part is being sent (backpressure), so at most one chunk waits in memory', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const source = new Readable({ read() {} });
    let settledFull = false;
    const done = cutParts(source, {
      bufferFor: () => Buffer.alloc(4),
      checksum: undefined,
      onData: () => undefined,
      full: async () => {
        await gate;
        settledFull = true;
      },
      abort: new RequestAbort(),
    });
    source.push(Buffer.alloc(6));
    await new Promise((r) => setImmediate(r));
    expect(source.isPaused()).toBe(true);
    expect(settledFull).toBe(false);
    release();
    source.push(null);
    expect((await done).total).toBe(6);
  });

  it('a failing part stops the cut with that error, and leaves the body paused, not destroyed', async () => {
    const source = new Readable({ read() {} });
    const failure = new Error('part 1 failed');
    const done = cutParts(source, {
      bufferFor: () => Buffer.alloc(4), checksum: undefined, onData: () => undefined,
      full: () => Promise.reject(failure), abort: new RequestAbort(),
    });
    source.push(Buffer.alloc(5));
    await expect(done).rejects.toBe(failure);
    expect(source.isPaused()).toBe(true);
    expect(source.destroyed).toBe(false);
  });

  it('a client that goes away before the end is ClientClosedRequest (499), an abort a RequestTimeout', async () => {
    const gone = new Readable({ read() {} });
    const cut = cutParts(gone, recording(() => 8, undefined, 0).o);
    gone.push(Buffer.alloc(3));
    gone.destroy();
    await expect(cut).rejects.toSatisfy((e) => e instanceof SignetError && e.code === 'ClientClosedRequest');

    const abort = new RequestAbort();
    const open = new Readable({ read() {} });
    const stopped = cutParts(open, recording(() => 8, undefined, 0, abort).o);
    open.push(Buffer.alloc(3));
    abort.abort();
    await expect(stopped).rejects.toSatisfy((e) => e instanceof SignetError && e.code === 'RequestTimeout');

    const already = new RequestAbort();
    already.abort();
    await expect(cutParts(new Readable({ read() {} }), recording(() => 8, undefined, 0, already).o)).rejects.toBeInstanceOf(SignetError);
  });
});
