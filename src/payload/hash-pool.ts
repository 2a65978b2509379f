import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { ChunkHasher, ChunkHashed } from '../sigv4/aws-chunked-encoder.js';

/**
 * SHA-256 of aws-chunked chunks on worker threads, for signed streaming uploads.
 *
 * Why: one core does the socket work of an upload (~1 s per GiB here) and its SHA-256 (~0.5 s per
 * GiB), so signed streaming tops out near 1/(1/pipe + 1/sha) ≈ 0.67 of an unsigned pipe. With a
 * spare core the hashing can run beside the event loop.
 *
 * How: each finished chunk is copied into a ring of shared memory of its upload (a memcpy, ~4 µs
 * per 64 KiB against ~32 µs to hash it); the worker, asleep on a doorbell (Atomics.wait), hashes
 * it there and writes the digest beside it; the event loop learns of finished chunks through
 * counters in shared memory (Atomics.waitAsync), and the encoder signs and sends them in order.
 * No message per chunk and no buffer moved between threads: both were tried first, and the
 * messages (tens of µs each on a busy machine), the transfers and the garbage they made cost the
 * event loop about what the hashing saved (bench/RESULTS.md).
 * Per upload at most `inFlightBytes` wait at the hasher; past that the encoder hashes the chunk
 * itself, so when the hasher's core is busy the event loop takes the work back instead of waiting.
 *
 * When: only where a spare core exists and is not taken. Spare: `spareCores()` > 0 (affinity and
 * the cgroup CPU quota, so a container limited to one CPU hashes inline). Not taken: the 1-minute
 * load average leaves a CPU idle (at most the CPUs less one), and the last upload that went to the hasher did not find
 * it full for most of its chunks (else uploads hash inline for `cooldownMs`). A worker that dies fails the uploads it was hashing (their requests end with an
 * error, never a wrong signature), and the pool hashes inline for `cooldownMs` before it starts a
 * new worker.
 */

// Plain CommonJS run with `eval: true`: no file to resolve next to the compiled module (the same
// source runs from dist/, from tests on src/, and from a bundle). The thread sleeps on its doorbell
// (Atomics.wait) and hashes whatever its uploads have submitted; uploads register over a port it
// reads synchronously between rounds.
/** Chunks an upload can have at the hasher at once (its slot table). */
const SLOTS = 64;
/** How long an idle hashing thread keeps looking for work before it sleeps. */
const SPIN_MS = 1;

const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { port, doorbell } = workerData;
const bell = new Int32Array(doorbell);
const channels = new Map();
for (;;) {
  const rung = Atomics.load(bell, 0);
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const c = m.message;
    if (c.ring === undefined) { channels.delete(c.id); continue; }
    channels.set(c.id, { ring: c.ring, ctrl: new Int32Array(c.ctrl), slots: new Int32Array(c.slots), digests: new Uint8Array(c.digests), done: 0 });
  }
  let worked = false;
  for (const ch of channels.values()) {
    const submitted = Atomics.load(ch.ctrl, 0);
    while (ch.done < submitted) {
      const slot = ch.done % ${SLOTS};
      const h = createHash('sha256');
      h.update(new Uint8Array(ch.ring, ch.slots[3 * slot], ch.slots[3 * slot + 1]));
      if (ch.slots[3 * slot + 2] > 0) h.update(new Uint8Array(ch.ring, 0, ch.slots[3 * slot + 2]));
      ch.digests.set(h.digest(), 32 * slot);
      ch.done++;
      Atomics.store(ch.ctrl, 1, ch.done);
      Atomics.notify(ch.ctrl, 1);
      worked = true;
    }
  }
  if (worked) continue;
  // Nothing to do: look again for a moment before sleeping (a steady upload brings a chunk every
  // ~100 µs, and a wake-up through the kernel costs the event loop more than this costs the
  // spare core), then sleep with the flag up so that the event loop knows to wake us.
  const until = Date.now() + ${SPIN_MS};
  while (Atomics.load(bell, 0) === rung && Date.now() < until);
  if (Atomics.load(bell, 0) !== rung) continue;
  Atomics.store(bell, 1, 1);
  Atomics.wait(bell, 0, rung, 1000);
  Atomics.store(bell, 1, 0);
}
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
  /** false (--hash-offload on): use the threads whatever the load; they are still bounded, and full means inline. */
  readonly adaptive?: boolean;
  /** The 1-minute load average (os.loadavg()[0]); injected in tests. */
  readonly loadAverage?: () => number;
  /** Replaces the worker's code (tests: a worker that dies). */
  readonly workerSource?: string;
  readonly now?: () => number;
  /** A worker died (metrics, logs). */
  readonly onWorkerFailed?: (err: Error) => void;
}

