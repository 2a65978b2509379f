import { describe, expect, it } from 'vitest';
import { nextStreak, restartDelayMs, STABLE_AFTER_MS } from '../../../src/cluster/restart-backoff.js';

describe('worker restart backoff', () => {
  it('restarts at once after a healthy life, then doubles per quick death up to 10 s', () => {
    expect([0, 1, 2, 3, 4, 6, 7, 8, 50].map(restartDelayMs)).toEqual([100, 200, 400, 800, 1600, 6400, 10_000, 10_000, 10_000]);
  });

  it('counts deaths that come before STABLE_AFTER_MS and starts over after a long life', () => {
    expect(nextStreak(0, 50)).toBe(1);
    expect(nextStreak(4, STABLE_AFTER_MS - 1)).toBe(5);
    expect(nextStreak(4, STABLE_AFTER_MS)).toBe(0);
  });
});
