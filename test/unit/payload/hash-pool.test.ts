import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HashPool, spareCores } from '../../../src/payload/hash-pool.js';
import { createAwsChunkedEncoder } from '../../../src/sigv4/aws-chunked-encoder.js';
import type { ChunkHashed, ChunkHasher } from '../../../src/sigv4/aws-chunked-encoder.js';
import { run, split, streamingBody, streamingContext, trailerBody, trailerContext, vectorObject } from '../sigv4/aws-chunked-fixtures.js';

const pools: HashPool[] = [];
/** A pool on an idle machine (load average 0) unless the test says otherwise. */
function pool(o: ConstructorParameters<typeof HashPool>[0]): HashPool {
  const p = new HashPool({ loadAverage: () => 0, ...o });
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** Answers out of phase with the writes (a few macrotasks later), refusing every `refuseEvery`th chunk. */
function slowHasher(refuseEvery: number): ChunkHasher & { taken: number } {
  let offered = 0;
  const h = {
    taken: 0,
    hasRoom: () => ++offered % refuseEvery !== 0,
    submit(pieces: Buffer[], done: (r: ChunkHashed) => void): void {
      h.taken++;
      const hash = createHash('sha256');
      for (const p of pieces) hash.update(p);
      const digest = hash.digest('hex');
      setTimeout(() => done({ error: null, digest, pieces }), offered % 3);
    },
    release: () => undefined,
  };
  return h;
}

describe('the aws-chunked encoder with a hasher', () => {
  it('still produces the published signed and signed-trailer bodies byte for byte, on the hashing thread', async () => {
    const p = pool({ threads: 1 });
    for (const sizes of [[vectorObject.length], [1000], [1, 7, 4096]]) {
      const out = await run(createAwsChunkedEncoder({ mode: 'signed', decodedLength: 66560, signed: streamingContext, hasher: p.forUpload() }), split(vectorObject, sizes));
      expect(out.equals(streamingBody)).toBe(true);
    }
    const trailer = await run(createAwsChunkedEncoder({
      mode: 'signed-trailer', decodedLength: 66560, trailer: 'crc32c', signed: trailerContext, hasher: p.forUpload(),
    }), split(vectorObject, [3000]));
    expect(trailer.toString('latin1')).toBe(trailerBody.toString('latin1'));
  });

  it('gives the same bytes as inline hashing for any body, split and hasher that answers late or refuses', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: 40_000 }), fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 2, max: 5 }),
      async (length, sizes, refuseEvery) => {
        const data = Buffer.from(Array.from({ length }, (_, i) => (i * 7 + length) & 0xff));
        const layout = { mode: 'signed' as const, decodedLength: length, chunkSize: 8192, signed: streamingContext };
        const inline = await run(createAwsChunkedEncoder(layout), split(data, sizes));
        const hasher = slowHasher(refuseEvery);
        const offloaded = await run(createAwsChunkedEncoder({ ...layout, hasher }), split(data, sizes));
        expect(offloaded.equals(inline)).toBe(true);
      },
    ), { numRuns: 60 });
  });

  it('gives the same bytes through the real hashing thread, across the wrap of its ring', async () => {
    // A ring of 64 KiB and 8 KiB chunks: the ring wraps many times, chunks straddle its end.
    const p = pool({ threads: 1, inFlightBytes: 64 * 1024 });
    const data = Buffer.from(Array.from({ length: 1_000_003 }, (_, i) => (i * 13) & 0xff));
    const layout = { mode: 'signed' as const, decodedLength: data.length, chunkSize: 8192 + 100, signed: streamingContext };
    const inline = await run(createAwsChunkedEncoder(layout), split(data, [4999, 70_000, 123]));
    const offloaded = await run(createAwsChunkedEncoder({ ...layout, hasher: p.forUpload() }), split(data, [4999, 70_000, 123]));
    expect(offloaded.equals(inline)).toBe(true);
  });

  it('fails the upload, not the process, when the hasher reports an error', async () => {
    const failing: ChunkHasher = {
      hasRoom: () => true,
      submit: (_pieces, done) => setImmediate(() => done({ error: new Error('hasher gone'), digest: '', pieces: [] })),
      release: () => undefined,
    };
    const encoder = createAwsChunkedEncoder({ mode: 'signed', decodedLength: 20_000, chunkSize: 8192, signed: streamingContext, hasher: failing });
    await expect(run(encoder, [Buffer.alloc(20_000)])).rejects.toThrow('hasher gone');
  });
});

