import { SignetError } from '../errors.js';
import type { Credentials } from '../sigv4/types.js';
import type { CredentialHolder, CredentialStatus } from './types.js';

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
  #set: PushedSet | null = null;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  accept(set: PushedSet): void {
    if (!set.credentials.accessKeyId || !set.credentials.secretAccessKey) return;
    this.#set = set;
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

  async start(): Promise<void> {
    // Nothing to fetch: the primary pushes.
  }

  stop(): void {
    // No timer to clear.
  }
}
