import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUpstream } from '../../../src/config/index.js';
import { demoCredentials, objectBytes, startDemoS3, staticKeys } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { mintPostPolicy } from '../../../src/presign/index.js';
import type { PostPolicyRequest } from '../../../src/presign/index.js';
import type { Upstream } from '../../../src/s3/endpoint.js';

// Browser-form uploads (POST Object) to the embedded S3, sent with fetch + FormData as a browser
// would: each policy condition accepted at its bound and refused just past it.

const creds = demoCredentials();
const session = { ...demoCredentials(), sessionToken: 'session/token+=' };
// The AWS-published example (S3 API reference, "Example: Browser-Based Upload using HTTP POST").
const AWS_KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
let clock = Date.now();
let s3: DemoS3;
let upstream: Upstream;

beforeAll(async () => {
  s3 = await startDemoS3({ region: 'us-east-1', keys: staticKeys([creds, session, AWS_KEYS]), now: () => clock });
  const parsed = parseUpstream(s3.url);
  if (typeof parsed === 'string') throw new Error(parsed);
  upstream = parsed;
});
afterAll(() => s3.close());

function mint(r: Partial<PostPolicyRequest> = {}, c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = creds, now = new Date(clock)) {
  return mintPostPolicy({
    bucket: 'forms', key: 'up/', prefix: true, expiresSeconds: 600, ...r,
    upstream, addressing: 'path', region: 'us-east-1', service: 's3', credentials: c, now,
  });
}

