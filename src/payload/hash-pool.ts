import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChunkHasher, ChunkHashed } from '../sigv4/aws-chunked-encoder.js';

/**
 * SHA-256 of aws-chunked chunks on worker threads, for signed streaming uploads.
 *
 * Why: one core does the socket work of an upload (~1 s per GiB here) and its SHA-256 (~0.5 s per
 * GiB), so signed streaming tops out near 1/(1/pipe + 1/sha) ≈ 0.67 of an unsigned pipe. With a
 * spare core the hashing can run beside the event loop.
 *
 * How: each finished chunk is copied into a ring of shared memory of its upload (a memcpy, ~4 µs
 * per 64 KiB against ~32 µs to hash it) and the worker is told in batches of about 512 KiB (one
 * message per batch: a message costs tens of µs, one per 64 KiB chunk cost more than the hashing
 * saved); it answers with the digests, and the encoder signs and sends the chunks in order. The
 * client's buffers never leave the event loop's thread: moving them (transfer) and back made
 * garbage collection and message passing cost more than the hashing (measured, bench/RESULTS.md).
 * Per upload at most `inFlightBytes` wait at the hasher; past that the encoder hashes the chunk
 * itself, so when the hasher's core is busy the event loop takes the work back instead of waiting.
 *
 * When: only where a spare core exists — `spareCores()` > 0 (affinity and the cgroup CPU quota, so
 * a container limited to one CPU hashes inline). A worker that dies fails the uploads it was
 * hashing (their requests end with an error, never a wrong signature), and the pool hashes inline
 * for `cooldownMs` before it starts a new worker.
 */

