import { Writable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { startDemoS3 } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { createAccessLog, createLogger } from '../../../src/observability/index.js';
import { startSignet } from '../../../src/server/signet.js';
import type { RunningSignet } from '../../../src/server/signet.js';
import { isolatedAwsEnv } from '../../support/credentials/env.js';
import { startStsServer } from '../../support/credentials/sts-server.js';

// /readyz with routes: ready only once every route's identity is held. One route's STS is down at
// start: signet listens, names that route in /readyz, serves the other route, and recovers alone.
let sts: Awaited<ReturnType<typeof startStsServer>>;
let s3: DemoS3;
let signet: RunningSignet;
let env: ReturnType<typeof isolatedAwsEnv>;
const BASE = { accessKeyId: 'AKIABASEREADY', secretAccessKey: 'base-ready-secret' };

beforeAll(async () => {
  sts = await startStsServer();
  sts.state.failWith = { status: 503, code: 'ServiceUnavailable' };
  s3 = await startDemoS3({ region: 'us-east-1', autoCreateBuckets: true, keys: { lookup: (id) => (id === BASE.accessKeyId ? { secretAccessKey: BASE.secretAccessKey } : sts.issuer.find(id)) } });
  env = isolatedAwsEnv({ AWS_ACCESS_KEY_ID: BASE.accessKeyId, AWS_SECRET_ACCESS_KEY: BASE.secretAccessKey, AWS_ENDPOINT_URL_STS: sts.server.url });
  const token = env.write('token', 'header.payload.signature');
  const config = env.write('signet.yaml', [
    'routes:',
    `  - { name: plain, match: { buckets: ["plain-*"] }, upstream: "${s3.url}" }`,
    `  - { name: web, match: { buckets: ["web-*"] }, upstream: "${s3.url}", credentials: { webIdentity: { roleArn: "arn:aws:iam::444455556666:role/web", tokenFile: "${token}" } } }`,
    '',
  ].join('\n'));
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  signet = await startSignet(loadConfig(['--region', 'us-east-1', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--config', config], process.env), {
    logger: createLogger({ level: 'info', destination: sink }), accessLog: createAccessLog('info', sink), env: process.env,
  });
});
afterAll(async () => {
  await signet.close();
  await s3.close();
  await sts.server.down();
  env.restore();
});

const put = async (bucket: string): Promise<number> => {
  const c = new S3Client({ endpoint: signet.proxy.url, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  try {
    const out = await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }));
    return out.$metadata.httpStatusCode ?? 0;
  } catch (err) {
    return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  } finally {
    c.destroy();
  }
};

describe('readiness with routes', () => {
  it('is not ready while one route has no credentials, serves the others, and becomes ready when they come', async () => {
    const ready = await fetch(`${signet.admin!.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain('route web:');
    expect(await put('plain-data')).toBe(200);
    expect(await put('web-data')).toBe(503);
    sts.state.failWith = null;
    let status = 0;
    for (let i = 0; i < 150 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await fetch(`${signet.admin!.url}/readyz`)).status;
    }
    expect(status).toBe(200);
    expect(await put('web-data')).toBe(200);
  });
});
