import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../../support/http.js';
import { signetFor, silentUpstream, stallingUpstream } from './stubborn-upstreams.js';
import type { Stubborn } from './stubborn-upstreams.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp(upstream: Stubborn, args: string[]) {
  const s = await signetFor(upstream.url, args);
  cleanups.push(() => upstream.close(), () => s.signet.close());
  return s;
}

describe('upstream timeouts', () => {
  it('answers 504 GatewayTimeout in S3 XML when the upstream sends no headers within --headers-timeout', async () => {
    const upstream = await silentUpstream();
    const s = await setUp(upstream, ['--headers-timeout', '300ms']);
    const started = Date.now();
    const res = await rawRequest(s.url, { path: '/bucket/key' });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(504);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.body.toString()).toMatch(/<Error><Code>GatewayTimeout<\/Code><Message>[^<]+<\/Message><Resource>\/bucket\/key<\/Resource>/);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3000);
    expect(s.logs.some((l) => l.includes('"status":504') && l.includes('"error":"GatewayTimeout"'))).toBe(true);
  });

  it('answers 504 when an error body stalls past --body-timeout (signet reads error bodies before replying)', async () => {
    const upstream = await stallingUpstream(403, '<?xml version="1.0"?><Error><Code>Acc', 400);
    const s = await setUp(upstream, ['--body-timeout', '300ms']);
    const res = await rawRequest(s.url, { path: '/bucket/key' });
    expect(res.status).toBe(504);
    expect(res.body.toString()).toContain('<Code>GatewayTimeout</Code>');
  });

  it('cuts the client connection when a 200 body stalls past --body-timeout, since its status line is already sent', async () => {
    const upstream = await stallingUpstream(200, 'first bytes', 1000);
    const s = await setUp(upstream, ['--body-timeout', '300ms']);
    const outcome = await new Promise<{ status: number; received: string; ended: boolean; failed: boolean }>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: new URL(s.url).port, path: '/bucket/key', agent: false }, (res) => {
        let received = '';
        res.on('data', (c: Buffer) => (received += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, received, ended: true, failed: false }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, received, ended: false, failed: true }));
      });
      req.on('error', () => resolve({ status: 0, received: '', ended: false, failed: true }));
      req.end();
    });
    expect(outcome).toEqual({ status: 200, received: 'first bytes', ended: false, failed: true });
  });

  it('does not retry a headers timeout (the upstream may still be working on the request)', async () => {
    const upstream = await silentUpstream();
    const s = await setUp(upstream, ['--headers-timeout', '200ms', '--max-retries', '3']);
    expect((await rawRequest(s.url, { path: '/bucket/key' })).status).toBe(504);
    expect(upstream.connections()).toBe(1);
  });
});
