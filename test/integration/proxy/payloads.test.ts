import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { createAwsChunkedEncoder } from '../../../src/sigv4/aws-chunked-encoder.js';
import { awsChunkedEncodedLength } from '../../../src/sigv4/aws-chunked-length.js';
import { deriveSigningKey } from '../../../src/sigv4/signing-key.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function* pieces(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function put(harness: Harness, key: string, data: Buffer, headers: Record<string, string | number> = {}, chunked = false) {
  return rawRequest(harness.url, {
    method: 'PUT', path: `/bkt/${key}`,
    headers: chunked ? { 'transfer-encoding': 'chunked', ...headers } : { 'content-length': data.length, ...headers },
    body: chunked ? pieces(data, 10_000) : data,
  });
}

function lastUpstream(harness: Harness) {
  return harness.s3.requests.at(-1)!;
}

function storedBytes(harness: Harness, key: string): Buffer {
  return objectBytes(harness.s3.buckets.get('bkt')!.objects.get(key)!);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('payload strategies, each verified by the embedded S3', () => {
  it('buffers and hashes a small body', async () => {
    h = await startHarness();
    const data = randomBytes(1000);
    expect((await put(h, 'small', data)).status).toBe(200);
    expect(lastUpstream(h).headers['x-amz-content-sha256']).toBe(sha256(data));
    expect(storedBytes(h, 'small').equals(data)).toBe(true);
  });

  it('streams a large body as signed aws-chunked when the store accepts it', async () => {
    h = await startHarness({ args: ['--buffer-limit', '64KiB', '--upstream-capabilities', 'all'] });
    const data = randomBytes(3 * 1024 * 1024 + 17);
    expect((await put(h, 'large', data)).status).toBe(200);
    const rec = lastUpstream(h);
    expect(rec.headers['x-amz-content-sha256']).toBe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    expect(rec.headers['x-amz-decoded-content-length']).toBe(String(data.length));
    expect(rec.bodyBytes).toBe(awsChunkedEncodedLength(data.length, { mode: 'signed', chunkSize: 64 * 1024 }));
    expect(storedBytes(h, 'large').equals(data)).toBe(true);
  });

  it("keeps the client's content-encoding beside aws-chunked while streaming, and S3 stores it without the framing", async () => {
    h = await startHarness({ args: ['--buffer-limit', '64KiB', '--upstream-capabilities', 'all'] });
    const data = randomBytes(200_000);
    expect((await put(h, 'gz-large', data, { 'content-encoding': 'gzip' })).status).toBe(200);
    expect(lastUpstream(h).headers['content-encoding']).toBe('gzip,aws-chunked');
    expect(h.s3.buckets.get('bkt')!.objects.get('gz-large')!.headers['content-encoding']).toBe('gzip');
    expect(storedBytes(h, 'gz-large').equals(data)).toBe(true);
  });

  it('spools a large body when a custom store takes no aws-chunked (the default off AWS)', async () => {
    h = await startHarness({ args: ['--buffer-limit', '64KiB'] });
    const data = randomBytes(300_000);
    expect((await put(h, 'spooled', data)).status).toBe(200);
    expect(lastUpstream(h).headers['x-amz-content-sha256']).toBe(sha256(data));
    expect(storedBytes(h, 'spooled').equals(data)).toBe(true);
  });

  it('spools a body of unknown length to a temp file, hashes it and removes the file afterwards', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'signet-spool-test-'));
    h = await startHarness({ args: ['--spool-dir', spoolDir, '--spool-memory', '64KiB', '--multipart', 'off'] });
    const data = randomBytes(500_000);
    const res = await put(h, 'chunked', data, {}, true);
    expect(res.status).toBe(200);
    const rec = lastUpstream(h);
    expect(rec.headers['content-length']).toBe(String(data.length));
    expect(rec.headers['x-amz-content-sha256']).toBe(sha256(data));
    expect(storedBytes(h, 'chunked').equals(data)).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('refuses a chunked body past --max-spool with 413 and leaves no temp file', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'signet-spool-test-'));
    h = await startHarness({ args: ['--spool-dir', spoolDir, '--spool-memory', '16KiB', '--max-spool', '100KiB', '--multipart', 'off'] });
    const before = h.s3.requests.length;
    const res = await put(h, 'too-big', randomBytes(200_000), {}, true);
    expect(res.status).toBe(413);
    expect(res.body.toString()).toContain('<Code>EntityTooLarge</Code>');
    expect(h.s3.requests.length).toBe(before);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('sends UNSIGNED-PAYLOAD when asked to', async () => {
    h = await startHarness({ args: ['--payload', 'unsigned', '--upstream-capabilities', 'all'] });
    const data = randomBytes(2000);
    expect((await put(h, 'unsigned', data)).status).toBe(200);
    expect(lastUpstream(h).headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(storedBytes(h, 'unsigned').equals(data)).toBe(true);
  });

  it('sends STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer when asked to', async () => {
    h = await startHarness({ args: ['--payload', 'unsigned-trailer', '--upstream-capabilities', 'all'] });
    const data = randomBytes(200_000);
    expect((await put(h, 'trailer', data)).status).toBe(200);
    const rec = lastUpstream(h);
    expect(rec.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expect(rec.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');
    expect(storedBytes(h, 'trailer').equals(data)).toBe(true);
  });

  it("reuses the client's own hex payload hash, and S3 catches a wrong one", async () => {
    h = await startHarness();
    const data = randomBytes(5000);
    const ok = await put(h, 'client-hash', data, { 'x-amz-content-sha256': sha256(data) });
    expect(ok.status).toBe(200);
    const bad = await put(h, 'client-hash-bad', data, { 'x-amz-content-sha256': sha256(Buffer.from('other')) });
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('XAmzContentSHA256Mismatch');
  });

  it("decodes a client's signed aws-chunked body (made with keys signet does not hold) and re-signs it", async () => {
    h = await startHarness({ args: ['--upstream-capabilities', 'all'] });
    const data = randomBytes(100_000);
    const amzDate = '20260101T000000Z';
    const scope = '20260101/us-east-1/s3/aws4_request';
    const encoder = createAwsChunkedEncoder({
      mode: 'signed', decodedLength: data.length, chunkSize: 16 * 1024,
      signed: { signingKey: deriveSigningKey('dummy-secret', '20260101', 'us-east-1', 's3'), amzDate, scope, seedSignature: 'a'.repeat(64) },
    });
    const chunks: Buffer[] = [];
    encoder.on('data', (c: Buffer) => chunks.push(c));
    encoder.end(data);
    await new Promise((r) => encoder.on('end', r));
    const wire = Buffer.concat(chunks);
    const res = await rawRequest(h.url, {
      method: 'PUT', path: '/bkt/resigned',
      headers: {
        'content-length': wire.length, 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'x-amz-decoded-content-length': data.length, authorization: `AWS4-HMAC-SHA256 Credential=DUMMY/${scope}, SignedHeaders=host, Signature=${'a'.repeat(64)}`,
      },
      body: wire,
    });
    expect(res.status).toBe(200);
    expect(storedBytes(h, 'resigned').equals(data)).toBe(true);
  });

  it('answers 400 on malformed aws-chunked framing from a client', async () => {
    h = await startHarness({ args: ['--upstream-capabilities', 'all'] });
    const wire = Buffer.from('zz;chunk-signature=abc\r\nhello\r\n0\r\n\r\n');
    const res = await rawRequest(h.url, {
      method: 'PUT', path: '/bkt/broken',
      headers: { 'content-length': wire.length, 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': 5 },
      body: wire,
    });
    expect(res.status).toBe(400);
    expect(h.s3.buckets.get('bkt')?.objects.get('broken')).toBeUndefined();
  });
});
