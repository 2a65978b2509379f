import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { MiB, PART, bytes, callsFor, openUploads, pieces } from './support.js';

let h: Harness;
beforeAll(async () => {
  // The embedded S3 takes single PUTs up to 12 MiB only: the 5 GiB rule, shown small.
  h = await startHarness({ args: ['--multipart-threshold', '12MiB'], s3: { maxPutObjectSize: 12 * MiB } });
});
afterAll(async () => {
  await h.close();
});

const B = 'same-bucket';
const put = (key: string, body: Buffer, headers: Record<string, string> = {}, chunked = true) =>
  rawRequest(h.url, {
    method: 'PUT', path: `/${B}/${key}`,
    headers: chunked ? { 'transfer-encoding': 'chunked', ...headers } : { 'content-length': body.length, ...headers },
    body: pieces(body),
  });
const recorded = (key: string, kind: 'uploads' | 'partNumber=' | 'uploadId=') =>
  h.s3.requests.filter((r) => r.rawPath.startsWith(`/${B}/${key}?`) && r.rawPath.includes(kind) && (kind !== 'uploadId=' || r.method === 'POST'));

describe('known length over --multipart-threshold (the 5 GiB rule, with a 12 MiB store)', () => {
  it('sends a body at the threshold as one streamed PutObject', async () => {
    const body = bytes(12 * MiB, 1);
    const res = await put('at-threshold', body, {}, false);
    expect(res.status).toBe(200);
    expect(callsFor(h, B, 'at-threshold')).toEqual(['PUT']);
  });

  it('converts a body one byte over it, that the store would refuse whole', async () => {
    const body = bytes(12 * MiB + 1, 2);
    const res = await put('over', body, {}, false);
    expect(res.status).toBe(200);
    expect(res.headers['etag']).toMatch(/-2"$/);
    expect(objectBytes(h.s3.buckets.get(B)!.objects.get('over')!).equals(body)).toBe(true);
  });

  it('shows the store refusing the same body with --multipart off', async () => {
    const off = await startHarness({ args: ['--multipart', 'off'], s3: { maxPutObjectSize: 12 * MiB } });
    try {
      const res = await rawRequest(off.url, { method: 'PUT', path: `/${B}/over`, headers: { 'content-length': 12 * MiB + 1 }, body: pieces(bytes(12 * MiB + 1)) });
      expect(res.status).toBe(400);
      expect(res.body.toString()).toContain('<Code>EntityTooLarge</Code>');
    } finally {
      await off.close();
    }
  });

  it('creates the upload before inviting the body with 100 Continue', async () => {
    const res = await rawRequest(h.url, {
      method: 'PUT', path: `/${B}/continued`, headers: { 'content-length': 13 * MiB, expect: '100-continue' },
      body: pieces(bytes(13 * MiB, 3)), waitForContinue: true,
    });
    expect(res.status).toBe(200);
    expect(res.informational).toEqual([100]);
  });
});

describe('the same object, the same answer', () => {
  it('carries entity headers, metadata, ACL, SSE, storage class, tagging and object lock to CreateMultipartUpload', async () => {
    const headers = {
      'content-type': 'application/x-tar', 'cache-control': 'no-cache', 'content-disposition': 'attachment; filename="a.tar"',
      'content-language': 'en', 'content-encoding': 'gzip', expires: 'Wed, 21 Oct 2037 07:28:00 GMT',
      'x-amz-meta-owner': 'team-a', 'x-amz-meta-build': '42', 'x-amz-acl': 'bucket-owner-full-control',
      'x-amz-grant-read': 'id="abc"', 'x-amz-server-side-encryption': 'AES256', 'x-amz-storage-class': 'STANDARD_IA',
      'x-amz-tagging': 'a=1&b=2', 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2037-01-01T00:00:00Z',
      'x-amz-website-redirect-location': '/other',
    };
    const res = await put('headers', bytes(PART + 3, 4), headers);
    expect(res.status).toBe(200);
    const [create] = recorded('headers', 'uploads');
    for (const [name, value] of Object.entries(headers)) expect(create!.headers[name], name).toBe(value);
    const stored = h.s3.buckets.get(B)!.objects.get('headers')!;
    expect(stored.headers['content-type']).toBe('application/x-tar');
    expect(stored.headers['x-amz-meta-owner']).toBe('team-a');
    expect(stored.headers['content-encoding']).toBe('gzip');
    const head = await rawRequest(h.url, { method: 'HEAD', path: `/${B}/headers` });
    expect(head.headers['x-amz-meta-build']).toBe('42');
    expect(head.headers['x-amz-mp-parts-count']).toBe('2');
  });

  it('sends the SSE-C key on CreateMultipartUpload and on every part', async () => {
    const key = randomBytes(32);
    const sse = {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': key.toString('base64'),
      'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('base64'),
    };
    const res = await put('ssec', bytes(3 * PART + 1, 5), sse);
    expect(res.status).toBe(200);
    expect(res.headers['x-amz-server-side-encryption-customer-key']).toBeUndefined();
    const parts = recorded('ssec', 'partNumber=');
    expect(parts).toHaveLength(4);
    for (const r of [...recorded('ssec', 'uploads'), ...parts]) {
      for (const [name, value] of Object.entries(sse)) expect(r.headers[name]).toBe(value);
    }
    // …and nothing of the key reaches signet's logs.
    expect(h.logs.some((l) => l.includes(sse['x-amz-server-side-encryption-customer-key']))).toBe(false);
  });

  it('checks a whole-object Content-MD5 itself while streaming, and completes when it matches', async () => {
    const body = bytes(2 * PART + 9, 6);
    const res = await put('md5-ok', body, { 'content-md5': createHash('md5').update(body).digest('base64') });
    expect(res.status).toBe(200);
    expect(recorded('md5-ok', 'uploads')[0]!.headers['content-md5']).toBeUndefined();
  });

  it('aborts on a Content-MD5 mismatch with BadDigest', async () => {
    const res = await put('md5-bad', bytes(2 * PART + 9, 7), { 'content-md5': createHash('md5').update('other').digest('base64') });
    expect(res.status).toBe(400);
    expect(res.body.toString()).toContain('<Code>BadDigest</Code>');
    expect(h.s3.buckets.get(B)!.objects.has('md5-bad')).toBe(false);
    expect(openUploads(h, B)).toBe(0);
  });

  it('refuses a malformed Content-MD5 before any byte is sent', async () => {
    const before = h.s3.requests.length;
    const res = await put('md5-malformed', bytes(PART + 1, 8), { 'content-md5': 'nope' });
    expect(res.status).toBe(400);
    expect(res.body.toString()).toContain('<Code>InvalidDigest</Code>');
    // An earlier test's abort may still land meanwhile: only this key's requests count.
    expect(h.s3.requests.slice(before).filter((r) => JSON.stringify(r).includes('md5-malformed'))).toHaveLength(0);
  });

  it('checks a client x-amz-content-sha256 over the whole stream', async () => {
    const body = bytes(PART + 100, 9);
    const good = await put('sha-ok', body, { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') });
    expect(good.status).toBe(200);
    const bad = await put('sha-bad', body, { 'x-amz-content-sha256': createHash('sha256').update('x').digest('hex') });
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(openUploads(h, B)).toBe(0);
  });

  it('carries a checksum algorithm: every part carries its own checksum, the whole-object value is checked', async () => {
    const body = bytes(2 * PART + 11, 10);
    const { crc32 } = await import('node:zlib');
    const whole = Buffer.alloc(4);
    whole.writeUInt32BE(crc32(body) >>> 0);
    const res = await put('crc', body, { 'x-amz-checksum-crc32': whole.toString('base64') });
    expect(res.status).toBe(200);
    expect(res.headers['x-amz-checksum-crc32']).toBe(whole.toString('base64'));
    expect(recorded('crc', 'uploads')[0]!.headers['x-amz-checksum-algorithm']).toBe('CRC32');
    for (const r of recorded('crc', 'partNumber=')) expect(r.headers['x-amz-checksum-crc32']).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    const bad = await put('crc-bad', body, { 'x-amz-checksum-crc32': 'AAAAAA==' });
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('<Code>BadDigest</Code>');
    expect(openUploads(h, B)).toBe(0);
  });

  it('maps If-None-Match: * onto CompleteMultipartUpload', async () => {
    const first = await put('once-only', bytes(PART + 1, 11), { 'if-none-match': '*' });
    expect(first.status).toBe(200);
    expect(recorded('once-only', 'uploadId=')[0]!.headers['if-none-match']).toBe('*');
    const second = await put('once-only', bytes(PART + 1, 12), { 'if-none-match': '*' });
    expect(second.status).toBe(412);
    expect(second.body.toString()).toContain('<Code>PreconditionFailed</Code>');
    expect(openUploads(h, B)).toBe(0);
  });
});
