// `signet serve --workers 2` as a gateway with routes of different identities, as real processes on
// 127.0.0.1: the default chain from a loopback container-credentials endpoint, and AssumeRole on top
// of it from a loopback STS. Each route's embedded S3 accepts only the keys of its own identity, and
// checks every signature with @smithy/signature-v4. Clients sign with @smithy/signature-v4 too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoS3 } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { startContainerServer } from '../../support/credentials/container-server.js';
import { startStsServer } from '../../support/credentials/sts-server.js';
import { isolatedEnv } from '../ops/cli-child.js';
import { signedCall } from '../ops/signed-client.js';
import type { ClientKey } from '../ops/signed-client.js';
import { eventually } from '../ops/slow-upload.js';
import { metric, requestsByWorker, spawnCluster } from './cluster-child.js';
import type { ClusterProcess, LogLine } from './cluster-child.js';

const TOKEN = 'routes-cluster-token';
const ADMIN: ClientKey = { accessKeyId: 'GWADMIN', secretAccessKey: 'gateway-admin-secret/+abcdefghijklmnop' };
const NEWCOMER: ClientKey = { accessKeyId: 'GWNEWCOMER', secretAccessKey: 'gateway-newcomer-secret/+abcdefghijk' };

let container: Awaited<ReturnType<typeof startContainerServer>>;
let sts: Awaited<ReturnType<typeof startStsServer>>;
/** Knows only the default chain's keys (the container endpoint's). */
let s3Default: DemoS3;
/** Knows only the keys STS issued (the assumed roles'). */
let s3Assumed: DemoS3;
let dir: string;
let configFile: string;
let keysFile: string;
let p: ClusterProcess;

const route = (name: string, bucket: string, upstream: string, role?: string): string =>
  `  - { name: ${name}, match: { buckets: ["${bucket}-*"] }, upstream: "${upstream}", region: us-east-1` +
  (role === undefined ? ' }' : `, credentials: { roleArn: "arn:aws:iam::111122223333:role/${role}", sessionName: gw-${role} } }`);
const client = (k: ClientKey, name: string): string => `  - { accessKeyId: ${k.accessKeyId}, secret: "${k.secretAccessKey}", name: ${name} }`;

beforeAll(async () => {
  container = await startContainerServer({ token: TOKEN });
  sts = await startStsServer();
  s3Default = await startDemoS3({ region: 'us-east-1', record: true, autoCreateBuckets: true, keys: { lookup: (id) => container.issuer.find(id) } });
  s3Assumed = await startDemoS3({ region: 'us-east-1', record: true, autoCreateBuckets: true, keys: { lookup: (id) => sts.issuer.find(id) } });
  dir = mkdtempSync(join(tmpdir(), 'signet-workers-routes-'));
  configFile = join(dir, 'signet.yaml');
  keysFile = join(dir, 'clients.yaml');
  writeFileSync(configFile, ['routes:', route('plain', 'plain', s3Default.url), route('assumed', 'assumed', s3Assumed.url, 'team-a'), ''].join('\n'));
  writeFileSync(keysFile, ['clients:', client(ADMIN, 'admin'), ''].join('\n'));
  p = await spawnCluster([
    '--workers', '2', '--region', 'us-east-1', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0',
    '--config', configFile, '--inbound-keys', keysFile,
  ], isolatedEnv({
    AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN, AWS_ENDPOINT_URL_STS: sts.server.url,
  }));
}, 60_000);

afterAll(async () => {
  p?.kill();
  await Promise.all([s3Default?.close(), s3Assumed?.close(), container?.server.down(), sts?.server.down()]);
  rmSync(dir, { recursive: true, force: true });
});

/** `n` PUTs then GETs to `bucket`, each on its own connection (so node:cluster deals them to both workers); every one 200. */
async function allOk(key: ClientKey, bucket: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const path = `/${bucket}/object-${i}.txt`;
    const put = await signedCall(p.proxy, key, { method: 'PUT', path, body: `${bucket} ${i}` });
    expect(put.status, put.body.toString()).toBe(200);
    const got = await signedCall(p.proxy, key, { path });
    expect({ status: got.status, body: got.body.toString() }).toEqual({ status: 200, body: `${bucket} ${i}` });
  }
}

