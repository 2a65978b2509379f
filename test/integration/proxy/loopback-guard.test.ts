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
  const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36';

  it('refuses a browser request under a Host that is not a loopback name (DNS rebinding)', async () => {
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `[2001:db8::1]:${port}`]) {
      await refusedWithout({ host, 'user-agent': BROWSER });
    }
  });

  it('serves a tool that is no browser under any Host (hostAliases pointing s3.amazonaws.com at the sidecar)', async () => {
    const res = await rawRequest(h.url, { path: '/guard/k', headers: { host: 's3.amazonaws.com', 'user-agent': 'aws-cli/1.18 Python/3.8' } });
    expect(res.status).toBe(200);
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
      { host: `127.0.0.1:${port}`, 'user-agent': BROWSER }, { host: `localhost:${port}`, 'user-agent': BROWSER }, { host: `[::1]:${port}` },
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
