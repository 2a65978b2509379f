/** A worker that lived this long before dying was healthy: its slot's failure streak starts over. */
export const STABLE_AFTER_MS = 10_000;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 10_000;

/**
 * How long a slot waits before its worker is forked again, after `streak` deaths in a row that
 * each came sooner than STABLE_AFTER_MS: 100 ms, doubling, at most 10 s. A worker that crashes
 * on one bad request comes back at once; one that cannot start at all does not spin a core.
 */
export function restartDelayMs(streak: number): number {
  if (streak <= 0) return FIRST_DELAY_MS;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(streak, 20));
}

/** The streak after a death: reset by a long life, else one more. */
export function nextStreak(streak: number, livedMs: number): number {
  return livedMs >= STABLE_AFTER_MS ? 0 : streak + 1;
}
