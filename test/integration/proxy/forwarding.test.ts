import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function stored(bucket: string, key: string) {
  return h.s3.buckets.get(bucket)?.objects.get(key);
}

describe('keys and paths', () => {
  // [what the client sends, the key S3 must store, the path S3 must receive]
  const cases: Array<[string, string, string]> = [
    ['/bkt/plain.txt', 'plain.txt', '/bkt/plain.txt'],
    ['/bkt/with%20space.txt', 'with space.txt', '/bkt/with%20space.txt'],
    ['/bkt/unicode-%C3%BC%E6%97%A5.txt', 'unicode-ü日.txt', '/bkt/unicode-%C3%BC%E6%97%A5.txt'],
    ['/bkt/a+b.txt', 'a+b.txt', '/bkt/a%2Bb.txt'],
    ['/bkt/a%2Bb%3Dc%25d~e%3Af%40g', 'a+b=c%d~e:f@g', '/bkt/a%2Bb%3Dc%25d~e%3Af%40g'],
    ['/bkt/double//slash', 'double//slash', '/bkt/double//slash'],
    ['/bkt/dots/./x/../y', 'dots/./x/../y', '/bkt/dots/./x/../y'],
    ['/bkt/trailing/', 'trailing/', '/bkt/trailing/'],
    ["/bkt/sub!'()*", "sub!'()*", '/bkt/sub%21%27%28%29%2A'],
  ];
  for (const [sent, key, wire] of cases) {
    it(`stores ${JSON.stringify(key)} sent as ${sent} and reads it back`, async () => {
      const body = `body of ${key}`;
      const put = await rawRequest(h.url, { method: 'PUT', path: sent, headers: { 'content-length': Buffer.byteLength(body) }, body });
      expect(put.status).toBe(200);
      expect(h.s3.requests.at(-1)!.rawPath).toBe(wire);
      expect(objectBytes(stored('bkt', key)!).toString()).toBe(body);
      const get = await rawRequest(h.url, { path: sent });
      expect(get.status).toBe(200);
      expect(get.body.toString()).toBe(body);
    });
  }

  it('answers 400 InvalidURI for malformed percent-encoding, without contacting S3', async () => {
    const before = h.s3.requests.length;
    const res = await rawRequest(h.url, { path: '/bkt/bad%ZZ' });
    expect(res.status).toBe(400);
    expect(res.body.toString()).toContain('<Code>InvalidURI</Code>');
    expect(h.s3.requests.length).toBe(before);
  });

  it('reads a raw + in the query as a space, as S3 does', async () => {
    await rawRequest(h.url, { method: 'PUT', path: '/bkt/q%20x/1', headers: { 'content-length': 1 }, body: 'x' });
    const res = await rawRequest(h.url, { path: '/bkt?list-type=2&prefix=q+x/' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toContain('<Key>q x/1</Key>');
    expect(h.s3.requests.at(-1)!.rawPath).toBe('/bkt?list-type=2&prefix=q%20x%2F');
  });
});

describe('headers', () => {
  it('signs and forwards end-to-end headers, joins repeats with a comma, and drops hop-by-hop ones', async () => {
    const res = await rawRequest(h.url, {
      method: 'PUT',
      path: '/bkt/headers.txt',
      headers: {
        'content-length': 2, 'content-type': 'text/plain', 'x-amz-meta-tag': ['a', 'b'], 'cache-control': 'no-cache',
        connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'keep-alive': 'timeout=5', 'user-agent': 'legacy-tool/1.0',
        'x-amzn-trace-id': 'Root=1-abc',
      },
      body: 'hi',
    });
    expect(res.status).toBe(200);
    const rec = h.s3.requests.at(-1)!;
    const signed = /SignedHeaders=([^,]+)/.exec(rec.headers['authorization']!)![1]!.split(';');
    expect(signed).toEqual(expect.arrayContaining(['cache-control', 'content-type', 'host', 'x-amz-meta-tag', 'x-amz-date', 'x-amz-content-sha256']));
    expect(signed).not.toContain('user-agent');
    expect(signed).not.toContain('x-amzn-trace-id');
    expect(rec.headers['x-drop-me']).toBeUndefined();
    expect(rec.headers['keep-alive']).toBeUndefined();
    expect(stored('bkt', 'headers.txt')!.headers['x-amz-meta-tag']).toBe('a,b');
  });

  it("replaces the client's own Authorization, x-amz-date, token and presign parameters with signet's", async () => {
    const res = await rawRequest(h.url, {
      path: '/bkt/headers.txt?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIDCLIENT%2Fx&AWSAccessKeyId=AKIDV2&Signature=abc',
      headers: { authorization: 'AWS AKIDCLIENT:c2lnbmF0dXJl', 'x-amz-date': '20000101T000000Z', 'x-amz-security-token': 'client-token' },
    });
    expect(res.status).toBe(200);
    const rec = h.s3.requests.at(-1)!;
    expect(rec.rawPath).toBe('/bkt/headers.txt');
    expect(rec.headers['authorization']).toContain(`Credential=${h.keys.accessKeyId}/`);
    expect(rec.headers['x-amz-security-token']).toBeUndefined();
  });
});

describe('responses', () => {
  it('passes HEAD, Range (206) and conditional 304 through', async () => {
    await rawRequest(h.url, { method: 'PUT', path: '/bkt/range.bin', headers: { 'content-length': 10 }, body: '0123456789' });
    const head = await rawRequest(h.url, { method: 'HEAD', path: '/bkt/range.bin' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('10');
    expect(head.body.length).toBe(0);
    const range = await rawRequest(h.url, { path: '/bkt/range.bin', headers: { range: 'bytes=2-4' } });
    expect(range.status).toBe(206);
    expect(range.body.toString()).toBe('234');
    expect(range.headers['content-range']).toBe('bytes 2-4/10');
    const etag = head.headers['etag'] as string;
    const notModified = await rawRequest(h.url, { path: '/bkt/range.bin', headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
  });

  it('passes S3 errors through with their XML and status', async () => {
    const res = await rawRequest(h.url, { path: '/bkt/missing-key' });
    expect(res.status).toBe(404);
    expect(res.body.toString()).toContain('<Code>NoSuchKey</Code>');
  });

  it('sends 100 Continue and then takes the body when the client expects it', async () => {
    const res = await rawRequest(h.url, {
      method: 'PUT', path: '/bkt/continue.txt', headers: { 'content-length': 5, expect: '100-continue' }, body: 'hello', waitForContinue: true,
    });
    expect(res.informational).toContain(100);
    expect(res.status).toBe(200);
    expect(objectBytes(stored('bkt', 'continue.txt')!).toString()).toBe('hello');
  });
});

describe('upstream failures', () => {
  it('answers 502 with S3-style XML when the upstream refuses connections', async () => {
    const dead = await startHarness();
    await dead.s3.close();
    const res = await rawRequest(dead.url, { path: '/bkt/x' });
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.body.toString()).toMatch(/<Error><Code>BadGateway<\/Code>/);
    await dead.signet.close();
  });
});

describe('virtual-hosted style from clients (bucket in the Host header)', () => {
  it('reads the bucket from <bucket>.localhost and the whole path as the key', async () => {
    const put = await rawRequest(h.url, {
      method: 'PUT', path: '/dir/v-key.txt', headers: { host: `vbucket.localhost:${new URL(h.url).port}`, 'content-length': 3 }, body: 'abc',
    });
    expect(put.status).toBe(200);
    expect(h.s3.requests.at(-1)!.rawPath).toBe('/vbucket/dir/v-key.txt');
    expect(objectBytes(stored('vbucket', 'dir/v-key.txt')!).toString()).toBe('abc');
    const list = await rawRequest(h.url, { path: '/?list-type=2', headers: { host: 'VBucket.LocalHost' } });
    expect(list.status).toBe(200);
    expect(list.body.toString()).toContain('<Key>dir/v-key.txt</Key>');
  });

  it('never lets the Host header choose the upstream: an unknown host is plain path style', async () => {
    const res = await rawRequest(h.url, { method: 'PUT', path: '/bkt/host-ignored', headers: { host: 'evil.example.com', 'content-length': 1 }, body: 'x' });
    expect(res.status).toBe(200);
    expect(h.s3.requests.at(-1)!.rawPath).toBe('/bkt/host-ignored');
  });
});

describe('content-encoding the client sets (object metadata)', () => {
  it('is forwarded and signed for a plain body, and kept beside aws-chunked when signet streams', async () => {
    const small = await rawRequest(h.url, { method: 'PUT', path: '/bkt/gz-small', headers: { 'content-length': 4, 'content-encoding': 'gzip' }, body: 'abcd' });
    expect(small.status).toBe(200);
    expect(h.s3.requests.at(-1)!.headers['content-encoding']).toBe('gzip');
    expect(stored('bkt', 'gz-small')!.headers['content-encoding']).toBe('gzip');
    const head = await rawRequest(h.url, { method: 'HEAD', path: '/bkt/gz-small' });
    expect(head.headers['content-encoding']).toBe('gzip');
  });

  it('is forwarded on a request without a body (CopyObject replacing metadata)', async () => {
    const res = await rawRequest(h.url, {
      method: 'PUT', path: '/bkt/gz-copy',
      headers: { 'x-amz-copy-source': '/bkt/gz-small', 'x-amz-metadata-directive': 'REPLACE', 'content-encoding': 'br' },
    });
    expect(res.status).toBe(200);
    expect(h.s3.requests.at(-1)!.headers['content-encoding']).toBe('br');
  });
});