// Plain CommonJS run with `eval: true`: no file to resolve next to the compiled module (the same
// source runs from dist/, from tests on src/, and from a bundle).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const rings = new Map();
parentPort.on('message', (m) => {
  if (m.ring !== undefined) return void rings.set(m.channel, m.ring);
  if (m.ranges === undefined) return void rings.delete(m.channel);
  const ring = rings.get(m.channel);
  const digests = [];
  for (let i = 0; i < m.ranges.length; i += 3) {
    const h = createHash('sha256');
    h.update(new Uint8Array(ring, m.ranges[i], m.ranges[i + 1]));
    if (m.ranges[i + 2] > 0) h.update(new Uint8Array(ring, 0, m.ranges[i + 2]));
    digests.push(h.digest('hex'));
  }
  parentPort.postMessage({ channel: m.channel, digests });
});
`;

/** CPUs this process may use beyond the event loop's: affinity (availableParallelism) and the cgroup v2 quota. */
export function spareCores(cgroupCpuMax = '/sys/fs/cgroup/cpu.max'): number {
  let cores = availableParallelism();
  try {
    // "max 100000" (no limit) or "<quota> <period>": a Kubernetes limits.cpu of 1 gives 100000 100000.
    const [quota, period] = readFileSync(cgroupCpuMax, 'utf8').trim().split(/\s+/);
    if (quota !== undefined && quota !== 'max' && Number(period) > 0) cores = Math.min(cores, Math.max(1, Math.floor(Number(quota) / Number(period))));
  } catch {
    // no cgroup v2 file: affinity alone decides
  }
  return cores - 1;
}

export interface HashPoolOptions {
  /** Worker threads at most (started on first use). */
  readonly threads: number;
  /** Bytes one upload may have waiting at the hasher (its ring of shared memory); past it, the event loop hashes. Default 2 MiB. */
  readonly inFlightBytes?: number;
  /** After a worker died: how long uploads hash inline before a new worker is tried. Default 30 s. */
  readonly cooldownMs?: number;
  /** Replaces the worker's code (tests: a worker that dies). */
  readonly workerSource?: string;
  readonly now?: () => number;
  /** A worker died (metrics, logs). */
  readonly onWorkerFailed?: (err: Error) => void;
}

/** Chunks told to the worker in one message: [offset, length, wrapped length] per chunk. */
interface Batch {
  readonly ranges: number[];
  readonly done: Array<(r: ChunkHashed) => void>;
  readonly pieces: Buffer[][];
  /** Ring bytes it holds, the unused tail it skipped included. */
  cost: number;
}

const DEFAULT_IN_FLIGHT = 2 * 1024 * 1024;
/** A batch goes when it holds this much, or when nothing else would send it (below). */
const MIN_BATCH = 512 * 1024;
/** Uploads one hashing thread serves at once: one keeps it about as busy as the event loop. */
const UPLOADS_PER_THREAD = 2;
/** A partial batch waits at most this long for more chunks (a client that slows down). */
const BATCH_WAIT_MS = 2;

class PoolWorker {
  readonly worker: Worker;
  readonly channels = new Map<number, Channel>();
  alive = true;
  /** Settles once the thread runs (or failed to start). */
  readonly online: Promise<void>;

  constructor(source: string, private readonly onDeath: (w: PoolWorker, err: Error) => void) {
    this.worker = new Worker(source, { eval: true });
    this.online = new Promise((resolve) => {
      this.worker.once('online', resolve);
      this.worker.once('exit', () => resolve());
    });
    // Idle hashers must not keep the process alive (signet exits when its listeners close).
    this.worker.unref();
    this.worker.on('message', (m: { channel: number; digests: string[] }) => {
      this.channels.get(m.channel)?.answered(m.digests);
    });
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('exit', (code) => this.die(new Error(`hash worker exited with code ${code}`)));
  }

  private die(err: Error): void {
    if (!this.alive) return;
    this.alive = false;
    this.onDeath(this, err);
    for (const channel of [...this.channels.values()]) channel.failed(err);
    this.channels.clear();
  }
}

let nextChannel = 0;

const emptyBatch = (): Batch => ({ ranges: [], done: [], pieces: [], cost: 0 });

/** One upload's way to the hasher: its ring, batches in order, answers in order (one worker, FIFO). */
class Channel implements ChunkHasher {
  readonly id = ++nextChannel;
  private readonly ring: SharedArrayBuffer;
  private readonly bytes: Uint8Array;
  private tail = 0;
  private used = 0;
  private pending: Batch = emptyBatch();
  private readonly away: Batch[] = [];
  private timer: NodeJS.Timeout | null = null;
  private error: Error | null = null;
  private released = false;

  constructor(private readonly owner: PoolWorker, size: number) {
    this.ring = new SharedArrayBuffer(size);
    this.bytes = new Uint8Array(this.ring);
    owner.channels.set(this.id, this);
    // The ring is handed over once; batches then name only their ranges.
    owner.worker.postMessage({ channel: this.id, ring: this.ring });
  }

  hasRoom(length: number): boolean {
    if (this.error !== null || this.released || !this.owner.alive) return false;
    const size = this.ring.byteLength;
    if (length > size / 2) return false;
    return this.used + length <= size;
  }

  submit(pieces: Buffer[], done: (r: ChunkHashed) => void): void {
    const size = this.ring.byteLength;
    const start = this.tail;
    let at = start;
    let length = 0;
    for (const piece of pieces) {
      // Copied in, wrapping round the end of the ring (the worker hashes the two ranges in turn).
      const first = Math.min(piece.length, size - at);
      this.bytes.set(first === piece.length ? piece : piece.subarray(0, first), at);
      if (first < piece.length) {
        this.bytes.set(piece.subarray(first), 0);
        at = piece.length - first;
      } else {
        at += first;
        if (at === size) at = 0;
      }
      length += piece.length;
    }
    const wrapped = length - Math.min(length, size - start);
    this.tail = (start + length) % size;
    this.used += length;
    const p = this.pending;
    p.ranges.push(start, length - wrapped, wrapped);
    p.done.push(done);
    p.pieces.push(pieces);
    p.cost += length;
    if (p.cost >= MIN_BATCH) this.post();
    else if (this.timer === null) this.timer = setTimeout(this.flushPartial, BATCH_WAIT_MS);
  }

  private readonly flushPartial = (): void => {
    this.timer = null;
    this.post();
  };

  private post(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    if (batch.done.length === 0 || this.error !== null || this.released) return;
    this.pending = emptyBatch();
    this.away.push(batch);
    this.owner.worker.postMessage({ channel: this.id, ranges: batch.ranges });
  }

  answered(digests: string[]): void {
    const batch = this.away.shift();
    if (batch === undefined) return;
    this.used -= batch.cost;
    if (this.released) return;
    for (let i = 0; i < digests.length; i++) batch.done[i]!({ error: null, digest: digests[i]!, pieces: batch.pieces[i]! });
  }

  failed(err: Error): void {
    if (this.error !== null) return;
    this.error = err;
    this.owner.channels.delete(this.id);
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.released) return;
    const waiting = [...this.away, this.pending];
    this.away.length = 0;
    this.pending = emptyBatch();
    for (const batch of waiting) for (const done of batch.done) done({ error: err, digest: '', pieces: [] });
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.owner.channels.delete(this.id);
    if (this.owner.alive) this.owner.worker.postMessage({ channel: this.id });
  }
}

export class HashPool {
  private readonly workers: PoolWorker[] = [];
  private disabledUntil = 0;
  private closed = false;
  private readonly o: HashPoolOptions;

  constructor(o: HashPoolOptions) {
    this.o = o;
  }

  /**
   * Starts the first worker now rather than on the first upload, and waits until it runs: its
   * thread and descriptors are then part of the process from the start (a fixed cost, not
   * something that appears under load and looks like a leak).
   */
  async start(): Promise<this> {
    if (!this.closed && this.o.threads >= 1 && this.workers.length === 0) await this.spawn()?.online;
    return this;
  }

  private spawn(): PoolWorker | undefined {
    try {
      const w = new PoolWorker(this.o.workerSource ?? WORKER_SOURCE, (dead, err) => this.died(dead, err));
      this.workers.push(w);
      return w;
    } catch {
      return undefined;
    }
  }

  /** A hasher for one upload, or undefined: hash on the event loop (no spare core, a recent crash, closed). */
  forUpload(): ChunkHasher | undefined {
    if (this.closed || this.o.threads < 1) return undefined;
    const now = (this.o.now ?? Date.now)();
    if (now < this.disabledUntil) return undefined;
    // Bounded: each upload at the hasher holds a ring; more uploads than this hash inline.
    let channels = 0;
    for (const w of this.workers) channels += w.channels.size;
    if (channels >= this.o.threads * UPLOADS_PER_THREAD) return undefined;
    // The least busy worker, or a new one while there are fewer than `threads`.
    let best: PoolWorker | undefined;
    for (const w of this.workers) if (best === undefined || w.channels.size < best.channels.size) best = w;
    if (best === undefined || (best.channels.size > 0 && this.workers.length < this.o.threads)) {
      best = this.spawn() ?? best;
      if (best === undefined) return undefined;
    }
    return new Channel(best, this.o.inFlightBytes ?? DEFAULT_IN_FLIGHT);
  }

  /** Workers running now (for tests and the metrics of whoever asks). */
  get size(): number {
    return this.workers.length;
  }

  private died(w: PoolWorker, err: Error): void {
    const at = this.workers.indexOf(w);
    if (at !== -1) this.workers.splice(at, 1);
    if (this.closed) return;
    this.disabledUntil = (this.o.now ?? Date.now)() + (this.o.cooldownMs ?? 30_000);
    this.o.onWorkerFailed?.(err);
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
