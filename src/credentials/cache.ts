import { performance } from 'node:perf_hooks';
import { SignetError } from '../errors.js';
import type { Credentials } from '../sigv4/types.js';
import { DEFAULT_REFRESH_MARGIN_MS, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS } from './constants.js';
import { accessKeyIdPrefix, describeError } from './describe.js';
import { defaultJitterMs, refreshDelayMs, retryDelayMs } from './refresh-schedule.js';
import type { CredentialEvents, CredentialFetcher, CredentialLogger, CredentialStatus } from './types.js';

export interface CredentialCacheOptions {
  fetch: CredentialFetcher;
  /** Refresh this long before expiration (default 5 min). */
  refreshMarginMs?: number | undefined;
  /** Upper bound of the random jitter taken off the refresh time (default: 30 s or 10% of the margin, the lesser). */
  jitterMs?: number | undefined;
  now?: (() => number) | undefined;
  logger?: CredentialLogger | undefined;
  events?: CredentialEvents | undefined;
  retryBaseMs?: number | undefined;
  retryMaxMs?: number | undefined;
}

/** One consistent set: the request path reads this object by a single reference, never field by field. */
interface Snapshot {
  readonly credentials: Credentials;
  readonly source: string;
  /** Infinity for static credentials (no expiration). */
  readonly expiresAtMs: number;
}

// setTimeout takes at most a signed 32-bit delay; longer ones fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

const SILENT: CredentialLogger = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * Holds the current credentials and refreshes them in the background ahead of expiry. The request
 * path only calls `current()`, which never waits: a refresh runs one at a time and swaps the snapshot
 * when it succeeds. A failed refresh keeps the old credentials and retries with backoff; requests
 * fail (503) only once the credentials have actually expired.
 */
export class CredentialCache {
  readonly #fetch: CredentialFetcher;
  readonly #marginMs: number;
  readonly #jitterMs: number;
  readonly #now: () => number;
  readonly #logger: CredentialLogger;
  readonly #events: CredentialEvents;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  #snapshot: Snapshot | null = null;
  #inflight: Promise<boolean> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;
  #expiryLogged = false;
  #lastError: string | null = null;
  /** The error behind #lastError, handed to start()'s caller as `cause` (it decides whether to wait). */
  #lastCause: unknown = null;
  #stopped = false;

  constructor(options: CredentialCacheOptions) {
    this.#fetch = options.fetch;
    this.#marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.#jitterMs = options.jitterMs ?? defaultJitterMs(this.#marginMs);
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? SILENT;
    this.#events = options.events ?? {};
    this.#retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    this.#retryMaxMs = options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
  }

