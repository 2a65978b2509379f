import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { createAwsChunkedEncoder } from '../../../src/sigv4/aws-chunked-encoder.js';
import { awsChunkedEncodedLength } from '../../../src/sigv4/aws-chunked-length.js';
import { signRequestV4a } from '../../../src/sigv4/sigv4a-signer.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';

// signet --signing-algorithm sigv4a in front of the embedded S3, which verifies SigV4A with its
// own key derivation and @smithy/signature-v4's canonical request (src/demo): header auth for
// GET/PUT/list, aws-chunked with ECDSA chunk and trailer signatures, and refusals when the key or
// the region set is wrong.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const V4A = ['--signing-algorithm', 'sigv4a'];
const text = (b: Buffer): string => b.toString('utf8');

function upstreamOf(harness: Harness, method: string, path: string) {
  return harness.s3.requests.filter((r) => r.method === method && r.rawPath.startsWith(path)).at(-1);
}

describe('signet signs with SigV4A', () => {
  it('GET, PUT and list reach the embedded S3 signed AWS4-ECDSA-P256-SHA256 with the region set', async () => {
    h = await startHarness({ args: [...V4A, '--region-set', '*'] });
    expect((await rawRequest(h.url, { method: 'PUT', path: '/mrap' })).status).toBe(200);
    const put = await rawRequest(h.url, { method: 'PUT', path: '/mrap/a.txt', headers: { 'content-length': 5, 'x-amz-meta-team': 'blue' }, body: 'hello' });
    expect(put.status, text(put.body)).toBe(200);
    const get = await rawRequest(h.url, { path: '/mrap/a.txt' });
    expect(get.status).toBe(200);
    expect(text(get.body)).toBe('hello');
    const list = await rawRequest(h.url, { path: '/mrap?list-type=2' });
    expect(list.status).toBe(200);
    expect(text(list.body)).toContain('<Key>a.txt</Key>');

    const rec = upstreamOf(h, 'PUT', '/mrap/a.txt')!;
    expect(rec.status).toBe(200);
    expect(rec.headers['authorization']).toMatch(/^AWS4-ECDSA-P256-SHA256 Credential=\w+\/\d{8}\/s3\/aws4_request, SignedHeaders=[^,]*x-amz-region-set[^,]*, Signature=30[0-9a-f]+$/);
    expect(rec.headers['x-amz-region-set']).toBe('*');
    expect(rec.headers['authorization']).toContain('x-amz-meta-team');
  });

  it('defaults the region set to --region', async () => {
    h = await startHarness({ args: V4A });
    expect((await rawRequest(h.url, { method: 'PUT', path: '/dflt' })).status).toBe(200);
    expect(upstreamOf(h, 'PUT', '/dflt')?.headers['x-amz-region-set']).toBe('us-east-1');
  });

  it('streams a large PUT as STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, every chunk signature verified', async () => {
    h = await startHarness({ args: [...V4A, '--region-set', 'us-*,eu-west-1', '--payload', 'streaming', '--upstream-capabilities', 'all'] });
    expect((await rawRequest(h.url, { method: 'PUT', path: '/big' })).status).toBe(200);
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const res = await rawRequest(h.url, { method: 'PUT', path: '/big/blob', headers: { 'content-length': data.length }, body: data });
    expect(res.status, text(res.body)).toBe(200);
    const rec = upstreamOf(h, 'PUT', '/big/blob')!;
    expect(rec.headers['x-amz-content-sha256']).toBe('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD');
    expect(rec.bodyBytes).toBe(awsChunkedEncodedLength(data.length, { mode: 'signed', chunkSize: 64 * 1024, ecdsa: true }));
    expect(objectBytes(h.s3.buckets.get('big')!.objects.get('blob')!).equals(data)).toBe(true);
  });

  it('re-signs a client\'s aws-chunked body with a checksum trailer as STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER', async () => {
    h = await startHarness({ args: [...V4A, '--payload', 'streaming', '--upstream-capabilities', 'all'] });
    expect((await rawRequest(h.url, { method: 'PUT', path: '/trl' })).status).toBe(200);
    const data = randomBytes(200_000);
    const encoder = createAwsChunkedEncoder({ mode: 'unsigned-trailer', trailer: 'crc32', chunkSize: 64 * 1024, decodedLength: data.length });
    const body = await buffer(Readable.from([data]).pipe(encoder));
    const res = await rawRequest(h.url, {
      method: 'PUT', path: '/trl/obj', body,
      headers: {
        'content-length': body.length, 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': data.length, 'x-amz-trailer': 'x-amz-checksum-crc32',
      },
    });
    expect(res.status, text(res.body)).toBe(200);
    const rec = upstreamOf(h, 'PUT', '/trl/obj')!;
    expect(rec.headers['x-amz-content-sha256']).toBe('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER');
    expect(objectBytes(h.s3.buckets.get('trl')!.objects.get('obj')!).equals(data)).toBe(true);
  });

  it('mints SigV4A presigned URLs at /_signet/presign that the embedded S3 accepts, and refuses once tampered', async () => {
    h = await startHarness({ args: [...V4A, '--region-set', '*'] });
    expect((await rawRequest(h.url, { method: 'PUT', path: '/pre' })).status).toBe(200);
    expect((await rawRequest(h.url, { method: 'PUT', path: '/pre/x.txt', headers: { 'content-length': 3 }, body: 'abc' })).status).toBe(200);
    const { url } = (await (await fetch(`${h.url}/_signet/presign?bucket=pre&key=x.txt`)).json()) as { url: string };
    const params = new URL(url).searchParams;
    expect(params.get('X-Amz-Algorithm')).toBe('AWS4-ECDSA-P256-SHA256');
    expect(params.get('X-Amz-Region-Set')).toBe('*');
    const got = await fetch(url);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('abc');
    const tampered = await fetch(url.replace(/X-Amz-Region-Set=[^&]*/, 'X-Amz-Region-Set=us-east-1'));
    expect(url).not.toBe(url.replace(/X-Amz-Region-Set=[^&]*/, 'X-Amz-Region-Set=us-east-1'));
    expect(tampered.status).toBe(403);
  });

  it('does not chase a region redirect: the region set covers the regions, the MRAP endpoint stays the upstream', async () => {
    h = await startHarness({ args: [...V4A, '--region-set', '*'] });
    h.s3.faults.nextResponses = [{ status: 301, code: 'PermanentRedirect', headers: { 'x-amz-bucket-region': 'eu-west-1' } }];
    const mark = h.s3.requests.length;
    const res = await rawRequest(h.url, { method: 'PUT', path: '/moved', headers: { 'content-length': 0 } });
    expect(res.status).toBe(301);
    expect(h.s3.requests.length - mark).toBe(1);
    // And the next request is still signed for the set, not for a learned region.
    expect((await rawRequest(h.url, { method: 'PUT', path: '/moved' })).status).toBe(200);
    expect(upstreamOf(h, 'PUT', '/moved')?.headers['x-amz-region-set']).toBe('*');
  });

  it('decodes a client\'s own SigV4A-chunked body (signatures signet cannot check in a sidecar) and re-signs it', async () => {
    h = await startHarness();
    expect((await rawRequest(h.url, { method: 'PUT', path: '/cv4a' })).status).toBe(200);
    const data = randomBytes(100_000);
    const client = { accessKeyId: 'AKIDCLIENT', secretAccessKey: 'client-secret' };
    const seed = signRequestV4a({ method: 'PUT', path: '/cv4a/o', query: [], headers: { host: 'h' } },
      { credentials: client, regionSet: ['*'], service: 's3', date: new Date(), payloadHash: 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' });
    const encoder = createAwsChunkedEncoder({
      mode: 'signed', chunkSize: 64 * 1024, decodedLength: data.length, ecdsa: true,
      signed: { signingKey: seed.signingKey, amzDate: seed.amzDate, scope: seed.scope, seedSignature: seed.signature, ecdsaKey: seed.ecdsaKey },
    });
    const body = await buffer(Readable.from([data]).pipe(encoder));
    const res = await rawRequest(h.url, {
      method: 'PUT', path: '/cv4a/o', body,
      headers: {
        'content-length': body.length, 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
        'x-amz-decoded-content-length': data.length, 'x-amz-region-set': '*',
      },
    });
    expect(res.status, text(res.body)).toBe(200);
    expect(upstreamOf(h, 'PUT', '/cv4a/o')?.headers['x-amz-region-set']).toBeUndefined();
    expect(objectBytes(h.s3.buckets.get('cv4a')!.objects.get('o')!).equals(data)).toBe(true);
  });

  it('is refused by the embedded S3 when the region set leaves its region out', async () => {
    h = await startHarness({ args: [...V4A, '--region-set', 'eu-west-1,ap-*'] });
    const res = await rawRequest(h.url, { method: 'PUT', path: '/nope' });
    expect(res.status).toBe(403);
    expect(text(res.body)).toContain('<Code>AccessDenied</Code>');
  });

  it('is refused by the embedded S3 when the secret is not the one it knows', async () => {
    h = await startHarness({ args: V4A, s3: { keys: { lookup: () => ({ secretAccessKey: 'not-the-secret-signet-holds' }) } } });
    const res = await rawRequest(h.url, { method: 'PUT', path: '/nope' });
    expect(res.status).toBe(403);
    expect(text(res.body)).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});
