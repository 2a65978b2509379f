import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials, startDemoS3, staticKeys } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { runDoctor } from '../../../src/doctor/index.js';
import type { CheckResult } from '../../../src/doctor/index.js';
import { signedCall } from '../../../src/doctor/signed-call.js';
import { isolatedAwsEnv } from '../../support/credentials/env.js';
import { startIdentitySts } from './fake-sts.js';

const keys = demoCredentials();
const ARN = 'arn:aws:iam::123456789012:user/signet-test';
let sts: Awaited<ReturnType<typeof startIdentitySts>>;
let s3: DemoS3;
let env: ReturnType<typeof isolatedAwsEnv> | undefined;

async function demoWithBucket(now?: () => number): Promise<DemoS3> {
  const server = await startDemoS3({ region: 'us-east-1', keys: staticKeys([keys]), ...(now ? { now } : {}) });
  const dispatcher = new Agent();
  const host = new URL(server.url).host;
  const date = new Date(now === undefined ? Date.now() : now());
  const made = await signedCall({ origin: server.url, host, method: 'PUT', path: '/doc-bucket', region: 'us-east-1', service: 's3', credentials: keys, date, dispatcher });
  await dispatcher.close();
  expect(made.status).toBe(200);
  return server;
}

beforeAll(async () => {
  sts = await startIdentitySts(new Map([[keys.accessKeyId, ARN]]));
  s3 = await demoWithBucket();
});
afterAll(async () => {
  await sts.server.down();
  await s3.close();
});
afterEach(() => {
  env?.restore();
  env = undefined;
});

