/**
 * One process-wide offset between the local clock and S3's, learned from the `Date` of upstream
 * responses (as the AWS SDK for JavaScript does): responses carrying `Age` came from a cache and
 * are skipped, as are slow round trips whose Date may be stale. Every signature uses now+offset.
 */
export class ClockSkew {
  #offsetMs = 0;
  // Date changes once a second; most responses repeat the last one, so parse each value once.
  #lastDate = '';
  #lastServerMs = Number.NaN;
  readonly #now: () => number;
  readonly #onChange: ((offsetSeconds: number) => void) | undefined;

  constructor(now: () => number = Date.now, onChange?: (offsetSeconds: number) => void) {
    this.#now = now;
    this.#onChange = onChange;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** The corrected signing time. */
  now(): Date {
    return new Date(this.#now() + this.#offsetMs);
  }

  /**
   * Learns from one response. Date has a one-second resolution, so only differences above two
   * seconds change the offset; returns true when the offset moved (a skew error is then worth a retry).
   */
  observe(dateHeader: string | undefined, ageHeader: string | undefined, sentAtMs: number): boolean {
    if (dateHeader === undefined || ageHeader !== undefined) return false;
    if (dateHeader !== this.#lastDate) {
      this.#lastDate = dateHeader;
      this.#lastServerMs = Date.parse(dateHeader);
    }
    const server = this.#lastServerMs;
    if (Number.isNaN(server)) return false;
    const receivedAt = this.#now();
    if (receivedAt - sentAtMs > 900_000) return false;
    const offset = server - receivedAt;
    if (Math.abs(offset - this.#offsetMs) <= 2000) return false;
    this.#offsetMs = Math.abs(offset) <= 2000 ? 0 : offset;
    this.#onChange?.(this.#offsetMs / 1000);
    return true;
  }
}
