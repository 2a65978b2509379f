import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

// A real AWS SDK client, with dummy credentials and signet as its endpoint: everything the SDK
// signs is stripped and re-signed by signet, and the embedded S3 verifies signet's signatures.
let h: Harness;
let client: S3Client;
const Bucket = 'sdk-bucket';

beforeAll(async () => {
  h = await startHarness({ args: ['--upstream-capabilities', 'all', '--buffer-limit', '256KiB'], sessionToken: 'FQoGZXIvYXdzEJr//////////wEaDEXAMPLETOKEN' });
  client = new S3Client({
    endpoint: h.url, forcePathStyle: true, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'DUMMYKEY', secretAccessKey: 'dummy-secret' },
  });
});
afterAll(async () => {
  client.destroy();
  await h.close();
});

const keys = ['simple.txt', 'with space.txt', 'plus+equals=percent%tilde~colon:at@.txt', 'double//slash', 'dots/./a/../b', 'trailing/', 'ünïcødé/日本.txt'];

describe('@aws-sdk/client-s3 through signet', () => {
  for (const Key of keys) {
    it(`puts, gets and heads ${JSON.stringify(Key)}`, async () => {
      const Body = `content of ${Key}`;
      await client.send(new PutObjectCommand({ Bucket, Key, Body, ContentType: 'text/plain', Metadata: { owner: 'team-a' } }));
      const got = await client.send(new GetObjectCommand({ Bucket, Key }));
      expect(await got.Body!.transformToString()).toBe(Body);
      expect(got.Metadata).toEqual({ owner: 'team-a' });
      const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
      expect(head.ContentLength).toBe(Buffer.byteLength(Body));
      expect(h.s3.buckets.get(Bucket)!.objects.has(Key)).toBe(true);
    });
  }

  it('gets a byte range', async () => {
    await client.send(new PutObjectCommand({ Bucket, Key: 'range.txt', Body: 'abcdefghij' }));
    const got = await client.send(new GetObjectCommand({ Bucket, Key: 'range.txt', Range: 'bytes=3-5' }));
    expect(await got.Body!.transformToString()).toBe('def');
  });

  it('lists with prefix and delimiter', async () => {
    for (const Key of ['dir/a', 'dir/b', 'dir/sub/c', 'other']) await client.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }));
    const list = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'dir/', Delimiter: '/' }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(['dir/a', 'dir/b']);
    expect(list.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/sub/']);
  });

  it('copies and deletes, one and many', async () => {
    await client.send(new PutObjectCommand({ Bucket, Key: 'src key', Body: 'copy me' }));
    await client.send(new CopyObjectCommand({ Bucket, Key: 'dst key', CopySource: `${Bucket}/${encodeURIComponent('src key')}` }));
    const got = await client.send(new GetObjectCommand({ Bucket, Key: 'dst key' }));
    expect(await got.Body!.transformToString()).toBe('copy me');
    await client.send(new DeleteObjectCommand({ Bucket, Key: 'dst key' }));
    const res = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'src key' }, { Key: 'dir/a' }] } }));
    expect(res.Deleted?.length).toBe(2);
    expect(h.s3.buckets.get(Bucket)!.objects.has('src key')).toBe(false);
  });

  it('uploads in parts', async () => {
    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(1000);
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'multi' }));
    const p1 = await client.send(new UploadPartCommand({ Bucket, Key: 'multi', UploadId, PartNumber: 1, Body: part1 }));
    const p2 = await client.send(new UploadPartCommand({ Bucket, Key: 'multi', UploadId, PartNumber: 2, Body: part2 }));
    await client.send(new CompleteMultipartUploadCommand({
      Bucket, Key: 'multi', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag! }, { PartNumber: 2, ETag: p2.ETag! }] },
    }));
    const got = await client.send(new GetObjectCommand({ Bucket, Key: 'multi' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([part1, part2]))).toBe(true);
    const { UploadId: aborted } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'aborted' }));
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'aborted', UploadId: aborted }));
  });

  it("passes the SDK's default streaming checksum upload (STREAMING-UNSIGNED-PAYLOAD-TRAILER) through", async () => {
    const data = randomBytes(400_000);
    // A stream of known length makes the SDK send aws-chunked with a CRC32 trailer.
    await client.send(new PutObjectCommand({ Bucket, Key: 'trailer', Body: Readable.from([data]), ContentLength: data.length }));
    const upstream = h.s3.requests.filter((r) => r.method === 'PUT' && r.rawPath.split('?')[0]!.endsWith('/trailer')).at(-1)!;
    expect(upstream.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    const got = await client.send(new GetObjectCommand({ Bucket, Key: 'trailer' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });

  it('signs with the session token signet holds, never the client one', () => {
    const upstream = h.s3.requests.at(-1)!;
    expect(upstream.headers['x-amz-security-token']).toBe(h.keys.sessionToken);
    expect(upstream.headers['authorization']).not.toContain('DUMMYKEY');
  });
});
