import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';

// A browser on the sidecar's host shares its loopback: a page from another site must not get
// requests signed (CSRF), and a rebound DNS name must not either (DNS rebinding).
let h: Harness;
let port: string;
beforeAll(async () => {
  h = await startHarness({ s3: { autoCreateBuckets: true } });
  port = new URL(h.url).port;
  expect((await rawRequest(h.url, { method: 'PUT', path: '/guard/k', headers: { 'content-length': 1 }, body: 'v' })).status).toBe(200);
});
afterAll(async () => {
  await h.close();
});

async function refusedWithout(headers: Record<string, string>, path = '/guard/k', method = 'GET'): Promise<void> {
  const before = h.s3.requests.length;
  const res = await rawRequest(h.url, { method, path, headers: { 'content-length': 0, ...headers } });
  expect(res.status, JSON.stringify(headers)).toBe(403);
  expect(res.body.toString()).toContain('<Code>AccessDenied</Code>');
  expect(h.s3.requests.length).toBe(before);
}

describe('sidecar on loopback: requests a browser makes for another site', () => {
  it('refuses a Host that is not a loopback name (DNS rebinding)', async () => {
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `[2001:db8::1]:${port}`]) await refusedWithout({ host });
  });

  it('refuses Sec-Fetch-Site: cross-site and a foreign or opaque Origin, also for the presign endpoint and a DELETE', async () => {
    await refusedWithout({ 'sec-fetch-site': 'cross-site' });
    await refusedWithout({ origin: 'https://evil.example' });
    await refusedWithout({ origin: 'null' });
    await refusedWithout({ origin: 'https://evil.example', 'content-type': 'text/plain' }, '/guard/k', 'DELETE');
    await refusedWithout({ 'sec-fetch-site': 'cross-site' }, '/_signet/presign?method=GET&bucket=guard&key=k');
    expect(h.s3.buckets.get('guard')?.objects.has('k')).toBe(true);
  });

  it('serves loopback names, virtual-hosted buckets, same-site and same-origin pages', async () => {
    for (const headers of <Array<Record<string, string>>>[
      { host: `127.0.0.1:${port}` }, { host: `localhost:${port}` }, { host: `[::1]:${port}` },
      { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' },
      { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
    ]) {
      const res = await rawRequest(h.url, { path: '/guard/k', headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
    }
    const hosted = await rawRequest(h.url, { path: '/k', headers: { host: `guard.localhost:${port}` } });
    expect(hosted.status).toBe(200);
    expect(hosted.body.toString()).toBe('v');
  });
});
