import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoS3, staticKeys } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { Agent } from 'undici';
import { runDoctor } from '../../../src/doctor/index.js';
import type { CheckResult } from '../../../src/doctor/index.js';
import { signedCall } from '../../../src/doctor/signed-call.js';
import { isolatedAwsEnv } from '../../support/credentials/env.js';
import { startIdentitySts } from '../healing/fake-sts.js';
import { SEARCH_KEYS, TEAM_A_KEYS, TEAM_B_KEYS } from './support.js';
import { startSigV4Service } from '../../support/sigv4-service.js';
import type { SigV4Service } from '../../support/sigv4-service.js';

let sts: Awaited<ReturnType<typeof startIdentitySts>>;
let s3a: DemoS3;
let s3b: DemoS3;
let search: SigV4Service;
let env: ReturnType<typeof isolatedAwsEnv>;

/** The store makes the bucket with its first object (autoCreateBuckets). */
async function seed(s3: DemoS3, keys: typeof TEAM_A_KEYS, region: string, bucket: string): Promise<void> {
  const dispatcher = new Agent();
  const made = await signedCall({ origin: s3.url, host: new URL(s3.url).host, method: 'PUT', path: `/${bucket}/seed`, region, service: 's3', credentials: keys, date: new Date(), dispatcher });
  await dispatcher.close();
  expect(made.status).toBe(200);
}

beforeAll(async () => {
  sts = await startIdentitySts(new Map([
    [TEAM_A_KEYS.accessKeyId, 'arn:aws:iam::111122223333:user/team-a'],
    [TEAM_B_KEYS.accessKeyId, 'arn:aws:iam::444455556666:user/team-b'],
    [SEARCH_KEYS.accessKeyId, 'arn:aws:iam::777788889999:user/search'],
  ]));
  s3a = await startDemoS3({ region: 'eu-west-1', keys: staticKeys([TEAM_A_KEYS]), autoCreateBuckets: true });
  s3b = await startDemoS3({ region: 'us-west-2', keys: staticKeys([TEAM_B_KEYS]), autoCreateBuckets: true });
  await seed(s3a, TEAM_A_KEYS, 'eu-west-1', 'team-a-data');
  await seed(s3b, TEAM_B_KEYS, 'us-west-2', 'team-b-data');
  search = await startSigV4Service({ service: 'es', region: 'eu-west-1', credentials: SEARCH_KEYS });
  env = isolatedAwsEnv({ AWS_ACCESS_KEY_ID: SEARCH_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: SEARCH_KEYS.secretAccessKey, AWS_ENDPOINT_URL_STS: sts.server.url });
  env.write('credentials', [
    '[team-a]', `aws_access_key_id = ${TEAM_A_KEYS.accessKeyId}`, `aws_secret_access_key = ${TEAM_A_KEYS.secretAccessKey}`,
    '[team-b]', `aws_access_key_id = ${TEAM_B_KEYS.accessKeyId}`, 'aws_secret_access_key = not-team-bs-secret', '',
  ].join('\n'));
});
afterAll(async () => {
  env.restore();
  await sts.server.down();
  await Promise.all([s3a.close(), s3b.close(), search.close()]);
});

describe('signet doctor with routes', () => {
  it('checks every route: identity and endpoint for each, a signed round trip for the S3 ones, named by route', async () => {
    const config = env.write('gateway.yaml', [
      'routes:',
      `  - { name: team-a, match: { buckets: [team-a-data] }, upstream: "${s3a.url}", region: eu-west-1, credentials: { profile: team-a } }`,
      `  - { name: team-b, match: { buckets: ["team-b-*"] }, upstream: "${s3b.url}", region: us-west-2, credentials: { profile: team-b } }`,
      `  - { name: search, match: { pathPrefix: /search }, upstream: "${search.url}", region: eu-west-1, service: es }`,
      '',
    ].join('\n'));
    const out: string[] = [];
    const code = await runDoctor(['--config', config, '--region', 'us-east-1', '--bucket', 'team-b-data', '--json'], { env: process.env, out: (t) => out.push(t), err: (t) => out.push(t) });
    const report = JSON.parse(out.join('\n')) as { ok: boolean; checks: CheckResult[] };
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toMatchObject({
      'team-a: credentials': 'ok', 'team-a: identity': 'ok', 'team-a: endpoint': 'ok', 'team-a: region': 'ok', 'team-a: round trip': 'ok',
      // team b's profile holds a wrong secret: its store says so, on team b's lines only (the fake STS checks key ids only).
      'team-b: credentials': 'ok', 'team-b: identity': 'ok', 'team-b: region': 'problem', 'team-b: round trip': 'problem',
      'search: credentials': 'ok', 'search: identity': 'ok', 'search: endpoint': 'ok', 'search: round trip': 'skipped',
    });
    expect(report.checks.find((c) => c.name === 'team-a: identity')?.detail).toContain('user/team-a');
    expect(report.checks.find((c) => c.name === 'team-a: round trip')?.detail).toContain('HEAD /team-a-data through signet: 200 (signed for eu-west-1');
    expect(report.checks.find((c) => c.name === 'team-b: round trip')?.detail).toContain('SignatureDoesNotMatch');
    expect(code).toBe(1);
    expect(out.join('\n')).not.toContain('not-team-bs-secret');
  });
});
