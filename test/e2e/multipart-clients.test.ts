import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../src/demo/index.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

const run = promisify(execFile);
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ args: ['--multipart-threshold', '12MiB'], s3: { maxPutObjectSize: 12 * 1024 * 1024 } });
});
afterAll(async () => {
  await h.close();
});

describe('real clients uploading through signet, converted to multipart', () => {
  it('curl -T - from a pipe (unknown length)', async () => {
    // 20 MiB of a known pattern through a shell pipe: curl sends Transfer-Encoding: chunked.
    await run('sh', ['-c', `head -c 20971520 /dev/zero | tr '\\0' 'a' | curl -sS --fail-with-body -T - ${h.url}/e2e-bucket/piped`]);
    const stored = h.s3.buckets.get('e2e-bucket')!.objects.get('piped')!;
    expect(stored.size).toBe(20 * 1024 * 1024);
    expect(stored.etag).toMatch(/-3"$/);
    expect(createHash('md5').update(objectBytes(stored)).digest('hex')).toBe(createHash('md5').update(Buffer.alloc(20 * 1024 * 1024, 'a')).digest('hex'));
    expect(h.s3.buckets.get('e2e-bucket')!.uploads.size).toBe(0);
  });

  it('@aws-sdk/client-s3 PutObject larger than the store takes in one PUT', async () => {
    const client = new S3Client({
      endpoint: h.url, forcePathStyle: true, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: 'DUMMYKEY', secretAccessKey: 'dummy-secret' },
    });
    try {
      const Body = Buffer.alloc(13 * 1024 * 1024, 'b');
      const out = await client.send(new PutObjectCommand({ Bucket: 'e2e-bucket', Key: 'sdk', Body, ContentType: 'text/plain', Metadata: { a: '1' } }));
      expect(out.ETag).toMatch(/-2"$/);
      const stored = h.s3.buckets.get('e2e-bucket')!.objects.get('sdk')!;
      expect(stored.size).toBe(Body.length);
      expect(stored.headers['x-amz-meta-a']).toBe('1');
    } finally {
      client.destroy();
    }
  });
});