async function doctor(args: string[], credentials: { id: string; secret: string } = { id: keys.accessKeyId, secret: keys.secretAccessKey }) {
  env = isolatedAwsEnv({ AWS_ACCESS_KEY_ID: credentials.id, AWS_SECRET_ACCESS_KEY: credentials.secret, AWS_ENDPOINT_URL_STS: sts.server.url });
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDoctor(args, { env: process.env, out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function doctorJson(args: string[], credentials?: { id: string; secret: string }) {
  const r = await doctor([...args, '--json'], credentials);
  return { code: r.code, report: JSON.parse(r.out) as { ok: boolean; checks: CheckResult[] } };
}

const statusOf = (checks: CheckResult[]): Record<string, string> => Object.fromEntries(checks.map((c) => [c.name, c.status]));
const check = (checks: CheckResult[], name: string): CheckResult => checks.find((c) => c.name === name)!;

describe('signet doctor', () => {
  it('passes every check against a healthy setup and exits 0, one readable line per check', async () => {
    const r = await doctor(['--region', 'us-east-1', '--upstream', s3.url, '--bucket', 'doc-bucket']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines.slice(0, 6).every((l) => l.startsWith('ok '))).toBe(true);
    expect(r.out).toContain(ARN);
    expect(r.out).toContain('bucket doc-bucket is in us-east-1');
    expect(r.out).toContain('HEAD /doc-bucket through signet: 200');
    expect(lines.at(-1)).toBe('all checks passed');
    expect(r.out).not.toContain(keys.secretAccessKey);
    // STS was asked with a signature scoped to sts in the configured region.
    expect(sts.calls.at(-1)).toEqual({ action: 'GetCallerIdentity', accessKeyId: keys.accessKeyId, region: 'us-east-1', service: 'sts' });
  });

  it('with --signing-algorithm sigv4a, skips the region check (no one region to learn) and the round trip passes', async () => {
    const { report } = await doctorJson(['--region', 'us-east-1', '--upstream', s3.url, '--bucket', 'doc-bucket', '--signing-algorithm', 'sigv4a', '--region-set', '*']);
    expect(statusOf(report.checks)).toMatchObject({ region: 'skipped', 'round trip': 'ok' });
    expect(check(report.checks, 'region').detail).toContain('region set *');
  });

  it('gives machines JSON: ok plus each check\'s name, status and detail', async () => {
    const { code, report } = await doctorJson(['--region', 'us-east-1', '--upstream', s3.url, '--bucket', 'doc-bucket']);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['credentials', 'identity', 'endpoint', 'clock', 'region', 'round trip']);
    for (const c of report.checks) expect(c).toEqual({ name: expect.any(String), status: 'ok', detail: expect.any(String) });
    expect(check(report.checks, 'credentials').detail).toMatch(/^from env \(key /);
  });

  it('skips the bucket checks without --bucket and still exits 0', async () => {
    const { code, report } = await doctorJson(['--region', 'us-east-1', '--upstream', s3.url]);
    expect(code).toBe(0);
    expect(statusOf(report.checks)).toMatchObject({ region: 'skipped', 'round trip': 'skipped' });
  });

  it('reports keys that AWS does not know, with a fix, and exits 1', async () => {
    const { code, report } = await doctorJson(['--region', 'us-east-1', '--upstream', s3.url, '--bucket', 'doc-bucket'], { id: 'AKIAUNKNOWNKEY000000', secret: 'wrong-secret' });
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(statusOf(report.checks)).toEqual({ credentials: 'ok', identity: 'problem', endpoint: 'ok', clock: 'ok', region: 'problem', 'round trip': 'problem' });
    expect(check(report.checks, 'identity').detail).toContain('InvalidClientTokenId');
    expect(check(report.checks, 'identity').fix).toContain('access key');
    expect(check(report.checks, 'round trip').detail).toContain('403 InvalidAccessKeyId');
    expect(JSON.stringify(report)).not.toContain('wrong-secret');
  });

  it('names a secret that does not match its key id in the round trip', async () => {
    const { code, report } = await doctorJson(['--region', 'us-east-1', '--upstream', s3.url, '--bucket', 'doc-bucket'], { id: keys.accessKeyId, secret: 'not-the-secret' });
    expect(code).toBe(1);
    const trip = check(report.checks, 'round trip');
    expect(trip.detail).toContain('SignatureDoesNotMatch');
    expect(trip.detail).toContain('signing key differs');
    expect(JSON.stringify(report)).not.toContain('not-the-secret');
  });

  it('reports a bucket in another region and the fix, while the round trip heals itself', async () => {
    const { code, report } = await doctorJson(['--region', 'us-west-2', '--upstream', s3.url, '--bucket', 'doc-bucket']);
    expect(code).toBe(1);
    expect(statusOf(report.checks)).toMatchObject({ region: 'problem', 'round trip': 'ok' });
    expect(check(report.checks, 'region').detail).toBe('bucket doc-bucket is in us-east-1, signet is configured for us-west-2');
    expect(check(report.checks, 'region').fix).toContain('--region us-east-1');
    expect(check(report.checks, 'round trip').detail).toContain('signed for us-east-1, after 1 retry');
  });

  it('reports a local clock 20 minutes off S3\'s, while the round trip heals itself', async () => {
    const skewed = await demoWithBucket(() => Date.now() + 20 * 60 * 1000);
    try {
      const { code, report } = await doctorJson(['--region', 'us-east-1', '--upstream', skewed.url, '--bucket', 'doc-bucket']);
      expect(code).toBe(1);
      expect(statusOf(report.checks)).toEqual({ credentials: 'ok', identity: 'ok', endpoint: 'ok', clock: 'problem', region: 'ok', 'round trip': 'ok' });
      expect(check(report.checks, 'clock').detail).toMatch(/^local clock is 1(19[89]|20[012]) s behind S3's$/);
      expect(check(report.checks, 'clock').fix).toContain('sync the clock');
      expect(check(report.checks, 'round trip').detail).toContain('after 1 retry');
    } finally {
      await skewed.close();
    }
  });

  it('reports an endpoint nobody listens on, and exits 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await doctor(['--region', 'us-east-1', '--upstream', `http://127.0.0.1:${port}`, '--bucket', 'doc-bucket']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^PROBLEM {2}endpoint +http:\/\/127\.0\.0\.1:\d+ unreachable: ECONNREFUSED/m);
    expect(r.out).toMatch(/^ +fix: check --upstream/m);
    expect(r.out).toMatch(/^PROBLEM {2}round trip +HEAD \/doc-bucket through signet: 502 BadGateway/m);
    expect(r.out.split('\n').at(-1)).toMatch(/^\d problems found$/);
  });

  it('exits 2 on a bad serve flag', async () => {
    const r = await doctor(['--region', 'us-east-1', '--upstream', 'ftp://nowhere']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('signet doctor: ');
  });
});

describe('signet doctor --help', () => {
  it('prints its usage and exits 0 without touching the network', async () => {
    const out: string[] = [];
    const code = await runDoctor(['--help'], { env: {}, out: (t) => out.push(t), err: () => undefined });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: signet doctor \[--bucket NAME\] \[--json\]/);
  });
});
