import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

const run = promisify(execFile);
let h: Harness;
let dir: string;

beforeAll(async () => {
  // discardBodies: the embedded S3 verifies every byte (hash, chunk signatures) but does not keep 200 MiB in memory.
  h = await startHarness({ args: ['--upstream-capabilities', 'all'], s3: { discardBodies: true } });
  dir = mkdtempSync(join(tmpdir(), 'signet-curl-'));
});
afterAll(async () => {
  await h.close();
});

async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--fail-with-body', ...args], { maxBuffer: 1 << 20 });
  return stdout;
}

async function makeFile(name: string, bytes: number): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  const block = Buffer.alloc(1 << 20, 7);
  for (let left = bytes; left > 0; left -= block.length) {
    if (!out.write(left >= block.length ? block : block.subarray(0, left))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise((r) => out.end(r));
  return path;
}

describe('curl with no auth at all, through signet', () => {
  it('PUTs a small file and GETs it back', async () => {
    const file = await makeFile('small', 100);
    await curl('-T', file, `${h.url}/curl-bucket/small%20file`);
    const h2 = await startHarness(); // a second store that keeps bodies, for the content check
    try {
      await curl('-T', file, `${h2.url}/curl-bucket/small%20file`);
      const body = await curl(`${h2.url}/curl-bucket/small%20file`);
      expect(body.length).toBe(100);
    } finally {
      await h2.close();
    }
  });

  it('PUTs 200 MiB with Content-Length, streamed and chunk-signed', async () => {
    const size = 200 * 1024 * 1024;
    const file = await makeFile('big', size);
    await curl('-T', file, `${h.url}/curl-bucket/big`);
    const rec = h.s3.requests.filter((r) => r.method === 'PUT').at(-1)!;
    expect(rec.status).toBe(200);
    expect(rec.headers['x-amz-content-sha256']).toBe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    expect(rec.headers['x-amz-decoded-content-length']).toBe(String(size));
    expect(h.s3.buckets.get('curl-bucket')!.objects.get('big')!.size).toBe(size);
  });

  it('PUTs with chunked transfer encoding (length unknown), spooled then signed', async () => {
    const file = await makeFile('chunked', 3 * 1024 * 1024);
    await curl('-H', 'Transfer-Encoding: chunked', '-T', file, `${h.url}/curl-bucket/chunked`);
    const rec = h.s3.requests.filter((r) => r.method === 'PUT').at(-1)!;
    expect(rec.status).toBe(200);
    expect(rec.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(h.s3.buckets.get('curl-bucket')!.objects.get('chunked')!.size).toBe(statSync(file).size);
  });

  it('GETs an object and sees S3 errors as XML', async () => {
    const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${h.url}/curl-bucket/missing`]);
    expect(stdout).toBe('404');
    const head = await run('curl', ['-sS', '-I', `${h.url}/curl-bucket/big`]);
    expect(head.stdout).toMatch(/content-length: 209715200/i);
    void createHash;
  });
});