const DEFAULT_IN_FLIGHT = 2 * 1024 * 1024;
/** Uploads shorter than this many chunks say nothing about whether the hasher keeps up. */
const MIN_JUDGED_CHUNKS = 32;
const defaultLoad = (): number => loadavg()[0] ?? 0;
/** Uploads one hashing thread serves at once: one keeps it about as busy as the event loop. */
const UPLOADS_PER_THREAD = 2;

class PoolWorker {
  readonly worker: Worker;
  readonly channels = new Map<number, Channel>();
  readonly port: MessagePort;
  private readonly bell: Int32Array;
  alive = true;
  /** Settles once the thread runs (or failed to start). */
  readonly online: Promise<void>;

  constructor(source: string, private readonly onDeath: (w: PoolWorker, err: Error) => void) {
    const { port1, port2 } = new MessageChannel();
    // [0] rung by the event loop on new work; [1] 1 while the thread sleeps (only then is it woken).
    const doorbell = new SharedArrayBuffer(8);
    this.bell = new Int32Array(doorbell);
    this.port = port1;
    // The port only ever carries registrations out; it must not hold the event loop open.
    port1.unref();
    this.worker = new Worker(source, { eval: true, workerData: { port: port2, doorbell }, transferList: [port2] });
    // Idle hashers must not keep the process alive (signet exits when its listeners close), but
    // until it runs the thread is held: a start() awaited before anything listens would otherwise
    // leave the event loop empty, and Node would exit silently with the promise unsettled.
    this.online = new Promise((resolve) => {
      this.worker.once('online', () => {
        this.worker.unref();
        resolve();
      });
      this.worker.once('exit', () => resolve());
    });
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('exit', (code) => this.die(new Error(`hash worker exited with code ${code}`)));
  }

  /** There is new work (or a registration) for the thread; woken through the kernel only if it sleeps. */
  ring(): void {
    Atomics.add(this.bell, 0, 1);
    if (Atomics.load(this.bell, 1) === 1) Atomics.notify(this.bell, 0);
  }

  private die(err: Error): void {
    if (!this.alive) return;
    this.alive = false;
    this.port.close();
    this.onDeath(this, err);
    for (const channel of [...this.channels.values()]) channel.failed(err);
    this.channels.clear();
  }
}

// Atomics.waitAsync (ES2024; in V8 since Node 16), typed here because the project's lib is older.
type WaitAsyncResult = { readonly async: false; readonly value: string } | { readonly async: true; readonly value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number): WaitAsyncResult }).waitAsync.bind(Atomics);

let nextChannel = 0;

/** A submitted chunk awaiting its digest. */
interface Waiting {
  readonly done: (r: ChunkHashed) => void;
  readonly pieces: Buffer[];
  readonly length: number;
}

/**
 * One upload's way to the hasher: a ring of shared memory for the data, a table of slots naming
 * each chunk's range, the digests, and two counters (submitted, done). No message per chunk: the
 * event loop bumps `submitted` and rings the worker's doorbell; the worker bumps `done`, and the
 * event loop learns of it through one Atomics.waitAsync at a time.
 */
class Channel implements ChunkHasher {
  readonly id = ++nextChannel;
  private readonly ring: SharedArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly ctrl: Int32Array;
  private readonly slots: Int32Array;
  private readonly digests: Uint8Array;
  private tail = 0;
  private used = 0;
  private submitted = 0;
  private acked = 0;
  private readonly waiting: Waiting[] = [];
  private watching = false;
  private error: Error | null = null;
  private released = false;

  /** Chunks offered, and those the hasher had no room for (the event loop hashed them itself). */
  private offered = 0;
  private refused = 0;

