import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { metricValue } from './scope.js';

const TWENTY_MINUTES = 20 * 60 * 1000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function skewedHarness(): Promise<Harness> {
  h = await startHarness({ s3: { now: () => Date.now() + TWENTY_MINUTES } });
  return h;
}

describe('clock skew', () => {
  it('corrects from S3\'s Date after one RequestTimeTooSkewed, retries once, then signs right the first time', async () => {
    const h = await skewedHarness();
    const put = await rawRequest(h.url, { method: 'PUT', path: '/skew/a', headers: { 'content-length': 3 }, body: 'abc' });
    expect(put.status).toBe(200);
    expect(h.s3.requests.map((r) => [r.status, r.errorCode ?? ''])).toEqual([[403, 'RequestTimeTooSkewed'], [200, '']]);
    for (let i = 0; i < 3; i++) expect((await rawRequest(h.url, { path: '/skew/a' })).status).toBe(200);
    expect(h.s3.requests).toHaveLength(5);

    const metrics = await (await request(`${h.signet.admin!.url}/metrics`)).body.text();
    const skew = metricValue(metrics, 'signet_clock_skew_seconds')!;
    expect(Math.abs(skew - 1200)).toBeLessThanOrEqual(2);
    expect(metricValue(metrics, 'signet_retries_total{reason="clock-skew"}')).toBe(1);
    const warnings = h.logs.map((l) => JSON.parse(l) as { level: number; msg: string; clockSkewSeconds?: number }).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('more than a minute');
    expect(Math.abs(warnings[0]!.clockSkewSeconds! - 1200)).toBeLessThanOrEqual(2);
  });

  it('retries every request that was signed before the correction, even when another request learned it first', async () => {
    const h = await skewedHarness();
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => rawRequest(h.url, { method: 'PUT', path: `/skew/p${i}`, headers: { 'content-length': 1 }, body: 'x' })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const skewed = h.s3.requests.filter((r) => r.errorCode === 'RequestTimeTooSkewed').length;
    // Several were in flight with the old clock (the case this test is about); each was sent again once.
    expect(skewed).toBeGreaterThanOrEqual(2);
    expect(h.s3.requests).toHaveLength(6 + skewed);
  });

  it('heals a HEAD too, whose 403 has no body to name the skew', async () => {
    const h = await skewedHarness();
    const head = await rawRequest(h.url, { method: 'HEAD', path: '/skew-head/missing' });
    // After the correction S3 really looked: the bucket does not exist.
    expect(head.status).toBe(404);
    expect(h.s3.requests.map((r) => [r.method, r.status])).toEqual([['HEAD', 403], ['HEAD', 404]]);
  });

  it('ignores the Date of a cached response (one that carries Age)', async () => {
    h = await startHarness();
    const late = new Date(Date.now() + TWENTY_MINUTES).toUTCString();
    h.s3.faults.nextResponses = [{ status: 200, code: '', headers: { date: late, age: '30' }, body: '' }];
    expect((await rawRequest(h.url, { path: '/skew/cached' })).status).toBe(200);
    expect(h.signet.clock.offsetMs).toBe(0);
  });

  it('does not resend a streamed body after a skew error: the client gets the 403', async () => {
    h = await startHarness({ s3: { now: () => Date.now() + TWENTY_MINUTES }, args: ['--payload', 'unsigned', '--upstream-capabilities', 'all'] });
    const put = await rawRequest(h.url, { method: 'PUT', path: '/skew/s', headers: { 'content-length': 4 }, body: 'data' });
    expect(put.status).toBe(403);
    expect(put.body.toString()).toContain('<Code>RequestTimeTooSkewed</Code>');
    expect(h.s3.requests).toHaveLength(1);
    // The offset was still learned, so the next streamed body goes through first time.
    expect((await rawRequest(h.url, { method: 'PUT', path: '/skew/s', headers: { 'content-length': 4 }, body: 'data' })).status).toBe(200);
    expect(h.s3.requests).toHaveLength(2);
  });
});
