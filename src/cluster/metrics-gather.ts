import type { MetricsSnapshot } from './messages.js';

/** A worker that has not answered by then is left out of that scrape (it is busy, starting or dying). */
export const GATHER_TIMEOUT_MS = 2_000;

interface Pending {
  readonly snapshots: MetricsSnapshot[];
  expected: number;
  readonly resolve: (snapshots: MetricsSnapshot[]) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The primary asks each worker for its metrics (prom-client JSON) and collects the answers of one
 * scrape. Entries live at most GATHER_TIMEOUT_MS: a worker that never answers costs one timer,
 * not a growing map.
 */
export class MetricsGather {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #timeoutMs: number;

  constructor(timeoutMs = GATHER_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
  }

  /** `ask(id)` sends the request to every worker and returns how many were asked. */
  collect(ask: (id: number) => number): Promise<MetricsSnapshot[]> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle(id), this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, { snapshots: [], expected: 0, resolve, timer });
      const asked = ask(id);
      const entry = this.#pending.get(id);
      if (entry === undefined) return;
      entry.expected = asked;
      if (entry.snapshots.length >= asked) this.#settle(id);
    });
  }

  /** A worker's answer; late or unknown ids are dropped. */
  answer(id: number, snapshot: MetricsSnapshot): void {
    const entry = this.#pending.get(id);
    if (entry === undefined) return;
    entry.snapshots.push(snapshot);
    if (entry.expected > 0 && entry.snapshots.length >= entry.expected) this.#settle(id);
  }

  #settle(id: number): void {
    const entry = this.#pending.get(id);
    if (entry === undefined) return;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(entry.snapshots);
  }
}
