/**
 * One gateway client's limits: requests in flight (`maxConcurrent`) and a token bucket
 * (`requestsPerSecond` refilled continuously, up to `burst` saved). A refusal is S3's own
 * 503 SlowDown, which every SDK retries with backoff. Pure: the time comes in as an argument.
 */
export interface ClientLimits {
  /** 0: no limit. */
  readonly maxConcurrent: number;
  /** 0: no limit. */
  readonly requestsPerSecond: number;
  /** Tokens the bucket holds at most (a client idle for a while may send this many at once). */
  readonly burst: number;
}

/** Why a request was refused, for the metric label. */
export type LimitReason = 'concurrency' | 'rate';

export interface Refusal {
  readonly reason: LimitReason;
  /** Whole seconds to wait (Retry-After): at least 1. */
  readonly retryAfter: number;
}

export class ClientLimiter {
  private limits: ClientLimits;
  private inFlight = 0;
  private tokens: number;
  private refilledAt: number;

  /** `now` in seconds, from a monotonic clock. */
  constructor(limits: ClientLimits, now: number) {
    this.limits = limits;
    this.tokens = limits.burst;
    this.refilledAt = now;
  }

  /**
   * New limits from a reload: the requests in flight still count, and the bucket keeps what it
   * held (capped at the new burst), so a reload never hands a client a fresh allowance.
   */
  update(limits: ClientLimits, now: number): void {
    this.refill(now);
    this.limits = limits;
    this.tokens = Math.min(this.tokens, limits.burst);
  }

  /** Admits one request (the caller must `release()` it exactly once) or says why not. */
  tryAcquire(now: number): Refusal | null {
    const { maxConcurrent, requestsPerSecond } = this.limits;
    if (maxConcurrent > 0 && this.inFlight >= maxConcurrent) return { reason: 'concurrency', retryAfter: 1 };
    if (requestsPerSecond > 0) {
      this.refill(now);
      if (this.tokens < 1) return { reason: 'rate', retryAfter: Math.max(1, Math.ceil((1 - this.tokens) / requestsPerSecond)) };
      this.tokens -= 1;
    }
    this.inFlight++;
    return null;
  }

  release(): void {
    if (this.inFlight > 0) this.inFlight--;
  }

  get active(): number {
    return this.inFlight;
  }

  private refill(now: number): void {
    const rate = this.limits.requestsPerSecond;
    if (rate > 0 && now > this.refilledAt) this.tokens = Math.min(this.limits.burst, this.tokens + (now - this.refilledAt) * rate);
    this.refilledAt = Math.max(this.refilledAt, now);
  }
}