  /**
   * The first fetch, awaited by startup. If it fails, the error (with the source's error as `cause`)
   * is thrown and retries keep running in the background until stop().
   */
  async start(): Promise<void> {
    this.#stopped = false;
    if (!(await this.#refresh())) {
      throw new Error(`signet could not resolve AWS credentials: ${this.#lastError ?? 'unknown error'}`, { cause: this.#lastCause });
    }
  }

  current(): Credentials {
    const snapshot = this.#snapshot;
    if (snapshot === null) {
      throw new SignetError('CredentialsUnavailable', `no credentials yet: ${this.#lastError ?? 'first fetch pending'}`);
    }
    if (this.#now() >= snapshot.expiresAtMs) {
      const at = new Date(snapshot.expiresAtMs).toISOString();
      throw new SignetError(
        'CredentialsUnavailable',
        `credentials from ${snapshot.source} expired at ${at}: ${this.#lastError ?? 'refresh pending'}`,
        `signet's AWS credentials expired at ${at} and could not be refreshed yet; see the signet log.`,
      );
    }
    return snapshot.credentials;
  }

  ready(): boolean {
    return this.#snapshot !== null && this.#now() < this.#snapshot.expiresAtMs;
  }

  status(): CredentialStatus {
    const snapshot = this.#snapshot;
    return {
      ready: this.ready(),
      source: snapshot?.source ?? null,
      expiration: snapshot === null || snapshot.expiresAtMs === Infinity ? null : new Date(snapshot.expiresAtMs),
      lastError: this.#lastError,
    };
  }

  /** Forces a refresh (joining one in flight). Never rejects: a failure is kept in status() and retried. */
  async refreshNow(): Promise<void> {
    await this.#refresh();
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
  }

  #refresh(): Promise<boolean> {
    if (this.#inflight !== null) return this.#inflight;
    this.#clearTimer();
    const attempt = this.#attempt().finally(() => {
      this.#inflight = null;
    });
    this.#inflight = attempt;
    return attempt;
  }

  async #attempt(): Promise<boolean> {
    const started = performance.now();
    const previous = this.#snapshot;
    try {
      const { credentials, source } = await this.#fetch();
      const expiresAtMs = checkedExpiry(credentials, this.#now());
      this.#snapshot = { credentials, source, expiresAtMs };
      this.#succeeded(previous, this.#snapshot, (performance.now() - started) / 1000);
      return true;
    } catch (err) {
      this.#failed(previous, err, (performance.now() - started) / 1000);
      return false;
    }
  }

  #succeeded(previous: Snapshot | null, next: Snapshot, seconds: number): void {
    const expiration = next.expiresAtMs === Infinity ? undefined : new Date(next.expiresAtMs);
    const fields = { source: next.source, expiration, accessKeyIdPrefix: accessKeyIdPrefix(next.credentials.accessKeyId) };
    if (this.#failures > 0) {
      this.#logger.info({ ...fields, failures: this.#failures }, 'credential refresh recovered');
    } else if (previous === null || previous.source !== next.source) {
      this.#logger.info(fields, 'credentials resolved');
    } else {
      this.#logger.debug(fields, 'credentials refreshed');
    }
    this.#failures = 0;
    this.#expiryLogged = false;
    this.#lastError = null;
    this.#lastCause = null;
    this.#emit(() => this.#events.onRefresh?.('success', seconds, next.source));
    this.#emit(() => this.#events.onCredentials?.(fields));
    if (next.expiresAtMs !== Infinity) {
      this.#schedule(refreshDelayMs(next.expiresAtMs - this.#now(), this.#marginMs, this.#jitterMs));
    }
  }

  #failed(previous: Snapshot | null, err: unknown, seconds: number): void {
    this.#failures += 1;
    this.#lastError = describeError(err);
    this.#lastCause = err;
    const source = previous?.source ?? 'none';
    this.#emit(() => this.#events.onRefresh?.('failure', seconds, source));
    const retryInMs = retryDelayMs(this.#failures, this.#retryBaseMs, this.#retryMaxMs);
    const validUntil = previous === null || previous.expiresAtMs === Infinity ? undefined : new Date(previous.expiresAtMs);
    const fields = { source, error: this.#lastError, validUntil, retryInMs };
    if (this.#failures === 1) {
      this.#logger.warn(fields, 'credential refresh failed; keeping the current credentials while valid and retrying with backoff');
    } else {
      this.#logger.debug({ ...fields, failures: this.#failures }, 'credential refresh failed again');
    }
    if (previous !== null && !this.#expiryLogged && this.#now() >= previous.expiresAtMs) {
      this.#expiryLogged = true;
      this.#logger.error(fields, 'credentials expired and could not be refreshed; requests fail with 503 until a refresh succeeds');
    }
    this.#schedule(retryInMs);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#refresh();
    }, Math.min(delayMs, MAX_TIMER_MS));
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  // A metrics hook that throws must not break the refresh loop.
  #emit(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.#logger.debug({ error: describeError(err) }, 'credential event hook threw');
    }
  }
}

/** The expiry in ms (Infinity when static); rejects what cannot sign or is already dead on arrival. */
function checkedExpiry(credentials: Credentials, nowMs: number): number {
  if (!credentials.accessKeyId || !credentials.secretAccessKey) {
    throw new Error('credential source returned an empty access key id or secret');
  }
  if (credentials.expiration === undefined) return Infinity;
  const at = credentials.expiration.getTime();
  if (Number.isNaN(at)) throw new Error('credential source returned an unreadable expiration');
  if (at <= nowMs) throw new Error(`credential source returned credentials that expired at ${credentials.expiration.toISOString()}`);
  return at;
}