describe('HashPool', () => {
  it('keeps the process alive until its thread runs: start() awaited before anything listens resolves', async () => {
    // The thread is unref'd once online; unref'd from the start, a process whose only pending work
    // was this start() had an empty event loop and exited 0 at once, silently (signet serve did).
    const pool = fileURLToPath(new URL('../../../src/payload/hash-pool.ts', import.meta.url));
    const script = `const { HashPool } = await import(${JSON.stringify(pool)}); await new HashPool({ threads: 1 }).start(); console.log('started');`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    expect(out.trim()).toBe('started');
  }, 30_000);

  it('a worker that dies fails the uploads it had, then uploads hash inline until the cooldown is over', async () => {
    let now = 1_000;
    const failures: string[] = [];
    // A worker that dies as soon as it is given a chunk to hash (same protocol as the real one).
    const p = pool({ threads: 1, cooldownMs: 30_000, now: () => now, onWorkerFailed: (e) => failures.push(e.message), workerSource: `
      const { workerData, receiveMessageOnPort } = require('node:worker_threads');
      const bell = new Int32Array(workerData.doorbell);
      const ctrls = [];
      for (;;) {
        const rung = Atomics.load(bell, 0);
        for (let m = receiveMessageOnPort(workerData.port); m; m = receiveMessageOnPort(workerData.port)) if (m.message.ctrl) ctrls.push(new Int32Array(m.message.ctrl));
        if (ctrls.some((c) => Atomics.load(c, 0) > 0)) process.exit(7);
        Atomics.wait(bell, 0, rung, 50);
      }` });
    const hasher = p.forUpload();
    expect(hasher).toBeDefined();
    const encoder = createAwsChunkedEncoder({ mode: 'signed', decodedLength: 600_000, chunkSize: 65536, signed: streamingContext, hasher });
    await expect(run(encoder, [Buffer.alloc(600_000)])).rejects.toThrow(/exited with code 7/);
    expect(failures).toEqual(['hash worker exited with code 7']);
    expect(p.size).toBe(0);
    // Within the cooldown: no hasher, the encoder hashes inline and the body is right.
    now += 29_000;
    expect(p.forUpload()).toBeUndefined();
    const inline = await run(createAwsChunkedEncoder({ mode: 'signed', decodedLength: 66560, signed: streamingContext, hasher: p.forUpload() }), [vectorObject]);
    expect(inline.equals(streamingBody)).toBe(true);
    // After it, a new worker is tried.
    now += 2_000;
    expect(p.forUpload()).toBeDefined();
    expect(p.size).toBe(1);
  });

  it('serves a bounded number of uploads at once (two per thread); the others hash inline', () => {
    const p = pool({ threads: 1 });
    const a = p.forUpload();
    const b = p.forUpload();
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(p.forUpload()).toBeUndefined();
    a!.release();
    expect(p.forUpload()).toBeDefined();
  });

  it('hands out nothing with no thread to spare, or once closed', async () => {
    expect(pool({ threads: 0 }).forUpload()).toBeUndefined();
    const p = pool({ threads: 1 });
    await p.close();
    expect(p.forUpload()).toBeUndefined();
  });

  it('keeps no more than its ring in flight: past it, hasRoom says no', () => {
    const p = pool({ threads: 1, inFlightBytes: 64 * 1024 });
    const h = p.forUpload()!;
    expect(h.hasRoom(40 * 1024)).toBe(false); // more than half the ring: never
    expect(h.hasRoom(16 * 1024)).toBe(true);
    h.submit([Buffer.alloc(16 * 1024)], () => undefined);
    h.submit([Buffer.alloc(16 * 1024)], () => undefined);
    h.submit([Buffer.alloc(16 * 1024)], () => undefined);
    expect(h.hasRoom(16 * 1024)).toBe(true);
    h.submit([Buffer.alloc(16 * 1024)], () => undefined);
    expect(h.hasRoom(1)).toBe(false);
    h.release();
  });
});

describe('HashPool on a saturated machine (--hash-offload auto)', () => {
  it('hashes inline unless the load average leaves a CPU idle (at most the CPUs less one), unless told `on`', async () => {
    const { availableParallelism } = await import('node:os');
    let load = availableParallelism() - 0.9;
    const p = pool({ threads: 1, loadAverage: () => load });
    expect(p.forUpload()).toBeUndefined();
    load = availableParallelism() - 1;
    const h = p.forUpload();
    expect(h).toBeDefined();
    h!.release();
    load = 100;
    const forced = pool({ threads: 1, loadAverage: () => load, adaptive: false });
    expect(forced.forUpload()).toBeDefined();
  });

  it('after an upload that found the hasher full for most of its chunks, hashes inline for the cooldown', () => {
    let now = 0;
    const p = pool({ threads: 1, inFlightBytes: 64 * 1024, cooldownMs: 30_000, now: () => now });
    const h = p.forUpload()!;
    // 40 chunks offered, the ring full from the 5th on: the event loop hashed most of them.
    for (let i = 0; i < 40; i++) if (h.hasRoom(16 * 1024)) h.submit([Buffer.alloc(16 * 1024)], () => undefined);
    h.release();
    expect(p.forUpload()).toBeUndefined();
    now += 30_001;
    const again = p.forUpload();
    expect(again).toBeDefined();
    // An upload that kept up (or too short to judge) changes nothing.
    again!.hasRoom(1);
    again!.release();
    expect(p.forUpload()).toBeDefined();
  });
});

describe('spareCores', () => {
  it('reads a cgroup v2 CPU quota: one CPU leaves none to spare, no limit leaves the affinity', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/cpumax-`);
    writeFileSync(`${dir}/one`, '100000 100000\n');
    writeFileSync(`${dir}/none`, 'max 100000\n');
    writeFileSync(`${dir}/half`, '50000 100000\n');
    expect(spareCores(`${dir}/one`)).toBe(0);
    expect(spareCores(`${dir}/half`)).toBe(0);
    const { availableParallelism } = await import('node:os');
    expect(spareCores(`${dir}/none`)).toBe(availableParallelism() - 1);
    expect(spareCores(`${dir}/missing`)).toBe(availableParallelism() - 1);
  });
});
