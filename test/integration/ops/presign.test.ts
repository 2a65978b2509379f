import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials, objectBytes, staticKeys, startDemoS3 } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { isolatedEnv, runSignet } from './cli-child.js';

let s3: DemoS3;
const keys = demoCredentials();
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  s3 = await startDemoS3({ region: 'us-east-1', keys: staticKeys([keys]), autoCreateBuckets: true });
  env = isolatedEnv({ AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
});
afterAll(async () => {
  await s3.close();
});

function presign(...args: string[]) {
  return runSignet(['presign', '--region', 'us-east-1', '--upstream', s3.url, ...args], env);
}

describe('signet presign', () => {
  it('prints a PUT URL that stores a body and a GET URL that returns it', async () => {
    const put = await presign('--method', 'PUT', 's3://presign-bucket/dir/hello world.txt');
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    const putUrl = put.stdout.trim();
    expect(putUrl.startsWith(`${s3.url}/presign-bucket/dir/hello%20world.txt?`)).toBe(true);
    const stored = await fetch(putUrl, { method: 'PUT', body: 'presigned body' });
    expect(stored.status).toBe(200);
    expect(objectBytes(s3.buckets.get('presign-bucket')!.objects.get('dir/hello world.txt')!).toString()).toBe('presigned body');

    const get = await presign('--expires=15m', 's3://presign-bucket/dir/hello world.txt');
    expect(get.code).toBe(0);
    const url = new URL(get.stdout.trim());
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${keys.accessKeyId}/\\d{8}/us-east-1/s3/aws4_request$`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('presigned body');
  });

  it('presigns with SigV4A under --signing-algorithm sigv4a, and the embedded S3 verifies it', async () => {
    await fetch((await presign('--method', 'PUT', 's3://presign-bucket/v4a.txt')).stdout.trim(), { method: 'PUT', body: 'v4a body' });
    const r = await presign('--signing-algorithm', 'sigv4a', '--region-set', 'us-*', 's3://presign-bucket/v4a.txt');
    expect(r.code).toBe(0);
    const url = new URL(r.stdout.trim());
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-ECDSA-P256-SHA256');
    expect(url.searchParams.get('X-Amz-Region-Set')).toBe('us-*');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${keys.accessKeyId}/\\d{8}/s3/aws4_request$`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('v4a body');
  });

  it('never prints the secret key', async () => {
    const r = await presign('s3://presign-bucket/x');
    expect(r.stdout + r.stderr).not.toContain(keys.secretAccessKey);
  });

  it('caps the expiry at seven days and warns on stderr', async () => {
    const r = await presign('--expires', '200h', 's3://presign-bucket/x');
    expect(r.code).toBe(0);
    expect(new URL(r.stdout.trim()).searchParams.get('X-Amz-Expires')).toBe('604800');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('expiry shortened from 720000s to 604800s');
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['a missing URL', [], /no s3:\/\/bucket\/key given/],
    ['an http URL', ['http://bucket/key'], /expected s3:\/\/bucket\/key/],
    ['a method signet does not presign', ['--method', 'PATCH', 's3://b-1/k'], /--method: "PATCH" is not one of GET, PUT, HEAD, DELETE, POST/],
    ['a call signet does not presign', ['--method', 'PUT', '--query', 'acl=', 's3://b-1/k'], /cannot be presigned/],
    ['a header signet owns', ['--header', 'x-amz-date: 1', 's3://b-1/k'], /set by signet/],
    ['an unparsable expiry', ['--expires', 'soon', 's3://b-1/k'], /--expires: "soon"/],
    ['a PUT without a key', ['--method', 'PUT', 's3://b-1'], /PUT needs an object key/],
    ['an unknown serve flag', ['--regoin', 'x', 's3://b-1/k'], /--regoin/],
  ];
  for (const [what, args, message] of bad) {
    it(`exits 2 with one line on stderr for ${what}`, async () => {
      const r = await presign(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }

  it('exits 1 naming the chain when no credentials are found', async () => {
    const r = await runSignet(['presign', '--region', 'us-east-1', '--upstream', s3.url, 's3://b-1/k'], isolatedEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no AWS credentials found/);
  });
});
