import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { MiB, PART, bytes, callsFor, openUploads, pieces } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

function putChunked(key: string, body: Buffer, headers: Record<string, string> = {}) {
  return rawRequest(h.url, { method: 'PUT', path: `/mpu/${key}`, headers: { 'transfer-encoding': 'chunked', ...headers }, body: pieces(body) });
}

describe('a PutObject of unknown length (Transfer-Encoding: chunked)', () => {
  it.each([
    ['0 bytes', 0, 'PUT'],
    ['1 byte', 1, 'PUT'],
    ['one part less a byte', PART - 1, 'PUT'],
    ['exactly one part', PART, 'PUT'],
  ])('%s goes as one plain PutObject, the ETag a plain MD5', async (_name, size) => {
    const body = bytes(size, size + 1);
    const key = `small-${size}`;
    const res = await putChunked(key, body);
    expect(res.status).toBe(200);
    expect(res.headers['etag']).toBe(`"${md5(body)}"`);
    expect(callsFor(h, 'mpu', key)).toEqual(['PUT']);
    expect(objectBytes(h.s3.buckets.get('mpu')!.objects.get(key)!).equals(body)).toBe(true);
  });

  it.each([
    ['one part and a byte', PART + 1, 2],
    ['exactly two parts', 2 * PART, 2],
    ['many parts, the last small', 5 * PART + 12345, 6],
  ])('%s becomes a streamed multipart upload that reads back identical', async (_name, size, parts) => {
    const body = bytes(size, parts);
    const key = `big-${size}`;
    const res = await putChunked(key, body, { 'content-type': 'text/x-test' });
    expect(res.status).toBe(200);
    expect(res.headers['etag']).toMatch(new RegExp(`^"[0-9a-f]{32}-${parts}"$`));
    expect(res.headers['content-length']).toBe('0');
    expect(callsFor(h, 'mpu', key)).toEqual(['POST uploads', ...Array<string>(parts).fill('PUT part'), 'POST uploadId']);
    const stored = h.s3.buckets.get('mpu')!.objects.get(key)!;
    expect(stored.size).toBe(size);
    expect(objectBytes(stored).equals(body)).toBe(true);
    expect(stored.headers['content-type']).toBe('text/x-test');
    expect(openUploads(h, 'mpu')).toBe(0);
    // Every part is signed with the hex SHA-256 of its bytes, and all but the last are one part size.
    const partRecords = h.s3.requests.filter((r) => r.rawPath.startsWith(`/mpu/${key}?`) && r.rawPath.includes('partNumber='));
    for (const r of partRecords) {
      const n = Number(/partNumber=(\d+)/.exec(r.rawPath)![1]);
      const piece = body.subarray((n - 1) * PART, n * PART);
      expect(r.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(piece).digest('hex'));
      expect(r.headers['content-length']).toBe(String(piece.length));
    }
    // Reads back through signet too.
    const back = await rawRequest(h.url, { path: `/mpu/${key}` });
    expect(back.status).toBe(200);
    expect(md5(back.body)).toBe(md5(body));
  });

  it('lists no upload left behind through signet (ListMultipartUploads)', async () => {
    const res = await rawRequest(h.url, { path: '/mpu?uploads' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toContain('<ListMultipartUploadsResult');
    expect(res.body.toString()).not.toContain('<Upload>');
  });

  it('counts the uploads and parts in its metrics', async () => {
    const text = await h.signet.metrics.registry.metrics();
    expect(text).toMatch(/^signet_multipart_uploads_started_total [1-9]/m);
    expect(text).toMatch(/^signet_multipart_uploads_completed_total [1-9]/m);
    expect(text).toMatch(/^signet_multipart_parts_total [1-9]/m);
    expect(text).toContain('signet_payload_strategy_total{strategy="multipart"}');
  });

  it('keeps memory bounded: a 40 MiB chunked body never spools to disk', async () => {
    const res = await putChunked('forty', bytes(40 * MiB, 9));
    expect(res.status).toBe(200);
    expect(h.logs.some((l) => l.includes('"payload":"spooled"') && l.includes('forty'))).toBe(false);
  });
});
