import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { smithySigner } from '../../support/smithy-reference.js';

// Per-client policy in --inbound-keys: refused before the body is read, named in the access log.
const TEAM = { accessKeyId: 'POLICYTEAMA', secretAccessKey: 'policy-team-secret/+abcdefghijklmnop' };
const ADMIN = { accessKeyId: 'POLICYADMIN', secretAccessKey: 'policy-admin-secret/+abcdefghijklmno' };
let h: Harness;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-policy-'));
  const file = join(dir, 'clients.yaml');
  writeFileSync(file, [
    'clients:',
    `  - accessKeyId: ${TEAM.accessKeyId}`, '    secretEnv: SIGNET_TEST_TEAM_SECRET', '    name: team-a',
    '    buckets: ["team-a-*"]', '    keys: ["uploads/*"]', '    actions: ["read-only", "s3:PutObject"]',
    `  - accessKeyId: ${ADMIN.accessKeyId}`, `    secret: ${ADMIN.secretAccessKey}`, '    name: admin', '',
  ].join('\n'));
  process.env['SIGNET_TEST_TEAM_SECRET'] = TEAM.secretAccessKey;
  h = await startHarness({ args: ['--inbound-keys', file], s3: { autoCreateBuckets: true } });
});
afterAll(async () => {
  await h.close();
  delete process.env['SIGNET_TEST_TEAM_SECRET'];
});

const client = (creds: typeof TEAM) => new S3Client({ endpoint: h.url, forcePathStyle: true, region: 'us-east-1', credentials: creds, maxAttempts: 1 });

describe('gateway per-client policy', () => {
  it('lets a client do what its policy allows and names it in the access log', async () => {
    const c = client(TEAM);
    await c.send(new PutObjectCommand({ Bucket: 'team-a-data', Key: 'uploads/one', Body: 'allowed' }));
    const got = await c.send(new GetObjectCommand({ Bucket: 'team-a-data', Key: 'uploads/one' }));
    expect(await got.Body!.transformToString()).toBe('allowed');
    c.destroy();
    const line = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request').at(-1)!;
    expect(line).toMatchObject({ client: 'team-a', status: 200 });
    expect(h.logs.join('\n')).not.toContain(TEAM.secretAccessKey);
  });

  it('refuses what it does not allow with 403 AccessDenied, without contacting S3', async () => {
    const c = client(TEAM);
    const before = h.s3.requests.length;
    for (const cmd of [
      new PutObjectCommand({ Bucket: 'team-b-data', Key: 'uploads/x', Body: 'other team' }),
      new PutObjectCommand({ Bucket: 'team-a-data', Key: 'secrets/x', Body: 'other prefix' }),
      new DeleteObjectCommand({ Bucket: 'team-a-data', Key: 'uploads/one' }),
      new CopyObjectCommand({ Bucket: 'team-a-data', Key: 'uploads/copy', CopySource: 'admin-bucket/secret' }),
    ]) {
      const err: unknown = await c.send(cmd as PutObjectCommand).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    }
    expect(h.s3.requests.length).toBe(before);
    c.destroy();
  });

  it('checks each operation as IAM does: multipart parts and reads allowed, part copies checked on their source', async () => {
    const c = client(TEAM);
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'team-a-data', Key: 'uploads/mp' }));
    const part = await c.send(new UploadPartCommand({ Bucket: 'team-a-data', Key: 'uploads/mp', UploadId, PartNumber: 1, Body: 'part one' }));
    await c.send(new CompleteMultipartUploadCommand({ Bucket: 'team-a-data', Key: 'uploads/mp', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] } }));
    await c.send(new HeadObjectCommand({ Bucket: 'team-a-data', Key: 'uploads/mp' }));
    await c.send(new ListObjectsV2Command({ Bucket: 'team-a-data', Prefix: 'uploads/' }));
    const before = h.s3.requests.length;
    // Refused before S3 is asked, so the upload id is never looked up.
    const second = 'never-reached';
    const refusals: Array<Promise<unknown>> = [
      c.send(new UploadPartCopyCommand({ Bucket: 'team-a-data', Key: 'uploads/mp2', UploadId: second, PartNumber: 1, CopySource: 'admin-bucket/secret' })),
      c.send(new UploadPartCopyCommand({ Bucket: 'team-a-data', Key: 'uploads/mp2', UploadId: second, PartNumber: 1, CopySource: 'team-a-data/secrets/x' })),
      c.send(new ListObjectsV2Command({ Bucket: 'team-b-data' })),
    ];
    for (const call of refusals) expect(await call.catch((e: unknown) => e)).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(h.s3.requests.length).toBe(before);
    c.destroy();
  });

  it('counts requests by client name in /metrics, never by key', async () => {
    const text = await (await fetch(`${h.signet.admin!.url}/metrics`)).text();
    expect(text).toMatch(/signet_client_requests_total\{client="team-a",status_class="2xx"\} 7\b/);
    expect(text).toMatch(/signet_client_requests_total\{client="team-a",status_class="4xx"\} 7\b/);
    expect(text).not.toContain(TEAM.accessKeyId);
  });

  it('mints presigned URLs and upload forms only for what the policy allows', async () => {
    const mint = async (path: string, json: unknown): Promise<number> => {
      const url = new URL(h.url);
      const body = JSON.stringify(json);
      const signed = await smithySigner(TEAM, 'us-east-1').sign({
        method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {},
        headers: { host: url.host, 'content-type': 'application/json', 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') }, body,
      });
      return (await fetch(h.url + path, { method: 'POST', headers: signed.headers as Record<string, string>, body })).status;
    };
    expect(await mint('/_signet/presign', { method: 'GET', bucket: 'team-a-data', key: 'uploads/one' })).toBe(200);
    expect(await mint('/_signet/presign', { method: 'PUT', bucket: 'team-a-data', key: 'uploads/new' })).toBe(200);
    expect(await mint('/_signet/presign', { method: 'DELETE', bucket: 'team-a-data', key: 'uploads/one' })).toBe(403);
    expect(await mint('/_signet/presign', { method: 'GET', bucket: 'team-b-data', key: 'uploads/one' })).toBe(403);
    expect(await mint('/_signet/presign-post', { bucket: 'team-a-data', prefix: 'uploads/' })).toBe(200);
    expect(await mint('/_signet/presign-post', { bucket: 'team-a-data', prefix: '' })).toBe(403);
    expect(await mint('/_signet/presign-post', { bucket: 'team-a-data', key: 'secrets/x' })).toBe(403);
  });

  it('gives a client without a policy everything', async () => {
    const c = client(ADMIN);
    await c.send(new PutObjectCommand({ Bucket: 'admin-bucket', Key: 'secret', Body: 's' }));
    await c.send(new DeleteObjectCommand({ Bucket: 'admin-bucket', Key: 'secret' }));
    c.destroy();
  });
});
