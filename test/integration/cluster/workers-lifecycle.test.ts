import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, isolatedEnv, spawnSignet } from '../ops/cli-child.js';
import { eventually, inFlight, slowUpload } from '../ops/slow-upload.js';
import { get, metric, requestsByWorker, startCluster, workerPids } from './cluster-child.js';
import type { Cluster } from './cluster-child.js';

let cluster: Cluster | null = null;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await cluster?.close();
  cluster = null;
  for (const c of cleanups.splice(0)) c();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('signet serve --workers: lifecycle', () => {
  it('exits at once with 1 on a second signal, cutting the upload still in flight, and leaves no worker behind', async () => {
    const c = (cluster = await startCluster(2));
    const upload = slowUpload(c.proxy, '/cluster-bucket/stuck.txt');
    const outcome = upload.response.then(() => 'answered', () => 'cut');
    await eventually(async () => (await inFlight(c.admin)) === 1, 5000, 'the upload to be in flight');
    c.child.kill('SIGTERM');
    await eventually(async () => (await fetch(`${c.admin}/readyz`)).status === 503, 5000, '/readyz 503');
    const t0 = Date.now();
    c.child.kill('SIGTERM');
    const result = await c.done;
    // Workers get 1 s to flush their logs before they are killed: "at once" for an operator.
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(result.code).toBe(1);
    expect(await outcome).toBe('cut');
    for (const pid of workerPids(c.lines())) expect(alive(pid)).toBe(false);
  }, 60_000);

  it('stops with exit 2 and one line naming --listen when the port is taken, and leaves no worker behind', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => taken.close());
    const port = (taken.address() as AddressInfo).port;
    const child = spawnSignet(['serve', '--workers', '2', '--region', 'us-east-1', '--upstream', 'http://127.0.0.1:9', '--listen', `127.0.0.1:${port}`,
      '--admin-listen', '127.0.0.1:0'], isolatedEnv({ AWS_ACCESS_KEY_ID: 'AKIASTATICKEY', AWS_SECRET_ACCESS_KEY: 'static-secret' }));
    const result = await collect(child);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`signet: --listen: 127.0.0.1:${port} is already in use`);
    const pids = result.stdout.split('\n').filter((l) => l.includes('"worker started"')).map((l) => Number((JSON.parse(l) as { pid: number }).pid));
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  }, 60_000);

  it('stops with exit 2 and one line naming --admin-listen when the primary cannot bind it, before forking any worker', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => taken.close());
    const port = (taken.address() as AddressInfo).port;
    const result = await collect(spawnSignet(['serve', '--workers', '2', '--region', 'us-east-1', '--upstream', 'http://127.0.0.1:9',
      '--listen', '127.0.0.1:0', '--admin-listen', `127.0.0.1:${port}`], isolatedEnv({ AWS_ACCESS_KEY_ID: 'AKIASTATICKEY', AWS_SECRET_ACCESS_KEY: 'static-secret' })));
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`signet: --admin-listen: 127.0.0.1:${port} is already in use`);
    expect(result.stdout).not.toContain('worker started');
  }, 60_000);

  it('stops with exit 2 naming the credential sources when there are no credentials, before forking any worker', async () => {
    const child = spawnSignet(['serve', '--workers', '2', '--region', 'us-east-1', '--upstream', 'http://127.0.0.1:9', '--listen', '127.0.0.1:0',
      '--admin-listen', '127.0.0.1:0'], isolatedEnv());
    const result = await collect(child);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^signet: signet could not resolve AWS credentials: /m);
    expect(result.stdout).not.toContain('worker started');
  }, 60_000);

  it('refuses --workers for signet demo (one process) with exit 2', async () => {
    const result = await collect(spawnSignet(['demo', '--workers', '2', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], isolatedEnv()));
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('signet: --workers: signet demo runs as one process (use signet serve for workers)');
  }, 30_000);

  it('keeps serving on pushed credentials while the credential endpoint is down, fails closed at their expiry, and recovers', async () => {
    // 8 s credentials, refreshed 5–5.5 s early: the primary's first refresh fails at ~2.5–3 s.
    const c = (cluster = await startCluster(2, ['--credentials-refresh-margin', '5s'], 8_000));
    await c.credentialEndpoint(false);
    const expiresAt = c.issuer.last!.expiresAtMs;
    await eventually(async () => (await metric(c.admin, 'signet_credentials_refreshes_total', 'result="failure"')) >= 1, 10_000, 'a failed refresh');
    expect(Date.now()).toBeLessThan(expiresAt - 1000);
    for (let i = 0; i < 6; i++) expect((await get(c.proxy, '/cluster-bucket/missing')).status).toBe(404);
    expect((await fetch(`${c.admin}/readyz`)).status).toBe(200);

    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 200)));
    for (let i = 0; i < 6; i++) {
      const res = await get(c.proxy, '/cluster-bucket/missing');
      expect(res.status).toBe(503);
      expect(res.body).toContain('<Code>ServiceUnavailable</Code>');
    }
    const ready = await fetch(`${c.admin}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).not.toMatch(/^ready/);

    await c.credentialEndpoint(true);
    await eventually(async () => (await fetch(`${c.admin}/readyz`)).status === 200, 40_000, 'recovery');
    for (let i = 0; i < 6; i++) expect((await get(c.proxy, '/cluster-bucket/missing')).status).toBe(404);
  }, 90_000);

  it('waits for a credential endpoint that is down at start, as one process does: workers listen, 503 and not ready, then serve once it answers', async () => {
    const c = (cluster = await startCluster(2, [], 60 * 60 * 1000, false));
    expect(c.lines().some((l) => l.msg === 'signet listening without credentials; not ready' && l.worker === 0)).toBe(true);
    const ready = await fetch(`${c.admin}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/container/);
    for (let i = 0; i < 4; i++) {
      const res = await get(c.proxy, '/cluster-bucket/missing');
      expect(res.status).toBe(503);
      expect(res.body).toContain('<Code>ServiceUnavailable</Code>');
    }
    await c.credentialEndpoint(true);
    await eventually(async () => (await fetch(`${c.admin}/readyz`)).status === 200, 40_000, 'recovery');
    for (let i = 0; i < 6; i++) expect((await get(c.proxy, '/cluster-bucket/missing')).status).toBe(404);
    // Fetched by the primary alone: one set, not one per worker.
    expect(c.issuer.issued).toHaveLength(1);
  }, 90_000);

  it('shares a TLS listener between the workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-cluster-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cert = join(dir, 'c.crt');
    const key = join(dir, 'c.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const c = (cluster = await startCluster(2, ['--tls-cert', cert, '--tls-key', key]));
    expect(c.proxy).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(cert);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push(await new Promise<number>((resolve, reject) => {
        const req = request(`${c.proxy}/cluster-bucket/tls-${i}.txt`, { method: 'PUT', ca, agent: false, headers: { 'content-length': 2 } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end('ok');
      }));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    await eventually(async () => (await metric(c.admin, 'signet_requests_total')) === 40, 5000, '40 requests counted');
    c.child.kill('SIGTERM');
    expect((await c.done).code).toBe(0);
    // After the drain every worker's access lines are out: the primary's counter was their sum.
    const served = requestsByWorker(c.lines());
    expect(served.size).toBe(2);
    expect([...served.values()].every((lines) => lines.length > 0)).toBe(true);
    expect([...served.values()].reduce((n, lines) => n + lines.length, 0)).toBe(40);
  }, 60_000);
});
