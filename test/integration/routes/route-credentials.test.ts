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

// Each route its own identity from a real STS conversation on 127.0.0.1: AssumeRole (external id,
// session name) on top of the default chain, and AssumeRoleWithWebIdentity with a token file.
let sts: Awaited<ReturnType<typeof startStsServer>>;
let s3: DemoS3;
let signet: RunningSignet;
let env: ReturnType<typeof isolatedAwsEnv>;

beforeAll(async () => {
  sts = await startStsServer();
  // The store knows exactly the keys STS issued.
  s3 = await startDemoS3({ region: 'us-east-1', record: true, autoCreateBuckets: true, keys: { lookup: (id) => sts.issuer.find(id) } });
  env = isolatedAwsEnv({ AWS_ACCESS_KEY_ID: 'AKIABASE', AWS_SECRET_ACCESS_KEY: 'base-secret', AWS_ENDPOINT_URL_STS: sts.server.url });
  const token = env.write('token', 'header.payload.signature');
  const config = env.write('signet.yaml', [
    'routes:',
    `  - { name: assumed, match: { buckets: ["assumed-*"] }, upstream: "${s3.url}", credentials: { roleArn: "arn:aws:iam::111122223333:role/team-a", externalId: ext-a, sessionName: gw-team-a, duration: 15m } }`,
    `  - { name: same-role, match: { buckets: ["shared-*"] }, upstream: "${s3.url}", credentials: { roleArn: "arn:aws:iam::111122223333:role/team-a", externalId: ext-a, sessionName: gw-team-a, duration: 15m } }`,
    `  - { name: web, match: { buckets: ["web-*"] }, upstream: "${s3.url}", credentials: { webIdentity: { roleArn: "arn:aws:iam::444455556666:role/web", tokenFile: "${token}" } } }`,
    '',
  ].join('\n'));
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  signet = await startSignet(loadConfig(['--region', 'us-east-1', '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--config', config], process.env), {
    logger: createLogger({ level: 'info', destination: sink }), accessLog: createAccessLog('info', sink), env: process.env,
  });
});
afterAll(async () => {
  await signet.close();
  await s3.close();
  await sts.server.down();
  env.restore();
});

describe('route credentials', () => {
  it('assumes each route\'s role as configured, once per identity, and signs that route\'s requests with it', async () => {
    const c = new S3Client({ endpoint: signet.proxy.url, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    for (const bucket of ['assumed-data', 'shared-data', 'web-data']) await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: bucket }));
    c.destroy();
    const assume = sts.calls.filter((x) => x.action === 'AssumeRole');
    const web = sts.calls.filter((x) => x.action === 'AssumeRoleWithWebIdentity');
    // Two routes, one identity: one cache, one AssumeRole.
    expect(assume).toHaveLength(1);
    expect(assume[0]).toMatchObject({ callerAccessKeyId: 'AKIABASE', region: 'us-east-1' });
    expect(assume[0]!.params).toMatchObject({ RoleArn: 'arn:aws:iam::111122223333:role/team-a', ExternalId: 'ext-a', RoleSessionName: 'gw-team-a', DurationSeconds: '900' });
    expect(web).toHaveLength(1);
    expect(web[0]!.params).toMatchObject({ RoleArn: 'arn:aws:iam::444455556666:role/web', WebIdentityToken: 'header.payload.signature' });
    const keyOf = (bucket: string): string => /Credential=([^/]+)\//.exec(s3.requests.find((r) => r.rawPath.startsWith(`/${bucket}/`))!.headers['authorization']!)![1]!;
    const [roleKey, webKey] = [sts.issuer.issued[0]!.accessKeyId, sts.issuer.issued[1]!.accessKeyId].sort();
    expect(keyOf('assumed-data')).toBe(keyOf('shared-data'));
    expect([keyOf('assumed-data'), keyOf('web-data')].sort()).toEqual([roleKey, webKey]);
    expect(keyOf('assumed-data')).not.toBe(keyOf('web-data'));
  });
});
