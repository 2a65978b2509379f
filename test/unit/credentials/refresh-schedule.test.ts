import { describe, expect, it } from 'vitest';
import { defaultJitterMs, refreshDelayMs, retryDelayMs } from '../../../src/credentials/refresh-schedule.js';

describe('refresh schedule', () => {
  it('bounds the default jitter by 30 s or a tenth of the margin, whichever is less', () => {
    expect(defaultJitterMs(300_000)).toBe(30_000);
    expect(defaultJitterMs(10_000)).toBe(1_000);
  });

  it('refreshes at expiration minus margin minus jitter', () => {
    expect(refreshDelayMs(3_600_000, 300_000, 30_000, () => 0)).toBe(3_300_000);
    expect(refreshDelayMs(3_600_000, 300_000, 30_000, () => 0.5)).toBe(3_285_000);
  });

  it('refreshes credentials shorter-lived than the margin halfway instead of in a tight loop', () => {
    expect(refreshDelayMs(2_000, 300_000, 30_000, () => 0.9)).toBe(1_000);
    expect(refreshDelayMs(50, 300_000, 0, () => 0)).toBe(100);
  });

  it('doubles the retry delay per failure up to the cap', () => {
    const top = (n: number) => retryDelayMs(n, 1_000, 30_000, () => 1);
    expect([1, 2, 3, 4, 5, 6, 50].map(top)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(retryDelayMs(3, 1_000, 30_000, () => 0)).toBe(2_000);
  });
});
