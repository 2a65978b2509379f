import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import type { CannedResponse } from '../../../src/demo/index.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { metricValue } from './scope.js';

// --max-retries 2 (the harness default here); streamed bodies via --payload unsigned on a second harness.
let h: Harness;
let streamed: Harness;
beforeAll(async () => {
  h = await startHarness();
  streamed = await startHarness({ args: ['--payload', 'unsigned', '--upstream-capabilities', 'all'] });
});
afterAll(async () => {
  await h.close();
  await streamed.close();
});

const slowDown = (): CannedResponse => ({ status: 503, code: 'SlowDown' });

function since(harness: Harness, mark: number): Array<[number, string]> {
  return harness.s3.requests.slice(mark).map((r) => [r.status, r.errorCode ?? '']);
}

async function retries(harness: Harness, reason: string): Promise<number> {
  const text = await (await request(`${harness.signet.admin!.url}/metrics`)).body.text();
  return metricValue(text, `signet_retries_total{reason="${reason}"}`) ?? 0;
}

describe('retries', () => {
  it('retries 503 SlowDown with a buffered body until S3 accepts it', async () => {
    h.s3.faults.nextResponses = [slowDown(), slowDown()];
    const mark = h.s3.requests.length;
    const put = await rawRequest(h.url, { method: 'PUT', path: '/retry/a', headers: { 'content-length': 6 }, body: 'retry!' });
    expect(put.status).toBe(200);
    expect(since(h, mark)).toEqual([[503, 'SlowDown'], [503, 'SlowDown'], [200, '']]);
    expect(h.s3.requests.at(-1)!.bodyBytes).toBe(6);
    expect(await retries(h, 'throttled')).toBe(2);
  });

  it('gives up after --max-retries and passes S3\'s last answer through', async () => {
    h.s3.faults.nextResponses = [slowDown(), slowDown(), slowDown(), slowDown()];
    const mark = h.s3.requests.length;
    const res = await rawRequest(h.url, { path: '/retry/a' });
    expect(res.status).toBe(503);
    expect(res.body.toString()).toContain('<Code>SlowDown</Code>');
    expect(since(h, mark)).toHaveLength(3);
    h.s3.faults.nextResponses = [];
  });

  it('retries 500, 502 and 504, but not 501 or a 4xx', async () => {
    for (const status of [500, 502, 504]) {
      h.s3.faults.nextResponses = [{ status, code: 'InternalError' }];
      const mark = h.s3.requests.length;
      expect((await rawRequest(h.url, { path: '/retry/a' })).status).toBe(200);
      expect(since(h, mark).map(([s]) => s)).toEqual([status, 200]);
    }
    for (const [status, code] of [[501, 'NotImplemented'], [400, 'InvalidArgument'], [403, 'AccessDenied']] as const) {
      h.s3.faults.nextResponses = [{ status, code }];
      const mark = h.s3.requests.length;
      expect((await rawRequest(h.url, { path: '/retry/a' })).status).toBe(status);
      expect(since(h, mark)).toHaveLength(1);
    }
  });

  it('never resends a body that already streamed upstream: the client gets the 503', async () => {
    streamed.s3.faults.nextResponses = [slowDown()];
    const mark = streamed.s3.requests.length;
    const put = await rawRequest(streamed.url, { method: 'PUT', path: '/retry/s', headers: { 'content-length': 4 }, body: 'data' });
    expect(put.status).toBe(503);
    expect(put.body.toString()).toContain('<Code>SlowDown</Code>');
    expect(since(streamed, mark)).toEqual([[503, 'SlowDown']]);
    expect(streamed.logs.some((l) => l.includes('"payload":"unsigned"') && l.includes('"retries":0'))).toBe(true);
  });

  it('retries a connection reset before any response when the body is replayable', async () => {
    h.s3.faults.resetNext = 1;
    const mark = h.s3.requests.length;
    const put = await rawRequest(h.url, { method: 'PUT', path: '/retry/reset', headers: { 'content-length': 5 }, body: 'again' });
    expect(put.status).toBe(200);
    expect(since(h, mark).map(([s]) => s)).toEqual([0, 200]);
    expect(objectText(h, 'retry', 'reset')).toBe('again');
  });

  it('answers 502 BadGateway for a reset with a streamed body, without resending it', async () => {
    streamed.s3.faults.resetNext = 1;
    const mark = streamed.s3.requests.length;
    const put = await rawRequest(streamed.url, { method: 'PUT', path: '/retry/reset', headers: { 'content-length': 5 }, body: 'again' });
    expect(put.status).toBe(502);
    expect(put.body.toString()).toContain('<Code>BadGateway</Code>');
    expect(since(streamed, mark)).toHaveLength(1);
  });

  it('stops backing off as soon as the client goes away', async () => {
    const patient = await startHarness({ args: ['--max-retries', '10'] });
    try {
      patient.s3.faults.nextResponses = Array.from({ length: 11 }, slowDown);
      const req = httpRequest({ host: '127.0.0.1', port: new URL(patient.url).port, path: '/retry/gone', agent: false });
      req.on('error', () => undefined);
      req.end();
      await sleep(300);
      req.destroy();
      const atAbort = patient.s3.requests.length;
      // Backoff for attempts 2..10 would be up to 1 s, 2 s, … (full jitter): more requests would come.
      await sleep(2500);
      expect(patient.s3.requests.length).toBeLessThanOrEqual(atAbort + 1);
      expect(patient.s3.faults.nextResponses!.length).toBeGreaterThan(0);
    } finally {
      await patient.close();
    }
  });
});

function objectText(harness: Harness, bucket: string, key: string): string {
  const o = harness.s3.buckets.get(bucket)?.objects.get(key);
  return o === undefined ? '' : objectBytes(o).toString();
}
