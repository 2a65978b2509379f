import { SignetError } from '../errors.js';
import type { Credentials } from '../sigv4/types.js';
import type { CredentialHolder, CredentialStatus } from './types.js';

/** How long start() waits for the first set: the primary pushes it before it announces the identity. */
const DEFAULT_WAIT_MS = 2_000;

/** One set as the primary sent it: expiry in ms since the epoch, Infinity for static keys. */
export interface PushedSet {
  readonly credentials: Credentials;
  readonly source: string;
  readonly expiresAtMs: number;
}

/**
 * A worker's credentials (--workers): no provider chain, no refresh timer, only what the primary
 * process pushes over IPC on each refresh and when the worker starts. Until the first push it
 * holds nothing, and the request path answers 503 exactly as a single process whose first fetch
 * has not succeeded; past the expiry of the last push, likewise.
 */
export class PushedCredentials implements CredentialHolder {
  readonly #now: () => number;
  readonly #waitMs: number;
  #set: PushedSet | null = null;
  /** start() calls waiting for the first set; each settles once (set or timeout). */
  readonly #waiting = new Set<() => void>();

  /** `waitMs`: how long start() waits for the first push before it gives up. */
  constructor(now: () => number = Date.now, waitMs = DEFAULT_WAIT_MS) {
    this.#now = now;
    this.#waitMs = waitMs;
  }

  accept(set: PushedSet): void {
    if (!set.credentials.accessKeyId || !set.credentials.secretAccessKey) return;
    this.#set = set;
    for (const wake of this.#waiting) wake();
  }

  current(): Credentials {
    const set = this.#set;
    if (set === null) throw new SignetError('CredentialsUnavailable', 'no credentials from the primary process yet');
    if (this.#now() >= set.expiresAtMs) {
      const at = new Date(set.expiresAtMs).toISOString();
      throw new SignetError(
        'CredentialsUnavailable',
        `credentials from ${set.source} expired at ${at}: the primary process has sent no newer ones`,
        `signet's AWS credentials expired at ${at} and could not be refreshed yet; see the signet log.`,
      );
    }
    return set.credentials;
  }

  ready(): boolean {
    return this.#set !== null && this.#now() < this.#set.expiresAtMs;
  }

  status(): CredentialStatus {
    const set = this.#set;
    return {
      ready: this.ready(),
      source: set?.source ?? null,
      expiration: set === null || set.expiresAtMs === Infinity ? null : new Date(set.expiresAtMs),
      lastError: set === null ? 'no credentials from the primary process yet' : null,
    };
  }

  /**
   * Nothing to fetch: the primary pushes. Resolves once a set has arrived (at once when one has),
   * and rejects after `waitMs` without one: a worker's route table is never swapped for one with an
   * identity it holds nothing for (RouteBuilder.start), and startup goes on without, answering 503.
   */
  start(): Promise<void> {
    if (this.#set !== null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        this.#waiting.delete(settle);
        if (this.#set !== null) resolve();
        else reject(new Error(`no credentials from the primary process for this identity within ${this.#waitMs} ms`));
      };
      const timer = setTimeout(settle, this.#waitMs);
      this.#waiting.add(settle);
    });
  }

  stop(): void {
    // No timer to clear.
  }
}
