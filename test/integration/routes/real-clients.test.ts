import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { ADMIN, requestLines, startGateway } from './support.js';
import type { Gateway } from './support.js';

const run = promisify(execFile);
// /root/.pyenv/shims/aws on PATH is broken on this machine: Debian's CLI by its full path.
const AWS = '/usr/bin/aws';
const S3CMD = '/usr/bin/s3cmd';
const haveAws = existsSync(AWS);
const haveS3cmd = existsSync(S3CMD);
if (!haveAws) console.warn(`skipping the AWS CLI routes test: ${AWS} is absent (apt-get install awscli)`);
if (!haveS3cmd) console.warn(`skipping the s3cmd routes test: ${S3CMD} is absent (apt-get install s3cmd)`);

let g: Gateway;
beforeAll(async () => {
  g = await startGateway();
});
afterAll(async () => {
  await g.close();
});

/** Everything the CLI reads points into the test's directory; nothing leaves loopback. */
function awsEnv(): NodeJS.ProcessEnv {
  const config = join(g.dir, 'aws-cli-config');
  writeFileSync(config, '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
  return {
    PATH: process.env['PATH'], HOME: g.dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(g.dir, 'none'),
    AWS_ACCESS_KEY_ID: ADMIN.accessKeyId, AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}

function stored(bucket: string, key: string, where: 'a' | 'b'): string | undefined {
  const obj = (where === 'a' ? g.s3a : g.s3b).buckets.get(bucket)?.objects.get(key);
  return obj === undefined ? undefined : objectBytes(obj).toString('utf8');
}

describe('real clients through one gateway to two routes', () => {
  it.skipIf(!haveAws)('the AWS CLI (s3 cp both ways, s3 ls) reaches team a and team b', async () => {
    const file = join(g.dir, 'cli-upload.txt');
    writeFileSync(file, 'from the aws cli\n');
    const env = awsEnv();
    const cli = (...args: string[]) => run(AWS, ['--endpoint-url', g.url, ...args], { env });
    await cli('s3', 'cp', file, 's3://team-a-data/cli/one.txt');
    await cli('s3', 'cp', file, 's3://team-b-data/cli/two.txt');
    expect(stored('team-a-data', 'cli/one.txt', 'a')).toBe('from the aws cli\n');
    expect(stored('team-b-data', 'cli/two.txt', 'b')).toBe('from the aws cli\n');
    const back = join(g.dir, 'cli-download.txt');
    await cli('s3', 'cp', 's3://team-b-data/cli/two.txt', back);
    expect(readFileSync(back, 'utf8')).toBe('from the aws cli\n');
    const { stdout } = await cli('s3', 'ls', 's3://team-a-data/cli/');
    expect(stdout).toContain('one.txt');
    const err: unknown = await cli('s3', 'ls', 's3://unrouted-bucket/').catch((e: unknown) => e);
    expect(String((err as { stderr?: string }).stderr)).toMatch(/NotFound|404/);
    const lines = requestLines(g.logs);
    expect(new Set(lines.filter((l) => l['status'] !== 404).map((l) => l['route']))).toEqual(new Set(['team-a', 'team-b']));
    // The unrouted request has no route to name.
    expect(lines.filter((l) => l['status'] === 404).every((l) => l['route'] === undefined)).toBe(true);
  });

  it.skipIf(!haveS3cmd)('s3cmd (put, get, ls) reaches team a and team b', async () => {
    const { host } = new URL(g.url);
    const cfg = join(g.dir, 's3cmd.cfg');
    writeFileSync(cfg, [
      '[default]', `access_key = ${ADMIN.accessKeyId}`, `secret_key = ${ADMIN.secretAccessKey}`,
      `host_base = ${host}`, `host_bucket = ${host}`, 'use_https = False', 'bucket_location = us-east-1', 'signature_v2 = False', '',
    ].join('\n'));
    const file = join(g.dir, 's3cmd-upload.txt');
    writeFileSync(file, 'from s3cmd\n');
    const s3cmd = (...args: string[]) => run(S3CMD, ['-c', cfg, ...args], { env: { PATH: process.env['PATH'], HOME: g.dir } });
    await s3cmd('put', file, 's3://team-a-data/s3cmd/one.txt');
    await s3cmd('put', file, 's3://team-b-data/s3cmd/two.txt');
    expect(stored('team-a-data', 's3cmd/one.txt', 'a')).toBe('from s3cmd\n');
    expect(stored('team-b-data', 's3cmd/two.txt', 'b')).toBe('from s3cmd\n');
    const back = join(g.dir, 's3cmd-download.txt');
    await s3cmd('get', '--force', 's3://team-b-data/s3cmd/two.txt', back);
    expect(readFileSync(back, 'utf8')).toBe('from s3cmd\n');
    const { stdout } = await s3cmd('ls', 's3://team-a-data/s3cmd/');
    expect(stdout).toContain('s3://team-a-data/s3cmd/one.txt');
  });
});