  constructor(private readonly owner: PoolWorker, size: number, private readonly counted: () => void,
    private readonly finished: (offered: number, refused: number) => void) {
    this.ring = new SharedArrayBuffer(size);
    this.bytes = new Uint8Array(this.ring);
    const ctrl = new SharedArrayBuffer(8);
    const slots = new SharedArrayBuffer(SLOTS * 3 * 4);
    const digests = new SharedArrayBuffer(SLOTS * 32);
    this.ctrl = new Int32Array(ctrl);
    this.slots = new Int32Array(slots);
    this.digests = new Uint8Array(digests);
    owner.channels.set(this.id, this);
    owner.port.postMessage({ id: this.id, ring: this.ring, ctrl, slots, digests });
    owner.ring();
  }

  hasRoom(length: number): boolean {
    if (this.error !== null || this.released || !this.owner.alive) return false;
    this.offered++;
    const room = length <= this.ring.byteLength / 2 && this.submitted - this.acked < SLOTS && this.used + length <= this.ring.byteLength;
    if (!room) this.refused++;
    return room;
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
    const slot = (this.submitted % SLOTS) * 3;
    this.slots[slot] = start;
    this.slots[slot + 1] = length - wrapped;
    this.slots[slot + 2] = wrapped;
    this.waiting.push({ done, pieces, length });
    this.submitted++;
    Atomics.store(this.ctrl, 0, this.submitted);
    this.owner.ring();
    this.watch();
  }

  /** Hands out every digest the worker has finished, in order. */
  private collect(): void {
    const done = Atomics.load(this.ctrl, 1);
    while (this.acked < done && this.error === null && !this.released) {
      const slot = this.acked % SLOTS;
      const w = this.waiting.shift()!;
      this.acked++;
      this.used -= w.length;
      this.counted();
      w.done({ error: null, digest: Buffer.from(this.digests.subarray(32 * slot, 32 * slot + 32)).toString('hex'), pieces: w.pieces });
    }
  }

  /** One waitAsync at a time, while anything is away: resolved by the worker's notify on `done`. */
  private watch(): void {
    if (this.watching || this.released || this.error !== null) return;
    this.collect();
    // Handing out digests can bring new chunks (the encoder resumes its writer) and a nested watch.
    if (this.watching || this.acked === this.submitted) return;
    const seen = this.acked;
    const r = waitAsync(this.ctrl, 1, seen);
    if (!r.async) {
      queueMicrotask(this.wake);
      this.watching = true;
      return;
    }
    this.watching = true;
    void r.value.then(this.wake);
  }

  private readonly wake = (): void => {
    this.watching = false;
    this.watch();
  };

  failed(err: Error): void {
    if (this.error !== null) return;
    this.error = err;
    this.owner.channels.delete(this.id);
    if (this.released) return;
    const waiting = this.waiting.splice(0);
    for (const w of waiting) w.done({ error: err, digest: '', pieces: [] });
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.finished(this.offered, this.refused);
    this.owner.channels.delete(this.id);
    if (this.owner.alive) {
      this.owner.port.postMessage({ id: this.id });
      this.owner.ring();
    }
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
    if (this.o.adaptive !== false) {
      if (now < this.saturatedUntil) return undefined;
      // No CPU idle on average over the last minute (runnable tasks of every process count: in a
      // container the load average is the host's): a hashing thread would only take CPU from
      // others — on the 2-vCPU bench VM, forcing it on made signed uploads slower (bench/RESULTS.md).
      if ((this.o.loadAverage ?? defaultLoad)() > availableParallelism() - 1) return undefined;
    }
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
    return new Channel(best, this.o.inFlightBytes ?? DEFAULT_IN_FLIGHT, this.countChunk, this.uploadDone);
  }

  private saturatedUntil = 0;

  /**
   * An upload that the hasher could not keep up with (it had no room for most chunks, and the
   * event loop hashed them itself): its CPU is not spare after all. Uploads hash inline for a
   * cooldown, then the hasher is tried again.
   */
  private readonly uploadDone = (offered: number, refused: number): void => {
    if (offered >= MIN_JUDGED_CHUNKS && refused * 2 > offered) this.saturatedUntil = (this.o.now ?? Date.now)() + (this.o.cooldownMs ?? 30_000);
  };

  /** Chunks hashed on the threads so far (the rest of a signed upload was hashed on the event loop). */
  chunksHashed = 0;
  private readonly countChunk = (): void => {
    this.chunksHashed++;
  };

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
