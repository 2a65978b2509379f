import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand,
  CreateMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketLocationCommand, GetObjectCommand,
  HeadBucketCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoCredentials, objectBytes, startDemoS3, staticKeys } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';

const REGION = 'eu-west-1';
const creds = demoCredentials();
let s3: DemoS3;
let client: S3Client;

beforeAll(async () => {
  s3 = await startDemoS3({ region: REGION, keys: staticKeys([creds]), record: true });
  client = new S3Client({ endpoint: s3.url, forcePathStyle: true, region: REGION, credentials: creds, maxAttempts: 1 });
  await client.send(new CreateBucketCommand({ Bucket: 'sdk-bucket', CreateBucketConfiguration: { LocationConstraint: REGION } }));
});
afterAll(async () => {
  client.destroy();
  await s3.close();
});
beforeEach(() => {
  s3.requests.length = 0;
});

const stored = (key: string): Buffer | undefined => {
  const object = s3.buckets.get('sdk-bucket')?.objects.get(key);
  return object && objectBytes(object);
};

describe('the demo S3 server driven by @aws-sdk/client-s3', () => {
  it('lists, heads and locates the bucket', async () => {
    const list = await client.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain('sdk-bucket');
    const head = await client.send(new HeadBucketCommand({ Bucket: 'sdk-bucket' }));
    expect(head.BucketRegion).toBe(REGION);
    const location = await client.send(new GetBucketLocationCommand({ Bucket: 'sdk-bucket' }));
    expect(location.LocationConstraint).toBe(REGION);
  });

  it('puts and gets an object with metadata and the SDK default checksum', async () => {
    await client.send(new PutObjectCommand({
      Bucket: 'sdk-bucket', Key: 'dir/a b+c~ü.txt', Body: 'hello world', ContentType: 'text/plain',
      Metadata: { owner: 'tests' }, CacheControl: 'max-age=60',
    }));
    expect(stored('dir/a b+c~ü.txt')?.toString()).toBe('hello world');
    const put = s3.requests.find((r) => r.method === 'PUT');
    expect(put?.headers['x-amz-checksum-crc32']).toBe('DUoRhQ==');
    const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'dir/a b+c~ü.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello world');
    expect(got.ContentType).toBe('text/plain');
    expect(got.Metadata).toEqual({ owner: 'tests' });
    expect(got.CacheControl).toBe('max-age=60');
    expect(got.ETag).toBe('"5eb63bbbe01eeed093cb22bb8f5acdc3"');
  });

  it('stores a streamed upload (aws-chunked with a checksum trailer) as its decoded bytes', async () => {
    const data = Buffer.alloc(200_000, 7);
    await client.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'streamed', Body: Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]), ContentLength: data.length }));
    const put = s3.requests.find((r) => r.method === 'PUT');
    expect(put?.headers['x-amz-content-sha256']).toMatch(/^STREAMING-/);
    expect(put?.headers['content-encoding']).toContain('aws-chunked');
    expect(put?.bodyBytes).toBeGreaterThan(data.length);
    expect(stored('streamed')?.equals(data)).toBe(true);
  });

  it('serves ranges, HEAD and conditional requests', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', Body: '0123456789' }));
    const mid = await client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', Range: 'bytes=2-4' }));
    expect(await mid.Body?.transformToString()).toBe('234');
    expect(mid.ContentRange).toBe('bytes 2-4/10');
    const tail = await client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', Range: 'bytes=-3' }));
    expect(await tail.Body?.transformToString()).toBe('789');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits' }));
    expect(head.ContentLength).toBe(10);
    await expect(client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', IfNoneMatch: head.ETag }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await expect(client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', IfMatch: '"nope"' }))).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await expect(client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', Range: 'bytes=20-' }))).rejects.toMatchObject({ name: 'InvalidRange' });
    await expect(client.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'missing' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('lists with prefix, delimiter, pages and url encoding', async () => {
    for (const key of ['list/a/1', 'list/a/2', 'list/b/1', 'list/c', 'list/d e']) {
      await client.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: key, Body: 'x' }));
    }
    const top = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-bucket', Prefix: 'list/', Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/a/', 'list/b/']);
    expect(top.Contents?.map((c) => c.Key)).toEqual(['list/c', 'list/d e']);
    expect(top.KeyCount).toBe(4);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-bucket', Prefix: 'list/', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token !== undefined);
    expect(keys).toEqual(['list/a/1', 'list/a/2', 'list/b/1', 'list/c', 'list/d e']);
    const after = await client.send(new ListObjectsV2Command({ Bucket: 'sdk-bucket', Prefix: 'list/', StartAfter: 'list/b/1' }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(['list/c', 'list/d e']);
  });

  it('copies and deletes objects, one at a time and in bulk', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'src key', Body: 'copy me' }));
    await client.send(new CopyObjectCommand({ Bucket: 'sdk-bucket', Key: 'dst', CopySource: 'sdk-bucket/src%20key' }));
    expect(stored('dst')?.toString()).toBe('copy me');
    await client.send(new DeleteObjectCommand({ Bucket: 'sdk-bucket', Key: 'dst' }));
    expect(stored('dst')).toBeUndefined();
    const bulk = await client.send(new DeleteObjectsCommand({ Bucket: 'sdk-bucket', Delete: { Objects: [{ Key: 'src key' }, { Key: 'digits' }] } }));
    expect(bulk.Deleted?.map((d) => d.Key).sort()).toEqual(['digits', 'src key']);
    expect(stored('src key')).toBeUndefined();
  });

  it('runs a multipart upload and gives the md5-of-md5s ETag', async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'sdk-bucket', Key: 'big', ContentType: 'application/x-test' }));
    const first = Buffer.alloc(5 * 1024 * 1024, 1);
    const second = Buffer.from('the end');
    const p1 = await client.send(new UploadPartCommand({ Bucket: 'sdk-bucket', Key: 'big', UploadId, PartNumber: 1, Body: first }));
    const p2 = await client.send(new UploadPartCommand({ Bucket: 'sdk-bucket', Key: 'big', UploadId, PartNumber: 2, Body: second }));
    const parts = await client.send(new ListPartsCommand({ Bucket: 'sdk-bucket', Key: 'big', UploadId }));
    expect(parts.Parts?.map((p) => p.Size)).toEqual([first.length, second.length]);
    const done = await client.send(new CompleteMultipartUploadCommand({
      Bucket: 'sdk-bucket', Key: 'big', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
    }));
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(stored('big')?.equals(Buffer.concat([first, second]))).toBe(true);
    const got = await client.send(new HeadObjectCommand({ Bucket: 'sdk-bucket', Key: 'big' }));
    expect(got.ContentType).toBe('application/x-test');
  });

  it('aborts a multipart upload', async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'sdk-bucket', Key: 'gone' }));
    await client.send(new AbortMultipartUploadCommand({ Bucket: 'sdk-bucket', Key: 'gone', UploadId }));
    await expect(client.send(new ListPartsCommand({ Bucket: 'sdk-bucket', Key: 'gone', UploadId }))).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });

  it('refuses the SDK when it signs for another region, naming the right one', async () => {
    const wrong = new S3Client({ endpoint: s3.url, forcePathStyle: true, region: 'us-west-2', credentials: creds, maxAttempts: 1 });
    const err: unknown = await wrong.send(new ListObjectsV2Command({ Bucket: 'sdk-bucket' })).catch((e: unknown) => e);
    wrong.destroy();
    expect(err).toMatchObject({ name: 'AuthorizationHeaderMalformed', Region: REGION });
  });

  it('refuses the SDK with a wrong secret', async () => {
    const wrong = new S3Client({ endpoint: s3.url, forcePathStyle: true, region: REGION, credentials: { ...creds, secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 });
    const err: unknown = await wrong.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'k', Body: 'v' })).catch((e: unknown) => e);
    wrong.destroy();
    expect(err).toMatchObject({ name: 'SignatureDoesNotMatch' });
    expect((err as { CanonicalRequest?: string }).CanonicalRequest).toContain('/sdk-bucket/k');
    expect(stored('k')).toBeUndefined();
  });
});
