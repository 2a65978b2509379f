import { describe, expect, it } from 'vitest';
import { mintPostPolicy } from '../../../src/presign/post-policy.js';
import type { PostPolicyOptions } from '../../../src/presign/post-policy.js';
import type { Upstream } from '../../../src/s3/endpoint.js';
import { postPolicySignature } from '../../../src/sigv4/post-policy-signature.js';

// The S3 API reference, "Example: Browser-Based Upload using HTTP POST (Using AWS Signature
// Version 4)": its policy (CRLF line ends), base64 form, credentials and signature.
const AWS_POLICY = [
  '{ "expiration": "2015-12-30T12:00:00.000Z",',
  '  "conditions": [',
  '    {"bucket": "sigv4examplebucket"},',
  '    ["starts-with", "$key", "user/user1/"],',
  '    {"acl": "public-read"},',
  '    {"success_action_redirect": "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},',
  '    ["starts-with", "$Content-Type", "image/"],',
  '    {"x-amz-meta-uuid": "14365123651274"},',
  '    {"x-amz-server-side-encryption": "AES256"},',
  '    ["starts-with", "$x-amz-meta-tag", ""],',
  '',
  '    {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},',
  '    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},',
  '    {"x-amz-date": "20151229T000000Z" }',
  '  ]',
  '}',
].join('\r\n');
const AWS_POLICY_BASE64 =
  'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9';
const AWS_SIGNATURE = '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e';
const AWS_KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

const aws: Upstream = {
  protocol: 'https:', hostname: 's3.amazonaws.com', host: 's3.amazonaws.com', port: 443, origin: 'https://s3.amazonaws.com', isAws: true,
};
const local: Upstream = { protocol: 'http:', hostname: '127.0.0.1', host: '127.0.0.1:9000', port: 9000, origin: 'http://127.0.0.1:9000', isAws: false };

const base: PostPolicyOptions = {
  bucket: 'sigv4examplebucket', key: 'user/user1/', prefix: true, expiresSeconds: 36 * 3600,
  upstream: aws, addressing: 'auto', region: 'us-east-1', service: 's3', credentials: AWS_KEYS, now: new Date('2015-12-29T00:00:00Z'),
};

function decoded(policy: string): unknown {
  return JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
}

describe('POST policy signature', () => {
  it('is the AWS-published signature of the AWS-published policy', () => {
    expect(Buffer.from(AWS_POLICY, 'utf8').toString('base64')).toBe(AWS_POLICY_BASE64);
    expect(postPolicySignature(AWS_POLICY_BASE64, AWS_KEYS, '20151229', 'us-east-1', 's3')).toBe(AWS_SIGNATURE);
  });

  it('changes with any byte of the policy, the day, the region or the key', () => {
    const other = [
      postPolicySignature(AWS_POLICY_BASE64.slice(0, -1) + 'a', AWS_KEYS, '20151229', 'us-east-1', 's3'),
      postPolicySignature(AWS_POLICY_BASE64, AWS_KEYS, '20151230', 'us-east-1', 's3'),
      postPolicySignature(AWS_POLICY_BASE64, AWS_KEYS, '20151229', 'eu-west-1', 's3'),
      postPolicySignature(AWS_POLICY_BASE64, { ...AWS_KEYS, secretAccessKey: 'x' + AWS_KEYS.secretAccessKey }, '20151229', 'us-east-1', 's3'),
    ];
    for (const s of other) expect(s).not.toBe(AWS_SIGNATURE);
  });
});

