import { request } from 'undici';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics } from '../../../src/observability/index.js';
import { startAdminServer } from '../../../src/server/admin.js';
import type { AdminServer } from '../../../src/server/admin.js';

const silent = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
const metrics = createMetrics(undefined, { version: '9.9.9' });
let readiness: { ready: boolean; reason?: string } = { ready: true };
let admin: AdminServer;

beforeAll(async () => {
  admin = await startAdminServer({ host: '127.0.0.1', port: 0, metrics, isReady: () => readiness, logger: silent });
});
afterAll(async () => {
  await admin.close();
});

async function call(path: string, method = 'GET') {
  const res = await request(`${admin.url}${path}`, { method: method as 'GET' });
  return { status: res.statusCode, type: String(res.headers['content-type']), headers: res.headers, body: await res.body.text() };
}

describe('admin listener', () => {
  it('listens on the port the OS chose and reports its URL', () => {
    expect(admin.port).toBeGreaterThan(0);
    expect(admin.url).toBe(`http://127.0.0.1:${admin.port}`);
  });

  it('answers /healthz with 200 ok', async () => {
    const res = await call('/healthz');
    expect(res).toMatchObject({ status: 200, body: 'ok' });
    expect(res.type).toContain('text/plain');
  });

  it('answers /readyz with 200 ready, then 503 with the reason once not ready', async () => {
    readiness = { ready: true };
    expect(await call('/readyz')).toMatchObject({ status: 200, body: 'ready' });
    readiness = { ready: false, reason: 'credentials expired' };
    const res = await call('/readyz');
    expect(res).toMatchObject({ status: 503, body: 'credentials expired' });
    expect(res.type).toContain('text/plain');
    readiness = { ready: true };
  });

  it('serves the registry on /metrics in Prometheus text with its content type', async () => {
    metrics.regionRedirects.inc();
    const res = await call('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toBe(metrics.registry.contentType);
    expect(res.body).toContain('signet_region_redirects_total 1');
    expect(res.body).toContain('signet_build_info{version="9.9.9"');
    expect(res.body).toContain('process_resident_memory_bytes');
  });

  it('ignores a query string on a known path', async () => {
    expect((await call('/healthz?verbose=1')).status).toBe(200);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await call('/metrics', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
    expect((await call('/readyz', 'HEAD')).status).toBe(200);
  });

  it('answers other paths with 404', async () => {
    expect((await call('/')).status).toBe(404);
    expect((await call('/metricsx')).status).toBe(404);
  });

  it('answers other methods with 405 and an Allow header', async () => {
    const res = await call('/metrics', 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect((await call('/healthz', 'DELETE')).status).toBe(405);
  });
});

describe('admin listener lifecycle', () => {
  it('stops accepting connections after close, even with a kept-alive client', async () => {
    const server = await startAdminServer({ host: '127.0.0.1', port: 0, metrics, isReady: () => ({ ready: true }), logger: silent });
    const first = await request(`${server.url}/healthz`);
    expect(await first.body.text()).toBe('ok');
    await server.close();
    await expect(request(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('fails to start on a port that is taken', async () => {
    await expect(
      startAdminServer({ host: '127.0.0.1', port: admin.port, metrics, isReady: () => ({ ready: true }), logger: silent }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
