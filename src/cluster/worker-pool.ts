import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { asToPrimary } from './messages.js';
import type { ToPrimary, ToWorker } from './messages.js';
import { nextStreak, restartDelayMs } from './restart-backoff.js';

/** What the primary knows of one live worker, from what it said over IPC. */
export interface WorkerState {
  readonly worker: Worker;
  /** 1..N: the place it fills; a replacement takes the same slot. */
  readonly slot: number;
  readonly startedAt: number;
  /** It listens for our messages (credentials sent to it before this would be lost). */
  hello: boolean;
  /** Its proxy listener's URL, once up. */
  listening: string | null;
  /** sourceId → the credential generation it holds. */
  readonly held: Map<string, number>;
  draining: boolean;
}

export interface PoolEvents {
  /** Every well-formed message of ours from a worker. */
  message(state: WorkerState, message: ToPrimary): void;
  /** A worker died before its listener came up while the pool was starting: the service cannot start. */
  startFailed(state: WorkerState, code: number | null, signal: string | null): void;
  /** A worker died unexpectedly and will be replaced in `restartInMs`. */
  restarting(state: WorkerState, restartInMs: number): void;
}

/**
 * Set in the environment of the workers this primary forks: what makes a process a signet worker
 * (not a SIGNET_ name, which would be read as a setting).
 */
export const WORKER_MARK = '__SIGNET_WORKER';

/** How long the second signal waits for workers to flush their logs and exit before killing them. */
const EXIT_NOW_MS = 1_000;

/**
 * The workers of `--workers N` (node:cluster): forks N, keeps N running (a worker that dies
 * unexpectedly is replaced in its slot after a backoff), relays messages, and stops them all,
 * gracefully or at once. Workers re-run the primary's command line; node:cluster hands the proxy
 * listener's connections to them round-robin (NODE_CLUSTER_SCHED_POLICY=none leaves it to the
 * kernel).
 */
export class WorkerPool {
  readonly #size: number;
  readonly #logger: Logger;
  readonly #events: PoolEvents;
  readonly #states = new Map<number, WorkerState>();
  readonly #streaks: number[];
  readonly #timers = new Set<NodeJS.Timeout>();
  #starting = true;
  #stopping = false;
  #exited: Array<{ code: number | null; signal: string | null }> = [];
  #allGone: (() => void) | null = null;