describe('mintPostPolicy', () => {
  it('writes the same conditions as the AWS example for the same request, and signs its own document the same way', () => {
    const p = mintPostPolicy({
      ...base, expiresSeconds: 36 * 3600, acl: 'public-read', contentTypePrefix: 'image/',
      successActionRedirect: 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html', metadata: { uuid: '14365123651274' },
    });
    const ours = decoded(p.fields['policy']!) as { expiration: string; conditions: unknown[] };
    const theirs = JSON.parse(AWS_POLICY) as { expiration: string; conditions: unknown[] };
    expect(ours.expiration).toBe(theirs.expiration);
    // Every AWS condition but the two for fields signet does not set (SSE, a free x-amz-meta-tag).
    const skip = new Set([JSON.stringify({ 'x-amz-server-side-encryption': 'AES256' }), JSON.stringify(['starts-with', '$x-amz-meta-tag', ''])]);
    const expected = theirs.conditions.map((c) => JSON.stringify(c)).filter((c) => !skip.has(c)).sort();
    expect(ours.conditions.map((c) => JSON.stringify(c)).sort()).toEqual(expected);
    expect(p.fields['x-amz-signature']).toBe(postPolicySignature(p.fields['policy']!, AWS_KEYS, '20151229', 'us-east-1', 's3'));
    expect(p.fields).toMatchObject({
      key: 'user/user1/${filename}', acl: 'public-read', 'x-amz-meta-uuid': '14365123651274', 'x-amz-algorithm': 'AWS4-HMAC-SHA256',
      'x-amz-credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request', 'x-amz-date': '20151229T000000Z',
    });
    expect(p.url).toBe('https://sigv4examplebucket.s3.amazonaws.com/');
  });

  it('names one exact key, a size range and a success status when asked', () => {
    const p = mintPostPolicy({ ...base, upstream: local, key: 'a/b.txt', prefix: false, minSize: 1, maxSize: 10, successActionStatus: '201' });
    expect(p.url).toBe('http://127.0.0.1:9000/sigv4examplebucket');
    expect(p.fields['key']).toBe('a/b.txt');
    expect((decoded(p.fields['policy']!) as { conditions: unknown[] }).conditions).toEqual(expect.arrayContaining([
      { key: 'a/b.txt' }, ['content-length-range', 1, 10], { success_action_status: '201' },
    ]));
  });

  it('carries a session token as a field and a condition', () => {
    const p = mintPostPolicy({ ...base, credentials: { ...AWS_KEYS, sessionToken: 'TOKEN/+=' } });
    expect(p.fields['x-amz-security-token']).toBe('TOKEN/+=');
    expect((decoded(p.fields['policy']!) as { conditions: unknown[] }).conditions).toContainEqual({ 'x-amz-security-token': 'TOKEN/+=' });
  });

  it('asks for a checksum field when a checksum algorithm is chosen', () => {
    const p = mintPostPolicy({ ...base, checksumAlgorithm: 'SHA256' });
    expect(p.fields['x-amz-checksum-algorithm']).toBe('SHA256');
    expect((decoded(p.fields['policy']!) as { conditions: unknown[] }).conditions).toContainEqual(['starts-with', '$x-amz-checksum-sha256', '']);
  });

  it('caps the expiry by seven days and by the credentials', () => {
    expect(mintPostPolicy({ ...base, expiresSeconds: 30 * 86400 })).toMatchObject({ expiresSeconds: 604800, shortened: 'seven-days' });
    const expiration = new Date(base.now.getTime() + 60_000);
    const p = mintPostPolicy({ ...base, credentials: { ...AWS_KEYS, expiration } });
    expect(p).toMatchObject({ expiresSeconds: 60, shortened: 'credentials', expiresAt: '2015-12-29T00:01:00.000Z' });
    expect((decoded(p.fields['policy']!) as { expiration: string }).expiration).toBe('2015-12-29T00:01:00.000Z');
  });

  it('refuses what it cannot express', () => {
    expect(() => mintPostPolicy({ ...base, key: '', prefix: false })).toThrow(/key/);
    expect(() => mintPostPolicy({ ...base, minSize: 10, maxSize: 5 })).toThrow(/size range/);
    expect(() => mintPostPolicy({ ...base, maxSize: 6 * 1024 ** 3 })).toThrow(/size range/);
    expect(() => mintPostPolicy({ ...base, successActionRedirect: 'javascript:alert(1)' })).toThrow(/redirect/);
    expect(() => mintPostPolicy({ ...base, metadata: { 'Bad Name': 'x' } })).toThrow(/metadata/);
  });
});
