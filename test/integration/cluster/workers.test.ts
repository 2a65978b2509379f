import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, inFlight, slowUpload } from '../ops/slow-upload.js';
import { get, metric, put, requestsByWorker, startCluster, workerPids } from './cluster-child.js';
import type { Cluster } from './cluster-child.js';

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

async function allOk(c: Cluster, n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const key = `/cluster-bucket/${tag}-${i}.txt`;
    expect((await put(c.proxy, key, `body ${i}`)).status).toBe(200);
    const got = await get(c.proxy, key);
    expect(got).toEqual({ status: 200, body: `body ${i}` });
  }
}

describe('signet serve --workers 2', () => {
  it('serves from both workers with one credential feed, rotates, replaces a killed worker, aggregates metrics and drains on SIGTERM', async () => {
    // Credentials live 20 s and are refreshed 17–18.7 s early: a new set every 1.3–3 s.
    const c = (cluster = await startCluster(2, ['--credentials-refresh-margin', '17s'], 20_000));
    expect((await fetch(`${c.admin}/readyz`)).status).toBe(200);
    const workers = new Set(c.lines().filter((l) => l.msg === 'signet ready' && l.worker !== 0).map((l) => l.worker));
    expect(workers.size).toBe(2);

    // 1. Each request on its own connection: the primary deals them out to both workers.
    await allOk(c, 40, 'first');
    // Access lines are written 4 KiB at a time; 80 requests fill several batches in each worker.
    await eventually(async () => requestsByWorker(c.lines()).size === 2, 5000, 'request lines from both workers');
    // 2. The request counter on the primary's admin port is the sum over the workers.
    await eventually(async () => (await metric(c.admin, 'signet_requests_total')) === 80, 5000, '80 requests counted');
    expect(await metric(c.admin, 'signet_build_info')).toBe(1);
    expect(await metric(c.admin, 'signet_workers')).toBe(2);
    expect(await metric(c.admin, 'signet_workers_ready')).toBe(2);
    expect(await metric(c.admin, 'signet_requests_in_flight')).toBe(0);

    // 3. Credentials: one fetch per refresh, by the primary alone, and every worker signs with the latest set.
    await eventually(async () => c.issuer.issued.length >= 4, 20_000, 'three rotations');
    await eventually(async () => {
      const refreshes = await metric(c.admin, 'signet_credentials_refreshes_total', 'result="success"');
      return refreshes === c.hits() && refreshes === c.issuer.issued.length;
    }, 5000, 'credential endpoint hits to equal the primary\'s refreshes');
    // The S3 stand-in accepts the latest set only (the previous one for 1 s). node:cluster deals new
    // connections to the workers in turn, so these 20 requests reach both: a worker still signing
    // with an older set would fail half of them.
    await sleep(1100);
    await allOk(c, 10, 'rotated');
    const secret = c.issuer.last!.secretAccessKey;
    const token = c.issuer.last!.sessionToken;
    expect(c.rawLines.some((l) => l.includes(secret) || l.includes(token))).toBe(false);

    // 4. A worker killed outright is replaced; the service keeps answering meanwhile.
    const [victim] = workerPids(c.lines());
    process.kill(victim!, 'SIGKILL');
    await eventually(async () => c.lines().some((l) => l.msg === 'worker exited unexpectedly; starting a new one'), 5000, 'the death to be noticed');
    await allOk(c, 5, 'one-left');
    await eventually(async () => workerPids(c.lines()).length === 3 && (await fetch(`${c.admin}/readyz`)).status === 200, 15_000, 'a replacement');
    expect(await metric(c.admin, 'signet_worker_restarts_total')).toBe(1);
    await allOk(c, 30, 'replaced');

    // 5. SIGHUP reaches every worker, which reloads what it can (here: nothing), and stops none.
    c.child.kill('SIGHUP');
    await eventually(async () => c.lines().filter((l) => l.msg === 'reload: nothing to reload (no --inbound-keys, no routes)' && l.worker !== 0).length === 2,
      5000, 'SIGHUP in both workers');
    await allOk(c, 2, 'after-hup');

    // 6. SIGTERM with an upload in flight: readiness off, the upload completes, exit 0.
    const upload = slowUpload(c.proxy, '/cluster-bucket/in-flight.txt');
    await eventually(async () => (await inFlight(c.admin)) === 1, 5000, 'the upload to be in flight');
    c.child.kill('SIGTERM');
    await eventually(async () => (await fetch(`${c.admin}/readyz`)).status === 503, 5000, '/readyz 503');
    upload.finish();
    expect((await upload.response).status).toBe(200);
    const result = await c.done;
    expect(result.code).toBe(0);

    // Every line is whole JSON (none torn by two processes writing at once), and names its process.
    const lines = c.lines();
    for (const l of lines) expect(typeof l.worker).toBe('number');
    // The primary's lines about a worker name it apart from their own `worker` field (0).
    for (const l of lines.filter((x) => x.msg === 'worker started')) expect(l).toMatchObject({ worker: 0, workerId: expect.any(Number) });
    const served = requestsByWorker(lines);
    const replacement = Math.max(...served.keys());
    expect(replacement).toBe(3);
    expect(served.get(3)!.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.msg === 'shutdown complete').map((l) => l.worker).sort()).toEqual([0, ...[...served.keys()].filter((w) => w !== Number(victimWorker(lines, victim!)))].sort());
  }, 120_000);
});

function victimWorker(lines: ReturnType<Cluster['lines']>, pid: number): number {
  return Number(lines.find((l) => l.msg === 'worker started' && l.pid === pid)?.workerId);
}
