/** Bucket → region learned from S3's redirects and x-amz-bucket-region; bounded, entries expire. */

/**
 * A region name as AWS spells them. A learned region becomes part of an endpoint's host name, so
 * anything else (`evil.com/x`, `a.b`) from an upstream answer must never shape where signet signs to.
 */
const REGION_NAME = /^[a-z0-9-]{1,63}$/;

export function isRegionName(text: string): boolean {
  return REGION_NAME.test(text);
}

export class RegionCache {
  readonly #entries = new Map<string, { region: string; expiresAt: number }>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(max = 10_000, ttlMs = 60 * 60 * 1000, now: () => number = Date.now) {
    this.#max = max;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  get(bucket: string): string | undefined {
    const e = this.#entries.get(bucket);
    if (e === undefined) return undefined;
    if (e.expiresAt <= this.#now()) {
      this.#entries.delete(bucket);
      return undefined;
    }
    return e.region;
  }

  /** Returns true when this is news (a region we did not hold for the bucket). */
  set(bucket: string, region: string): boolean {
    if (!isRegionName(region)) return false;
    const prev = this.#entries.get(bucket);
    this.#entries.delete(bucket);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(bucket, { region, expiresAt: this.#now() + this.#ttlMs });
    return prev?.region !== region;
  }

  get size(): number {
    return this.#entries.size;
  }
}
