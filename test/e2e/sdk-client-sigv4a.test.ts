import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

// The AWS SDK as the client, signet --signing-algorithm sigv4a (with a session token) in front of
// the embedded S3, which verifies every SigV4A signature, chunk signature and trailer signature.
let h: Harness;
let client: S3Client;
const Bucket = 'sdk-v4a';

beforeAll(async () => {
  h = await startHarness({
    args: ['--signing-algorithm', 'sigv4a', '--region-set', '*', '--upstream-capabilities', 'all', '--payload', 'streaming'],
    sessionToken: 'FQoGZXIvYXdzEJr//////////wEaDEXAMPLETOKEN',
  });
  client = new S3Client({
    endpoint: h.url, forcePathStyle: true, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'DUMMYKEY', secretAccessKey: 'dummy-secret' },
  });
});
afterAll(async () => {
  client.destroy();
  await h.close();
});

describe('@aws-sdk/client-s3 through signet signing SigV4A', () => {
  it('puts, gets, lists and deletes; every upstream request is SigV4A with the session token signed', async () => {
    for (const Key of ['a.txt', 'with space/ünï.txt', 'plus+equals=.txt']) {
      await client.send(new PutObjectCommand({ Bucket, Key, Body: `content of ${Key}`, Metadata: { owner: 'team-a' } }));
      const got = await client.send(new GetObjectCommand({ Bucket, Key }));
      expect(await got.Body!.transformToString()).toBe(`content of ${Key}`);
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket }));
    expect(listed.KeyCount).toBe(3);
    await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'a.txt' }] } }));
    expect(h.s3.buckets.get(Bucket)!.objects.has('a.txt')).toBe(false);
    const seen = h.s3.requests.filter((r) => r.rawPath.startsWith('/' + Bucket));
    expect(seen.length).toBeGreaterThan(5);
    for (const r of seen) {
      expect(r.status).toBeLessThan(300);
      const signedHeaders = /^AWS4-ECDSA-P256-SHA256 Credential=\w+\/\d{8}\/s3\/aws4_request, SignedHeaders=([^ ,]+), Signature=30[0-9a-f]+$/.exec(r.headers['authorization'] ?? '')?.[1] ?? '';
      expect(signedHeaders.split(';')).toEqual(expect.arrayContaining(['x-amz-region-set', 'x-amz-security-token', 'x-amz-date', 'host']));
    }
  });

  it('streams a 2 MiB PutObject from a stream, re-signed with ECDSA chunk signatures', async () => {
    const Body = randomBytes(2 * 1024 * 1024 + 3);
    await client.send(new PutObjectCommand({ Bucket, Key: 'big.bin', Body: Readable.from([Body.subarray(0, 1 << 20), Body.subarray(1 << 20)]), ContentLength: Body.length }));
    const put = h.s3.requests.filter((r) => r.method === 'PUT' && r.rawPath.startsWith(`/${Bucket}/big.bin`)).at(-1)!;
    expect(put.status).toBe(200);
    expect(put.headers['x-amz-content-sha256']).toMatch(/^STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD/);
    const got = await client.send(new GetObjectCommand({ Bucket, Key: 'big.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Body)).toBe(true);
  });

  it('uploads in parts', async () => {
    const Key = 'multi.bin';
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1000)];
    const etags: string[] = [];
    for (const [i, Body] of parts.entries()) {
      etags.push((await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }))).ETag!);
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
    const got = await client.send(new GetObjectCommand({ Bucket, Key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
  });
});
