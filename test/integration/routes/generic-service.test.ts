import { Writable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { createAccessLog, createLogger } from '../../../src/observability/index.js';
import { startSignet } from '../../../src/server/signet.js';
import type { RunningSignet } from '../../../src/server/signet.js';
import { startSigV4Service } from '../../support/sigv4-service.js';
import type { SigV4Service } from '../../support/sigv4-service.js';
import { requestLines } from './support.js';

// A sidecar for one generic SigV4 service: no routes: list, --service names it (one implicit route).
const KEYS = { accessKeyId: 'AKIAAPIGATEWAY', secretAccessKey: 'execute-api-secret/+0123456789abcdefgh', sessionToken: 'session-token-of-the-role' };
let svc: SigV4Service;
let signet: RunningSignet;
const logs: string[] = [];
beforeAll(async () => {
  svc = await startSigV4Service({ service: 'execute-api', region: 'eu-central-1', credentials: KEYS });
  const config = loadConfig(['--region', 'eu-central-1', '--service', 'execute-api', '--upstream', svc.url, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--buffer-limit', '1KiB'], {});
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(line);
      cb();
    },
  });
  signet = await startSignet(config, {
    logger: createLogger({ level: 'info', destination: sink }), accessLog: createAccessLog('info', sink),
    fetchCredentials: async () => ({ credentials: { ...KEYS }, source: 'test' }),
  });
});
afterAll(async () => {
  await signet.close();
  await svc.close();
});

describe('signet serve --service execute-api (generic SigV4 rules, one implicit route)', () => {
  it('signs a GET with a query by the generic rules, with the session token', async () => {
    const res = await request(`${signet.proxy.url}/prod/items/a%20b/../c?limit=5&next=x%2By`);
    expect(await res.body.json()).toMatchObject({ ok: true, path: '/prod/items/c' });
    expect(res.statusCode).toBe(200);
    expect(svc.refused).toEqual([]);
    expect(svc.calls.at(-1)).toMatchObject({ method: 'GET', path: '/prod/items/c', query: 'limit=5&next=x%2By' });
    // No routes: list, so no route field; the operation is the method.
    expect(requestLines(logs).at(-1)).toMatchObject({ op: 'GET', bucket: '', status: 200 });
    expect(requestLines(logs).at(-1)).not.toHaveProperty('route');
  });

  it('buffers a small body and spools one over --buffer-limit, hashing both (never aws-chunked)', async () => {
    const small = JSON.stringify({ n: 1 });
    const big = JSON.stringify({ data: 'x'.repeat(5000) });
    for (const body of [small, big]) {
      const res = await request(`${signet.proxy.url}/prod/items`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(await res.body.json()).toMatchObject({ ok: true, bytes: body.length });
    }
    expect(svc.refused).toEqual([]);
    expect(requestLines(logs).slice(-2).map((l) => l['payload'])).toEqual(['buffered', 'spooled']);
  });

  it('passes the service\'s own error through as the service wrote it (JSON, not S3 XML)', async () => {
    // The client's own x-amz-content-sha256 is forwarded for the service to check (as S3 does), and it does.
    const res = await request(`${signet.proxy.url}/prod/items`, { method: 'POST', body: 'x', headers: { 'x-amz-content-sha256': '0'.repeat(64) } });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(await res.body.text())).toMatchObject({ message: expect.stringContaining('payload hash differs from the body') as string });
    expect(svc.refused.at(-1)).toBe('payload hash differs from the body');
    expect(requestLines(logs).at(-1)).toMatchObject({ status: 403, payload: 'client-hash' });
  });
});
