import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

// The AWS CLI (botocore's own XML serialiser and signer) through a gateway whose client may delete
// only under tmp/: DeleteObjects is checked key by key, and `aws s3 rm --recursive` uses it.
const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const S3CMD = '/usr/bin/s3cmd';
const present = existsSync(AWS);
if (!present) console.log(`skipping gateway AWS CLI tests: ${AWS} is not installed`);
const s3cmdPresent = existsSync(S3CMD);
if (!s3cmdPresent) console.log(`skipping gateway s3cmd test: ${S3CMD} is not installed`);

const TEAM = { accessKeyId: 'CLITEAM', secretAccessKey: 'cli-team-secret-abcdefghijklmnop' };
const ADMIN = { accessKeyId: 'CLIADMIN', secretAccessKey: 'cli-admin-secret-abcdefghijklmno' };
let h: Harness;
beforeAll(async () => {
  if (!present && !s3cmdPresent) return;
  const dir = mkdtempSync(join(tmpdir(), 'signet-cli-gw-'));
  writeFileSync(join(dir, 'keys.yaml'), [
    'clients:', `  - accessKeyId: ${TEAM.accessKeyId}`, `    secret: ${TEAM.secretAccessKey}`, '    name: cli-team',
    '    buckets: ["cli-*"]', '    keys: ["tmp/*"]', '    actions: ["read-only", "s3:PutObject", "s3:DeleteObject"]',
    `  - accessKeyId: ${ADMIN.accessKeyId}`, `    secret: ${ADMIN.secretAccessKey}`, '    name: cli-admin', '',
  ].join('\n'));
  h = await startHarness({ args: ['--inbound-keys', join(dir, 'keys.yaml')], s3: { autoCreateBuckets: true } });
});
afterAll(async () => {
  await h?.close();
});

async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent-signet-test-home',
    AWS_ACCESS_KEY_ID: TEAM.accessKeyId, AWS_SECRET_ACCESS_KEY: TEAM.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent-signet-test-home/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent-signet-test-home/credentials', AWS_MAX_ATTEMPTS: '1', AWS_PAGER: '',
  };
  try {
    const r = await run(AWS, ['--endpoint-url', h.url, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const stored = (bucket: string, key: string): boolean => h.s3.buckets.get(bucket)?.objects.has(key) === true;

/** Objects put by a client without a policy: the CLI's client may not write outside tmp/. */
async function seed(bucket: string, keys: string[]): Promise<void> {
  const c = new S3Client({ endpoint: h.url, forcePathStyle: true, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 });
  for (const Key of keys) await c.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));
  c.destroy();
}

describe.skipIf(!present)('the AWS CLI through a key-policy gateway', () => {
  it('delete-objects: allowed when every key is, refused whole when one is not', async () => {
    await seed('cli-one', ['tmp/a', 'tmp/b c&d', 'keep/x']);
    const denied = await aws('s3api', 'delete-objects', '--bucket', 'cli-one', '--delete', JSON.stringify({ Objects: [{ Key: 'tmp/a' }, { Key: 'keep/x' }] }));
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('AccessDenied');
    expect(stored('cli-one', 'tmp/a')).toBe(true);
    const allowed = await aws('s3api', 'delete-objects', '--bucket', 'cli-one', '--delete', JSON.stringify({ Objects: [{ Key: 'tmp/a' }, { Key: 'tmp/b c&d' }] }));
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(stored('cli-one', 'tmp/a')).toBe(false);
    expect(stored('cli-one', 'tmp/b c&d')).toBe(false);
    expect(stored('cli-one', 'keep/x')).toBe(true);
  }, 120_000);

  it('s3 rm --recursive under the allowed prefix deletes it all (one DeleteObjects)', async () => {
    await seed('cli-two', ['tmp/1', 'tmp/2', 'tmp/deep/3', 'keep/4']);
    const r = await aws('s3', 'rm', 's3://cli-two/tmp/', '--recursive');
    expect(r.code).toBe(0);
    for (const k of ['tmp/1', 'tmp/2', 'tmp/deep/3']) expect(stored('cli-two', k)).toBe(false);
    expect(stored('cli-two', 'keep/4')).toBe(true);
    expect(h.s3.requests.some((q) => q.method === 'POST' && q.rawPath.includes('delete'))).toBe(true);
  }, 120_000);
});

describe.skipIf(!s3cmdPresent)('s3cmd through a key-policy gateway', () => {
  async function s3cmd(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const host = new URL(h.url).host;
    const base = ['--no-ssl', `--host=${host}`, `--host-bucket=${host}`, '--region=us-east-1', `--access_key=${TEAM.accessKeyId}`,
      `--secret_key=${TEAM.secretAccessKey}`, '--config=/dev/null', '--no-check-md5'];
    try {
      const r = await run(S3CMD, [...base, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent-signet-test-home' }, timeout: 60_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  }

  it('del --recursive: allowed under the prefix, refused whole when it reaches a key outside it', async () => {
    await seed('cli-three', ['tmp/1', 'tmp/2', 'keep/3']);
    const denied = await s3cmd('del', '--recursive', '--force', 's3://cli-three/');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/AccessDenied|403/);
    expect(stored('cli-three', 'tmp/1')).toBe(true);
    expect(stored('cli-three', 'keep/3')).toBe(true);
    const before = h.s3.requests.length;
    const allowed = await s3cmd('del', '--recursive', 's3://cli-three/tmp/');
    expect(allowed.code, allowed.stderr).toBe(0);
    // s3cmd deletes a recursive listing with one multi-object delete.
    expect(h.s3.requests.slice(before).some((q) => q.method === 'POST' && q.rawPath.includes('delete'))).toBe(true);
    expect(stored('cli-three', 'tmp/1')).toBe(false);
    expect(stored('cli-three', 'tmp/2')).toBe(false);
    expect(stored('cli-three', 'keep/3')).toBe(true);
  }, 120_000);
});
