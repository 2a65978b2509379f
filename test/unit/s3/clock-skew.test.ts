import { describe, expect, it } from 'vitest';
import { ClockSkew } from '../../../src/s3/clock-skew.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const httpDate = (ms: number): string => new Date(ms).toUTCString();

describe('ClockSkew', () => {
  it('signs with the local time until it learns an offset', () => {
    const clock = new ClockSkew(() => T0);
    expect(clock.now().getTime()).toBe(T0);
  });

  it('learns S3\'s offset from Date and reports it once, in seconds', () => {
    const changes: number[] = [];
    const clock = new ClockSkew(() => T0, (s) => changes.push(s));
    expect(clock.observe(httpDate(T0 + 1_200_000), undefined, T0)).toBe(true);
    expect(clock.now().getTime()).toBe(T0 + 1_200_000);
    expect(clock.observe(httpDate(T0 + 1_200_000), undefined, T0)).toBe(false);
    expect(changes).toEqual([1200]);
  });

  it('learns a clock that runs ahead as a negative offset', () => {
    const clock = new ClockSkew(() => T0);
    clock.observe(httpDate(T0 - 300_000), undefined, T0);
    expect(clock.offsetMs).toBe(-300_000);
  });

  it('ignores differences within Date\'s one-second resolution and network delay', () => {
    const clock = new ClockSkew(() => T0);
    expect(clock.observe(httpDate(T0 + 2000), undefined, T0)).toBe(false);
    expect(clock.offsetMs).toBe(0);
  });

  it('goes back to zero when the local clock is fixed', () => {
    const clock = new ClockSkew(() => T0);
    clock.observe(httpDate(T0 + 600_000), undefined, T0);
    expect(clock.observe(httpDate(T0), undefined, T0)).toBe(true);
    expect(clock.offsetMs).toBe(0);
  });

  it('ignores cached responses (Age), unparsable dates and very slow round trips', () => {
    let now = T0;
    const clock = new ClockSkew(() => now);
    expect(clock.observe(httpDate(T0 + 600_000), '12', T0)).toBe(false);
    expect(clock.observe('yesterday-ish', undefined, T0)).toBe(false);
    expect(clock.observe(undefined, undefined, T0)).toBe(false);
    now = T0 + 1_000_000;
    expect(clock.observe(httpDate(now + 600_000), undefined, T0)).toBe(false);
    expect(clock.offsetMs).toBe(0);
  });
});
