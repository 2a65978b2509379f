import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { PART, bytes, callsFor, openUploads, partialUpload, pieces, until } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.s3.faults.rules = [];
});

const isPart = (n: number) => (t: { method: string; rawPath: string }): boolean => t.method === 'PUT' && t.rawPath.includes(`partNumber=${n}&`);

function putChunked(key: string, body: Buffer, headers: Record<string, string> = {}) {
  return rawRequest(h.url, { method: 'PUT', path: `/fail-bucket/${key}`, headers: { 'transfer-encoding': 'chunked', ...headers }, body: pieces(body) });
}

async function metric(name: string): Promise<number> {
  const text = await h.signet.metrics.registry.metrics();
  let total = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) total += Number(m[1]);
  return total;
}

describe('a multipart upload that meets failures', () => {
  it('retries a part that fails once, and completes', async () => {
    h.s3.faults.rules = [{ match: isPart(2), times: 1, response: { status: 500, code: 'InternalError' } }];
    const before = await metric('signet_multipart_part_retries_total');
    const body = bytes(3 * PART + 7, 3);
    const res = await putChunked('once', body);
    expect(res.status).toBe(200);
    expect(res.headers['etag']).toMatch(/-4"$/);
    expect(callsFor(h, 'fail-bucket', 'once').filter((c) => c === 'PUT part')).toHaveLength(5);
    expect(await metric('signet_multipart_part_retries_total')).toBe(before + 1);
    expect(h.s3.buckets.get('fail-bucket')!.objects.get('once')!.size).toBe(body.length);
  });

  it('aborts the upload when a part fails every time, and passes the error on', async () => {
    h.s3.faults.rules = [{ match: isPart(2), response: { status: 500, code: 'InternalError' } }];
    const aborted = await metric('signet_multipart_uploads_aborted_total');
    const res = await putChunked('always', bytes(4 * PART, 4));
    expect(res.status).toBe(500);
    expect(res.body.toString()).toContain('<Code>InternalError</Code>');
    expect(callsFor(h, 'fail-bucket', 'always').at(-1)).toBe('DELETE uploadId');
    expect(openUploads(h, 'fail-bucket')).toBe(0);
    expect(h.s3.buckets.get('fail-bucket')!.objects.has('always')).toBe(false);
    expect(await metric('signet_multipart_uploads_aborted_total')).toBe(aborted + 1);
  });

  it('aborts the upload when a part is refused (not retried)', async () => {
    h.s3.faults.rules = [{ match: isPart(1), response: { status: 403, code: 'AccessDenied' } }];
    const res = await putChunked('refused', bytes(2 * PART + 1, 5));
    expect(res.status).toBe(403);
    expect(res.body.toString()).toContain('<Code>AccessDenied</Code>');
    expect(callsFor(h, 'fail-bucket', 'refused').filter((c) => c === 'PUT part').length).toBeLessThanOrEqual(3);
    expect(openUploads(h, 'fail-bucket')).toBe(0);
  });

  it('aborts the upload when the upstream resets the connection on every attempt of a part', async () => {
    h.s3.faults.rules = [{ match: isPart(2), reset: true }];
    const res = await putChunked('reset', bytes(3 * PART, 6));
    expect(res.status).toBe(502);
    expect(openUploads(h, 'fail-bucket')).toBe(0);
  });

  it('aborts the upload when the client hangs up mid-stream', async () => {
    const upload = partialUpload(h.url, '/fail-bucket/hangup', 3 * PART + 100);
    await upload.done;
    await until(() => callsFor(h, 'fail-bucket', 'hangup').includes('DELETE uploadId'));
    expect(callsFor(h, 'fail-bucket', 'hangup')[0]).toBe('POST uploads');
    expect(openUploads(h, 'fail-bucket')).toBe(0);
    expect(h.s3.buckets.get('fail-bucket')!.objects.has('hangup')).toBe(false);
  });

  it('aborts when CreateMultipartUpload is refused, before sending any part', async () => {
    h.s3.faults.rules = [{ match: (t) => t.method === 'POST' && t.rawPath.endsWith('?uploads='), response: { status: 403, code: 'AccessDenied' } }];
    const res = await putChunked('no-create', bytes(2 * PART, 7));
    expect(res.status).toBe(403);
    expect(callsFor(h, 'fail-bucket', 'no-create').filter((c) => c === 'PUT part')).toEqual([]);
    expect(openUploads(h, 'fail-bucket')).toBe(0);
  });

  it('aborts when CompleteMultipartUpload answers 200 with an error document', async () => {
    h.s3.faults.rules = [{
      match: (t) => t.method === 'POST' && t.rawPath.includes('uploadId='), times: 1,
      response: { status: 200, code: 'InternalError', body: '<?xml version="1.0"?><Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>' },
    }];
    const res = await putChunked('complete-200-error', bytes(PART + 10, 8));
    expect(res.status).toBe(500);
    expect(res.body.toString()).toContain('InternalError');
    expect(openUploads(h, 'fail-bucket')).toBe(0);
  });
});

describe('multipart through a shutdown', () => {
  it('aborts an upload cut off by the shutdown grace, before the upstream pool closes', async () => {
    const g = await startHarness({ args: ['--shutdown-grace', '300ms'] });
    try {
      const upload = partialUpload(g.url, '/shut-bucket/mid', 2 * PART + 5, true);
      await upload.done;
      await until(() => (g.s3.buckets.get('shut-bucket')?.uploads.size ?? 0) === 1);
      await g.signet.close();
      expect(g.s3.buckets.get('shut-bucket')!.uploads.size).toBe(0);
      const text = await g.signet.metrics.registry.metrics();
      expect(text).toContain('signet_multipart_uploads_aborted_total{reason="shutdown"} 1');
      upload.stop();
    } finally {
      await g.s3.close();
    }
  });
});
