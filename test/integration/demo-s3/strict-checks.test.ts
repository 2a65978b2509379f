import { createHash } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials, objectBytes, startDemoS3, staticKeys } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { rawSend, send, signedSend, tag } from './wire.js';

const REGION = 'us-east-2';
const creds = demoCredentials();
const session = { ...demoCredentials(), sessionToken: 'session-token-value' };
const expired = { ...demoCredentials(), expiresAt: 1 };
let s3: DemoS3;
let host: string;

beforeAll(async () => {
  s3 = await startDemoS3({ region: REGION, keys: staticKeys([creds, session, expired]), record: true });
  host = new URL(s3.url).host;
});
afterAll(() => s3.close());

const sha = (body: string): string => createHash('sha256').update(body).digest('hex');
const put = (path: string, body: string, headers: Record<string, string> = {}, c = creds) =>
  signedSend(s3.url, c, REGION, { method: 'PUT', path, headers: { 'x-amz-content-sha256': sha(body), ...headers }, body });

describe('signature checks', () => {
  it('accepts a request signed by hand with @smithy/signature-v4', async () => {
    expect((await put('/strict/ok', 'fine')).status).toBe(200);
    expect(objectBytes(s3.buckets.get('strict')?.objects.get('ok') ?? { parts: [] }).toString()).toBe('fine');
  });

  it('answers a wrong secret with SignatureDoesNotMatch carrying the server canonical request', async () => {
    const res = await put('/strict/bad', 'x', {}, { ...creds, secretAccessKey: 'wrong' });
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('SignatureDoesNotMatch');
    expect(tag(res.body, 'AWSAccessKeyId')).toBe(creds.accessKeyId);
    expect(tag(res.body, 'CanonicalRequest')).toContain(`PUT\n/strict/bad\n\n`);
    expect(tag(res.body, 'StringToSign')).toMatch(/^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-2\/s3\/aws4_request\n[0-9a-f]{64}$/);
    expect(tag(res.body, 'SignatureProvided')).toMatch(/^[0-9a-f]{64}$/);
    expect(res.headers['x-amz-request-id']).toBeDefined();
    expect(res.headers['x-amz-id-2']).toBeDefined();
  });

  it('refuses an unknown access key', async () => {
    const res = await put('/strict/k', 'x', {}, { ...creds, accessKeyId: 'AKIAUNKNOWNUNKNOWN00' });
    expect(tag(res.body, 'Code')).toBe('InvalidAccessKeyId');
  });

  it('refuses an x-amz-meta header that was not signed, listing it', async () => {
    const res = await signedSend(s3.url, creds, REGION, { method: 'PUT', path: '/strict/meta', headers: { 'x-amz-content-sha256': sha('x'), 'x-amz-meta-color': 'red' }, body: 'x', unsignableHeaders: ['x-amz-meta-color'] });
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('AccessDenied');
    expect(tag(res.body, 'Message')).toBe('There were headers present in the request which were not signed');
    expect(tag(res.body, 'HeadersNotSigned')).toBe('x-amz-meta-color');
  });

  it('refuses a date 20 minutes off with RequestTimeTooSkewed and the server time', async () => {
    const res = await signedSend(s3.url, creds, REGION, { method: 'GET', path: '/', signingDate: new Date(Date.now() - 20 * 60 * 1000) });
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('RequestTimeTooSkewed');
    expect(tag(res.body, 'MaxAllowedSkewMilliseconds')).toBe('900000');
    expect(Date.parse(tag(res.body, 'ServerTime') ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('uses its own clock: a server 20 minutes ahead refuses a correct client and says so in Date', async () => {
    const ahead = await startDemoS3({ region: REGION, keys: staticKeys([creds]), now: () => Date.now() + 20 * 60 * 1000 });
    const res = await signedSend(ahead.url, creds, REGION, { method: 'GET', path: '/' });
    await ahead.close();
    expect(tag(res.body, 'Code')).toBe('RequestTimeTooSkewed');
    expect(Date.parse(String(res.headers['date'])) - Date.now()).toBeGreaterThan(19 * 60 * 1000);
  });

  it('refuses a body that does not match x-amz-content-sha256', async () => {
    const res = await signedSend(s3.url, creds, REGION, { method: 'PUT', path: '/strict/tampered', headers: { 'x-amz-content-sha256': sha('original') }, body: 'tampered' });
    expect(res.status).toBe(400);
    expect(tag(res.body, 'Code')).toBe('XAmzContentSHA256Mismatch');
    expect(tag(res.body, 'ClientComputedContentSHA256')).toBe(sha('original'));
    expect(s3.buckets.get('strict')?.objects.has('tampered')).toBe(false);
  });

  it('refuses a wrong region with AuthorizationHeaderMalformed, <Region> and x-amz-bucket-region', async () => {
    const res = await signedSend(s3.url, creds, 'eu-central-1', { method: 'GET', path: '/strict' });
    expect(res.status).toBe(400);
    expect(tag(res.body, 'Code')).toBe('AuthorizationHeaderMalformed');
    expect(tag(res.body, 'Region')).toBe(REGION);
    expect(res.headers['x-amz-bucket-region']).toBe(REGION);
  });

  it('refuses a request without authentication', async () => {
    const res = await send(s3.url, 'GET', '/strict', { host });
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('AccessDenied');
  });

  it('requires the session token of temporary keys, signed', async () => {
    expect((await signedSend(s3.url, session, REGION, { method: 'GET', path: '/strict', headers: { 'x-amz-content-sha256': sha('') } })).status).toBe(200);
    const { sessionToken: _omitted, ...withoutToken } = session;
    const missing = await signedSend(s3.url, withoutToken, REGION, { method: 'GET', path: '/strict', headers: { 'x-amz-content-sha256': sha('') } });
    expect(tag(missing.body, 'Code')).toBe('InvalidToken');
    const other = await signedSend(s3.url, { ...session, sessionToken: 'another' }, REGION, { method: 'GET', path: '/strict', headers: { 'x-amz-content-sha256': sha('') } });
    expect(tag(other.body, 'Code')).toBe('InvalidToken');
  });

  it('refuses keys past their expiry', async () => {
    const res = await signedSend(s3.url, expired, REGION, { method: 'GET', path: '/strict', headers: { 'x-amz-content-sha256': sha('') } });
    expect(res.status).toBe(400);
    expect(tag(res.body, 'Code')).toBe('ExpiredToken');
  });

  it('requires x-amz-content-sha256 on header-signed requests', async () => {
    const signer = new SignatureV4({ credentials: creds, region: REGION, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });
    const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: host, path: '/strict', query: {}, headers: { host } });
    const res = await send(s3.url, 'GET', '/strict', signed.headers as Record<string, string>);
    expect(tag(res.body, 'Message')).toContain('x-amz-content-sha256');
  });

  it('accepts a URL presigned by @smithy/signature-v4 and refuses it once expired', async () => {
    const signer = new SignatureV4({ credentials: creds, region: REGION, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
    // As the S3 client does: the payload line of a presigned URL is UNSIGNED-PAYLOAD (protocol.md §1.7).
    const unsigned = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const keep = { unsignableHeaders: new Set(['x-amz-content-sha256']), unhoistableHeaders: new Set(['x-amz-content-sha256']) };
    const presigned = await signer.presign({ method: 'GET', protocol: 'http:', hostname: host, path: '/strict/ok', query: {}, headers: { host, ...unsigned } }, { expiresIn: 60, ...keep });
    const qs = Object.entries(presigned.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
    const res = await send(s3.url, 'GET', `/strict/ok?${qs}`, { host });
    expect(res.status).toBe(200);
    expect(res.body).toBe('fine');
    const old = await signer.presign({ method: 'GET', protocol: 'http:', hostname: host, path: '/strict/ok', query: {}, headers: { host, ...unsigned } }, { expiresIn: 60, signingDate: new Date(Date.now() - 120_000), ...keep });
    const oldQs = Object.entries(old.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
    const late = await send(s3.url, 'GET', `/strict/ok?${oldQs}`, { host });
    expect(tag(late.body, 'Message')).toBe('Request has expired');
  });
});

describe('body framing and checksums', () => {
  it('answers plain Transfer-Encoding: chunked with 501 NotImplemented naming the header', async () => {
    const res = await signedSend(s3.url, creds, REGION, { method: 'PUT', path: '/strict/te', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'transfer-encoding': 'chunked' }, body: 'abc' });
    expect(res.status).toBe(501);
    expect(tag(res.body, 'Header')).toBe('Transfer-Encoding');
  });

  it('answers a PUT without Content-Length with 411', async () => {
    const signer = new SignatureV4({ credentials: creds, region: REGION, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
    const signed = await signer.sign({ method: 'PUT', protocol: 'http:', hostname: host, path: '/strict/nolength', query: {}, headers: { host, 'x-amz-content-sha256': sha('') } });
    const res = await rawSend(s3.url, 'PUT', '/strict/nolength', signed.headers as Record<string, string>);
    expect(res.status).toBe(411);
    expect(tag(res.text, 'Code')).toBe('MissingContentLength');
  });

  it('checks Content-MD5 and x-amz-checksum-* headers', async () => {
    const md5 = createHash('md5').update('other').digest('base64');
    expect(tag((await put('/strict/md5', 'data', { 'content-md5': md5 })).body, 'Code')).toBe('BadDigest');
    expect(tag((await put('/strict/crc', 'data', { 'x-amz-checksum-crc32': 'AAAAAA==' })).body, 'Code')).toBe('BadDigest');
    const good = createHash('sha256').update('data').digest('base64');
    expect((await put('/strict/sha', 'data', { 'x-amz-checksum-sha256': good, 'content-md5': createHash('md5').update('data').digest('base64') })).status).toBe(200);
  });

  it('refuses UNSIGNED-PAYLOAD when the server is told to', async () => {
    const strict = await startDemoS3({ region: REGION, keys: staticKeys([creds]), accept: { unsignedPayload: false, signedChunked: false } });
    const res = await signedSend(strict.url, creds, REGION, { method: 'PUT', path: '/b/k', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'x' });
    const chunked = await signedSend(strict.url, creds, REGION, { method: 'PUT', path: '/b/k', headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '1' }, body: 'x' });
    await strict.close();
    expect(res.status).toBe(400);
    expect(tag(res.body, 'Code')).toBe('InvalidRequest');
    expect(chunked.status).toBe(501);
  });
});

describe('addressing and keys', () => {
  it('keeps //, ., .., a trailing / and a literal + in keys', async () => {
    const cases: Array<[string, string]> = [['/strict/a//b', 'a//b'], ['/strict/x/../y', 'x/../y'], ['/strict/./z', './z'], ['/strict/dir/', 'dir/'], ['/strict/p+q%2Br%20s', 'p+q+r s']];
    for (const [path, key] of cases) {
      expect((await put(path, key)).status).toBe(200);
      expect(s3.buckets.get('strict')?.objects.has(key)).toBe(true);
    }
  });

  it('reads the bucket from a <bucket>.localhost Host (virtual-hosted style)', async () => {
    const vhost = `vbucket.localhost:${s3.port}`;
    const signer = new SignatureV4({ credentials: creds, region: REGION, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
    const signed = await signer.sign({ method: 'PUT', protocol: 'http:', hostname: vhost, path: '/v/key', query: {}, headers: { host: vhost, 'x-amz-content-sha256': sha('vh') }, body: 'vh' });
    const res = await send(s3.url, 'PUT', '/v/key', signed.headers as Record<string, string>, 'vh');
    expect(res.status).toBe(200);
    expect(s3.buckets.get('vbucket')?.objects.has('v/key')).toBe(true);
  });

  it('answers an unknown bucket with NoSuchBucket when auto-creation is off', async () => {
    const plain = await startDemoS3({ region: REGION, keys: staticKeys([creds]), autoCreateBuckets: false });
    const res = await signedSend(plain.url, creds, REGION, { method: 'PUT', path: '/nobucket/k', headers: { 'x-amz-content-sha256': sha('x') }, body: 'x' });
    await plain.close();
    expect(res.status).toBe(404);
    expect(tag(res.body, 'Code')).toBe('NoSuchBucket');
  });
});

describe('fault injection and recording', () => {
  it('serves canned responses first, then resets sockets, then answers normally', async () => {
    s3.faults.nextResponses = [{ status: 503, code: 'SlowDown' }, { status: 301, code: 'PermanentRedirect', headers: { 'x-amz-bucket-region': 'ap-south-1' } }];
    const first = await signedSend(s3.url, creds, REGION, { method: 'GET', path: '/strict', headers: { 'x-amz-content-sha256': sha('') } });
    const second = await signedSend(s3.url, creds, REGION, { method: 'GET', path: '/strict', headers: { 'x-amz-content-sha256': sha('') } });
    expect([first.status, tag(first.body, 'Code')]).toEqual([503, 'SlowDown']);
    expect([second.status, second.headers['x-amz-bucket-region']]).toEqual([301, 'ap-south-1']);
    s3.faults.resetNext = 1;
    await expect(signedSend(s3.url, creds, REGION, { method: 'GET', path: '/strict', headers: { 'x-amz-content-sha256': sha('') } })).rejects.toThrow();
    expect((await signedSend(s3.url, creds, REGION, { method: 'GET', path: '/strict', headers: { 'x-amz-content-sha256': sha('') } })).status).toBe(200);
  });

  it('records the raw target, headers, body size and hash, status and error code', async () => {
    s3.requests.length = 0;
    await put('/strict/rec%20orded', 'payload');
    await put('/strict/x', 'y', {}, { ...creds, secretAccessKey: 'bad' });
    const [ok, bad] = s3.requests;
    expect(ok).toMatchObject({ method: 'PUT', rawPath: '/strict/rec%20orded', bodyBytes: 7, bodySha256: sha('payload'), status: 200 });
    expect(ok?.headers['x-amz-content-sha256']).toBe(sha('payload'));
    expect(bad).toMatchObject({ status: 403, errorCode: 'SignatureDoesNotMatch', bodyBytes: 1 });
  });
});