const workerLines = (msg: string): LogLine[] => p.lines().filter((l) => l.msg === msg && l.worker !== 0);
const assumeRoles = (): number => sts.calls.filter((c) => c.action === 'AssumeRole').length;

describe('signet serve --workers 2 with routes', () => {
  it('serves every route from both workers with its own identity, fetched once by the primary; a routes reload and a keys reload reach both workers', async () => {
    // 1. Both routes, both identities, no failure; the S3 behind each knows only its identity's keys.
    await allOk(ADMIN, 'plain-data', 6);
    await allOk(ADMIN, 'assumed-data', 6);
    expect(s3Default.requests.length).toBeGreaterThanOrEqual(12);
    expect(s3Assumed.requests.length).toBeGreaterThanOrEqual(12);
    // Once per identity, not once per worker: the default chain's cache and the AssumeRole's own
    // source chain each asked the container endpoint once; STS was asked once.
    expect(assumeRoles()).toBe(1);
    expect(container.server.requests).toBe(2);
    expect(await metric(p.admin, 'signet_credentials_refreshes_total', 'result="success"')).toBe(2);
    expect((await fetch(`${p.admin}/readyz`)).status).toBe(200);

    // 2. A routes reload adds a route with a new identity: the primary fetches it (one more AssumeRole),
    //    pushes it, then both workers swap their tables.
    writeFileSync(configFile, ['routes:', route('plain', 'plain', s3Default.url), route('assumed', 'assumed', s3Assumed.url, 'team-a'),
      route('team-c', 'team-c', s3Assumed.url, 'team-c'), ''].join('\n'));
    await eventually(async () => workerLines('routes reloaded').length === 2, 15_000, 'both workers to reload their routes');
    expect(p.lines().some((l) => l.msg === 'routes reloaded; the workers reload theirs' && l.worker === 0)).toBe(true);
    expect(assumeRoles()).toBe(2);
    expect(sts.calls.at(-1)!.params).toMatchObject({ RoleArn: 'arn:aws:iam::111122223333:role/team-c', RoleSessionName: 'gw-team-c' });
    await allOk(ADMIN, 'team-c-data', 6);
    await allOk(ADMIN, 'assumed-data', 2);
    // Counted once, by the primary, which alone reads the routes.
    expect(await metric(p.admin, 'signet_config_reloads_total', 'source="routes",result="success"')).toBe(1);
    expect(workerLines('routes reload refused; the previous routes stay in force')).toEqual([]);

    // 3. The keys file changes: each worker's own watcher reloads it, and the new key works on both.
    writeFileSync(keysFile, ['clients:', client(ADMIN, 'admin'), client(NEWCOMER, 'newcomer'), ''].join('\n'));
    await eventually(async () => workerLines('inbound keys reloaded').length === 2, 15_000, 'both workers to reload the keys');
    await allOk(NEWCOMER, 'plain-data', 6);
    // Once per worker: each reloaded the file itself.
    expect(await metric(p.admin, 'signet_config_reloads_total', 'source="inbound-keys",result="success"')).toBe(2);

    // 4. SIGHUP to the primary: each worker re-reads the keys, the primary the routes (then the workers theirs).
    p.child.kill('SIGHUP');
    await eventually(async () => workerLines('inbound keys reloaded').length === 4 && workerLines('routes reloaded').length === 4,
      15_000, 'SIGHUP to reach both workers');
    await allOk(NEWCOMER, 'team-c-data', 2);
    // Nothing fetched again: every identity was kept across both reloads.
    expect(assumeRoles()).toBe(2);
    expect(container.server.requests).toBe(3);
    expect(await metric(p.admin, 'signet_config_reloads_total', 'source="routes",result="success"')).toBe(2);
    expect(await metric(p.admin, 'signet_config_reloads_total', 'result="failure"')).toBe(0);

    // 5. Drain; then every request line is there, and each worker served each route and the new client.
    p.child.kill('SIGTERM');
    expect((await p.done).code).toBe(0);
    const byWorker = requestsByWorker(p.lines());
    expect(byWorker.size).toBe(2);
    for (const [, lines] of byWorker) {
      expect(lines.every((l) => l.status === 200)).toBe(true);
      for (const r of ['plain', 'assumed', 'team-c']) expect(lines.some((l) => l.route === r)).toBe(true);
      expect(lines.some((l) => l.client === 'newcomer')).toBe(true);
    }
  }, 120_000);
});