async function upload(url: string, fields: Record<string, string>, body: string | Buffer, filename = 'f.txt', type = 'text/plain') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([body], { type }), filename);
  const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const code = (xml: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const stored = (key: string, bucket = 'forms') => s3.buckets.get(bucket)?.objects.get(key);

describe('POST Object on the embedded S3', () => {
  it('stores the file under prefix${filename} and answers 204 by default', async () => {
    const p = mint();
    const r = await upload(p.url, p.fields, 'hello form', 'a b.txt');
    expect(r.status).toBe(204);
    expect(r.headers.get('etag')).toBe('"' + createHash('md5').update('hello form').digest('hex') + '"');
    expect(objectBytes(stored('up/a b.txt')!).toString()).toBe('hello form');
    expect(stored('up/a b.txt')!.headers['content-type']).toBe('text/plain');
  });

  it('accepts the AWS-published example form at its own date and redirects as asked', async () => {
    const policy = 'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9';
    const fields = {
      key: 'user/user1/${filename}', acl: 'public-read',
      success_action_redirect: 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html',
      'Content-Type': 'image/jpeg', 'x-amz-meta-uuid': '14365123651274', 'x-amz-server-side-encryption': 'AES256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': '20151229T000000Z', 'x-amz-meta-tag': '', Policy: policy,
      'X-Amz-Signature': '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e',
    };
    const saved = clock;
    clock = Date.parse('2015-12-29T06:00:00Z');
    try {
      const r = await upload(`${s3.url}/sigv4examplebucket`, fields, 'jpeg bytes', 'photo.jpg', 'image/jpeg');
      expect(r.status).toBe(303);
      const location = new URL(r.headers.get('location')!);
      expect(location.origin + location.pathname).toBe('http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html');
      expect(location.searchParams.get('key')).toBe('user/user1/photo.jpg');
      expect(stored('user/user1/photo.jpg', 'sigv4examplebucket')!.headers).toMatchObject({ 'content-type': 'image/jpeg', 'x-amz-meta-uuid': '14365123651274' });
      // One byte of the signature changed, and the same form is refused.
      const forged = await upload(`${s3.url}/sigv4examplebucket`, { ...fields, 'X-Amz-Signature': '9' + fields['X-Amz-Signature'].slice(1) }, 'x', 'photo.jpg');
      expect(code(forged.text)).toBe('SignatureDoesNotMatch');
      // Past the policy's expiration (2015-12-30T12:00:00Z), refused.
      clock = Date.parse('2015-12-30T12:00:01Z');
      const late = await upload(`${s3.url}/sigv4examplebucket`, fields, 'x', 'photo.jpg');
      expect(late.status).toBe(403);
      expect(late.text).toContain('Policy expired');
    } finally {
      clock = saved;
    }
  });

  it('answers success_action_status 201 with a PostResponse document', async () => {
    const p = mint({ key: 'exact.txt', prefix: false, successActionStatus: '201' });
    const r = await upload(p.url, p.fields, 'x');
    expect(r.status).toBe(201);
    expect(r.text).toContain('<Key>exact.txt</Key>');
    expect(r.text).toContain('<Bucket>forms</Bucket>');
  });

  it('enforces content-length-range at both bounds', async () => {
    const p = mint({ minSize: 3, maxSize: 10 });
    expect((await upload(p.url, { ...p.fields, key: 'up/min' }, 'abc')).status).toBe(204);
    expect((await upload(p.url, { ...p.fields, key: 'up/max' }, '0123456789')).status).toBe(204);
    const small = await upload(p.url, { ...p.fields, key: 'up/small' }, 'ab');
    expect([small.status, code(small.text)]).toEqual([400, 'EntityTooSmall']);
    const large = await upload(p.url, { ...p.fields, key: 'up/large' }, '0123456789a');
    expect([large.status, code(large.text)]).toEqual([400, 'EntityTooLarge']);
    expect(stored('up/small')).toBeUndefined();
    expect(stored('up/large')).toBeUndefined();
  });

  it('enforces the key prefix', async () => {
    const p = mint({ key: 'users/u1/' });
    expect((await upload(p.url, { ...p.fields, key: 'users/u1/ok' }, 'x')).status).toBe(204);
    const out = await upload(p.url, { ...p.fields, key: 'users/u2/no' }, 'x');
    expect([out.status, code(out.text)]).toEqual([403, 'AccessDenied']);
    expect(out.text).toContain('Policy Condition failed');
    expect(stored('users/u2/no')).toBeUndefined();
  });

  it('enforces the content-type prefix on the Content-Type field', async () => {
    const p = mint({ contentTypePrefix: 'image/' });
    expect((await upload(p.url, { ...p.fields, 'Content-Type': 'image/png' }, 'png', 'i.png')).status).toBe(204);
    expect(stored('up/i.png')!.headers['content-type']).toBe('image/png');
    const text = await upload(p.url, { ...p.fields, 'Content-Type': 'text/html' }, '<html>', 'i.html');
    expect([text.status, code(text.text)]).toEqual([403, 'AccessDenied']);
  });

  it('refuses a form past its expiry, and accepts it the second before', async () => {
    const signedAt = clock;
    const p = mint({ key: 'exp/', expiresSeconds: 60 });
    clock = signedAt + 59_000;
    expect((await upload(p.url, p.fields, 'in time')).status).toBe(204);
    clock = signedAt + 60_000;
    const late = await upload(p.url, p.fields, 'too late');
    expect([late.status, code(late.text)]).toEqual([403, 'AccessDenied']);
    expect(late.text).toContain('Policy expired');
    clock = signedAt;
  });

  it('refuses a field the policy does not name, a changed exact field, and a tampered policy', async () => {
    const p = mint({ acl: 'private' });
    const extra = await upload(p.url, { ...p.fields, 'x-amz-meta-extra': '1' }, 'x');
    expect(extra.text).toContain('Extra input fields: x-amz-meta-extra');
    const acl = await upload(p.url, { ...p.fields, acl: 'public-read' }, 'x');
    expect(acl.text).toContain('Policy Condition failed');
    const doc = JSON.parse(Buffer.from(p.fields['policy']!, 'base64').toString()) as { conditions: unknown[] };
    doc.conditions[1] = ['starts-with', '$key', ''];
    const tampered = await upload(p.url, { ...p.fields, policy: Buffer.from(JSON.stringify(doc)).toString('base64'), key: 'elsewhere' }, 'x');
    expect(code(tampered.text)).toBe('SignatureDoesNotMatch');
    const x = await upload(p.url, { ...p.fields, 'x-ignore-me': 'fine' }, 'x');
    expect(x.status).toBe(204);
  });

  it('checks a session token and a checksum the form carries', async () => {
    const p = mint({ checksumAlgorithm: 'SHA256' }, session);
    const sum = createHash('sha256').update('summed').digest('base64');
    expect((await upload(p.url, { ...p.fields, 'x-amz-checksum-sha256': sum }, 'summed', 'sum.txt')).status).toBe(204);
    expect(stored('up/sum.txt')!.checksums.sha256).toBe(sum);
    const wrong = await upload(p.url, { ...p.fields, 'x-amz-checksum-sha256': sum }, 'other', 'sum2.txt');
    expect(code(wrong.text)).toBe('BadDigest');
    const { 'x-amz-security-token': _, ...noToken } = p.fields;
    expect(code((await upload(p.url, noToken, 'x')).text)).toBe('InvalidToken');
  });

  it('answers a form without a file, and a body that is not multipart, with 400', async () => {
    const p = mint();
    const form = new FormData();
    for (const [k, v] of Object.entries(p.fields)) form.append(k, v);
    const none = await fetch(p.url, { method: 'POST', body: form });
    expect(none.status).toBe(400);
    const broken = await fetch(p.url, { method: 'POST', body: '--x\r\ngarbage', headers: { 'content-type': 'multipart/form-data; boundary=x' } });
    expect(broken.status).toBe(400);
    expect(code(await broken.text())).toBe('MalformedPOSTRequest');
  });

  it('answers a CORS preflight and names the origin on the answer', async () => {
    const pre = await fetch(`${s3.url}/forms`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:1');
    const p = mint();
    const form = new FormData();
    for (const [k, v] of Object.entries(p.fields)) form.append(k, v);
    form.append('file', new Blob(['c']), 'cors.txt');
    const res = await fetch(p.url, { method: 'POST', body: form, headers: { origin: 'http://127.0.0.1:1' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:1');
  });
});
