import { describe, expect, it } from 'vitest';
import {
  RETRYABLE_NETWORK_CODES, RETRYABLE_STATUS, RetryBudget, SKEW_CODES, THROTTLING_CODES, backoffMs,
} from '../../../src/s3/retry-policy.js';

describe('backoffMs', () => {
  it('doubles its ceiling per attempt from 100 ms, and from 500 ms when throttled', () => {
    const top = (attempt: number, throttled: boolean): number => backoffMs(attempt, throttled, () => 0.999999);
    expect([0, 1, 2, 3].map((a) => top(a, false))).toEqual([99, 199, 399, 799]);
    expect([0, 1, 2].map((a) => top(a, true))).toEqual([499, 999, 1999]);
  });

  it('never waits longer than 20 s', () => {
    expect(backoffMs(30, true, () => 0.999999)).toBeLessThan(20_000);
  });

  it('uses full jitter: anywhere from zero up to the ceiling', () => {
    expect(backoffMs(3, false, () => 0)).toBe(0);
    expect(backoffMs(3, false, () => 0.5)).toBe(400);
  });
});

describe('RetryBudget', () => {
  it('spends tokens per retry and refuses once they run out', () => {
    const budget = new RetryBudget(20);
    expect(budget.tryAcquire(10)).toBe(true);
    expect(budget.tryAcquire(10)).toBe(true);
    expect(budget.tryAcquire(5)).toBe(false);
    expect(budget.tokens).toBe(0);
  });

  it('refills a little with each success, up to its size', () => {
    const budget = new RetryBudget(10);
    budget.tryAcquire(10);
    budget.refund();
    expect(budget.tokens).toBe(1);
    for (let i = 0; i < 50; i++) budget.refund();
    expect(budget.tokens).toBe(10);
  });
});

describe('what is retried', () => {
  it('covers the server errors, throttling and skew codes S3 uses', () => {
    expect([...RETRYABLE_STATUS].sort()).toEqual([500, 502, 503, 504]);
    expect(THROTTLING_CODES.has('SlowDown')).toBe(true);
    expect(SKEW_CODES.has('RequestTimeTooSkewed')).toBe(true);
    expect(SKEW_CODES.has('RequestExpired')).toBe(true);
  });

  it('retries connection failures but not timeouts after the request was sent', () => {
    expect(RETRYABLE_NETWORK_CODES.has('ECONNRESET')).toBe(true);
    expect(RETRYABLE_NETWORK_CODES.has('UND_ERR_SOCKET')).toBe(true);
    expect(RETRYABLE_NETWORK_CODES.has('UND_ERR_HEADERS_TIMEOUT')).toBe(false);
    expect(RETRYABLE_NETWORK_CODES.has('UND_ERR_BODY_TIMEOUT')).toBe(false);
  });
});
