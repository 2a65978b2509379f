import { MAX_JITTER_MS, MAX_JITTER_SHARE_OF_MARGIN, MIN_REFRESH_DELAY_MS } from './constants.js';

/** The default jitter bound: 30 s or 10% of the margin, whichever is less. */
export function defaultJitterMs(marginMs: number): number {
  return Math.min(MAX_JITTER_MS, Math.floor(marginMs * MAX_JITTER_SHARE_OF_MARGIN));
}

/**
 * Milliseconds until the next refresh of credentials that expire in `expiresInMs`:
 * `expiration − margin − random jitter`. Credentials that live shorter than the margin would be
 * refreshed at once and again at once; those are refreshed halfway through their remaining life.
 */
export function refreshDelayMs(expiresInMs: number, marginMs: number, jitterMs: number, random: () => number = Math.random): number {
  const ahead = expiresInMs - marginMs - Math.floor(random() * jitterMs);
  if (ahead >= MIN_REFRESH_DELAY_MS) return ahead;
  return Math.max(MIN_REFRESH_DELAY_MS, Math.floor(expiresInMs / 2));
}

/** Exponential backoff after the n-th consecutive failure (n ≥ 1), capped; full jitter keeps replicas apart. */
export function retryDelayMs(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  // Half fixed, half random: never zero, never above the cap.
  return Math.max(1, Math.floor(ceiling / 2 + random() * (ceiling / 2)));
}
