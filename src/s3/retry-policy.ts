/**
 * What is worth retrying and how long to wait, written out in one place (as undici's
 * retry-handler does). The pipeline retries only replayable bodies (empty, buffered, spooled).
 */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([500, 502, 503, 504]);
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'BandwidthLimitExceeded',
  'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException',
]);
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'RequestTimeout', 'RequestTimeoutException', 'InternalError', 'ServiceUnavailable', 'PriorRequestNotComplete',
]);
/** Connection failures before any response: safe to retry with a replayable body. */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED',
]);
export const SKEW_CODES: ReadonlySet<string> = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'RequestInTheFuture']);

const BASE_DELAY_MS = 100;
const THROTTLE_BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 20_000;

/** Full-jitter exponential backoff (as the AWS SDKs' standard mode). */
export function backoffMs(attempt: number, throttled: boolean, random: () => number = Math.random): number {
  const base = throttled ? THROTTLE_BASE_DELAY_MS : BASE_DELAY_MS;
  return Math.floor(random() * Math.min(MAX_DELAY_MS, base * 2 ** attempt));
}

/**
 * Retry budget (token bucket): retries spend tokens, successes refill a little, so a failing
 * upstream is not hammered by retries from every client at once.
 */
export class RetryBudget {
  #tokens: number;
  readonly #max: number;
  constructor(max = 500) {
    this.#tokens = max;
    this.#max = max;
  }
  tryAcquire(cost: number): boolean {
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
  refund(amount = 1): void {
    this.#tokens = Math.min(this.#max, this.#tokens + amount);
  }
  get tokens(): number {
    return this.#tokens;
  }
}