  constructor(size: number, logger: Logger, events: PoolEvents) {
    this.#size = size;
    this.#logger = logger;
    this.#events = events;
    this.#streaks = new Array<number>(size + 1).fill(0);
    cluster.on('message', (worker, raw) => {
      const state = this.#states.get(worker.id);
      const message = asToPrimary(raw);
      if (state === undefined || message === undefined) return;
      if (message.type === 'signet:hello') state.hello = true;
      else if (message.type === 'signet:listening') state.listening = message.url;
      else if (message.type === 'signet:credentials-held') state.held.set(message.sourceId, message.generation);
      else if (message.type === 'signet:draining') state.draining = true;
      this.#events.message(state, message);
    });
    cluster.on('exit', (worker, code, signal) => this.#onExit(worker, code, signal));
  }

  start(): void {
    for (let slot = 1; slot <= this.#size; slot++) this.#fork(slot);
  }

  /** Called once every slot has listened once: from now on a worker that dies is replaced. */
  started(): void {
    this.#starting = false;
  }

  states(): WorkerState[] {
    return [...this.#states.values()];
  }

  /** Every slot has a live worker whose listener is up and which is not draining. */
  allListening(): boolean {
    if (this.#states.size < this.#size) return false;
    for (const s of this.#states.values()) if (s.listening === null || s.draining) return false;
    return true;
  }

  /** False when the worker's channel is already closed (it is exiting). */
  send(state: WorkerState, message: ToWorker): boolean {
    if (!state.worker.isConnected()) return false;
    // A worker that exits between the check and the write: its 'exit' handles it.
    state.worker.send(message, (err: Error | null) => {
      if (err !== null) this.#logger.debug({ workerId: state.worker.id, error: err.message }, 'message to a worker not delivered');
    });
    return true;
  }

  /** To every worker that listens for messages (the others get the latest state when they say hello). */
  broadcast(message: ToWorker): void {
    for (const s of this.#states.values()) if (s.hello) this.send(s, message);
  }

  /**
   * Forwards a signal (SIGHUP: reload) to every worker that has said hello: one still loading has
   * no handler yet, and SIGHUP's default action would kill it (it reads the files fresh anyway).
   */
  signal(name: NodeJS.Signals): void {
    for (const s of this.#states.values()) if (s.hello) s.worker.process.kill(name);
  }

  /**
   * SIGTERM: no more restarts; every worker drains as a single process does, then exits.
   * Resolves with the exit status of each once all are gone (killed past `deadlineMs`).
   */
  drain(deadlineMs: number): Promise<Array<{ code: number | null; signal: string | null }>> {
    this.#stopping = true;
    this.#clearTimers();
    this.broadcast({ type: 'signet:drain' });
    // A worker still starting has not said hello: it drains on the signal instead.
    for (const s of this.#states.values()) if (!s.hello) s.worker.process.kill('SIGTERM');
    const deadline = setTimeout(() => {
      for (const s of this.#states.values()) {
        this.#logger.error({ workerId: s.worker.id, pid: s.worker.process.pid }, 'worker still running past the shutdown deadline; killing it');
        s.worker.process.kill('SIGKILL');
      }
    }, deadlineMs);
    return this.#whenAllGone().finally(() => clearTimeout(deadline));
  }

  /** The second signal: each worker flushes its logs and exits at once; any still there after 1 s is killed. */
  exitNow(): Promise<unknown> {
    this.#stopping = true;
    this.#clearTimers();
    this.broadcast({ type: 'signet:exit-now' });
    const kill = setTimeout(() => {
      for (const s of this.#states.values()) s.worker.process.kill('SIGKILL');
    }, EXIT_NOW_MS);
    return this.#whenAllGone().finally(() => clearTimeout(kill));
  }

  #whenAllGone(): Promise<Array<{ code: number | null; signal: string | null }>> {
    if (this.#states.size === 0) return Promise.resolve(this.#exited);
    return new Promise((resolve) => {
      this.#allGone = () => resolve(this.#exited);
    });
  }

  #fork(slot: number): void {
    const worker = cluster.fork({ [WORKER_MARK]: '1' });
    this.#states.set(worker.id, { worker, slot, startedAt: Date.now(), hello: false, listening: null, held: new Map(), draining: false });
    // An IPC error (the channel closed under a send) must not crash the primary; 'exit' follows.
    worker.on('error', (err: Error) => this.#logger.debug({ workerId: worker.id, error: err.message }, 'worker channel error'));
    this.#logger.info({ workerId: worker.id, pid: worker.process.pid, slot }, 'worker started');
  }

  #onExit(worker: Worker, code: number | null, signal: string | null): void {
    const state = this.#states.get(worker.id);
    if (state === undefined) return;
    this.#states.delete(worker.id);
    if (this.#stopping) {
      this.#exited.push({ code, signal });
      if (this.#states.size === 0) this.#allGone?.();
      return;
    }
    if (this.#starting && state.listening === null) {
      this.#events.startFailed(state, code, signal);
      return;
    }
    const streak = nextStreak(this.#streaks[state.slot] ?? 0, Date.now() - state.startedAt);
    this.#streaks[state.slot] = streak;
    const restartInMs = restartDelayMs(streak - 1);
    this.#events.restarting(state, restartInMs);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopping) this.#fork(state.slot);
    }, restartInMs);
    this.#timers.add(timer);
  }

  #clearTimers(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
