import { describe, expect, it } from 'vitest';
import { parseS3Url, presignUrl } from '../../../src/presign/index.js';
import type { PresignUrlOptions } from '../../../src/presign/index.js';
import type { Upstream } from '../../../src/s3/endpoint.js';

const aws: Upstream = {
  protocol: 'https:', hostname: 's3.eu-west-1.amazonaws.com', host: 's3.eu-west-1.amazonaws.com', port: 443,
  origin: 'https://s3.eu-west-1.amazonaws.com', isAws: true,
};
const local: Upstream = { protocol: 'http:', hostname: '127.0.0.1', host: '127.0.0.1:9000', port: 9000, origin: 'http://127.0.0.1:9000', isAws: false };
const now = new Date('2026-03-01T12:00:00Z');
const base: PresignUrlOptions = {
  method: 'GET', bucket: 'my-bucket', key: 'a b/c+d.txt', upstream: aws, addressing: 'auto', region: 'eu-west-1', service: 's3',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }, now, expiresSeconds: 3600,
};

describe('presignUrl', () => {
  it('uses virtual-hosted style on AWS for a DNS-compatible bucket, as serve does', () => {
    const r = presignUrl(base);
    expect(r.url.startsWith('https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c%2Bd.txt?')).toBe(true);
    expect(r).toMatchObject({ expiresSeconds: 3600, shortened: null });
  });

  it('uses path style on a custom endpoint and keeps its port in the URL', () => {
    const r = presignUrl({ ...base, upstream: local, region: 'us-east-1' });
    expect(r.url.startsWith('http://127.0.0.1:9000/my-bucket/a%20b/c%2Bd.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&')).toBe(true);
    expect(new URL(r.url).searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20260301/us-east-1/s3/aws4_request');
  });

  it('is deterministic for a pinned clock and signs only the host header', () => {
    const a = new URL(presignUrl(base).url);
    expect(a.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(a.searchParams.get('X-Amz-Date')).toBe('20260301T120000Z');
    expect(presignUrl(base).url).toBe(a.href);
    expect(presignUrl({ ...base, method: 'PUT' }).url).not.toBe(a.href);
  });

  it('carries the session token as X-Amz-Security-Token', () => {
    const r = presignUrl({ ...base, credentials: { ...base.credentials, sessionToken: 'TOKEN/+=' } });
    expect(new URL(r.url).searchParams.get('X-Amz-Security-Token')).toBe('TOKEN/+=');
  });

  it('caps the expiry at seven days', () => {
    expect(presignUrl({ ...base, expiresSeconds: 8 * 86400 })).toMatchObject({ expiresSeconds: 604800, shortened: 'seven-days' });
    expect(presignUrl({ ...base, expiresSeconds: 604800 })).toMatchObject({ expiresSeconds: 604800, shortened: null });
  });

  it('cuts the expiry to what the credentials have left', () => {
    const expiration = new Date(now.getTime() + 600_500);
    const r = presignUrl({ ...base, credentials: { ...base.credentials, expiration } });
    expect(r).toMatchObject({ expiresSeconds: 600, shortened: 'credentials' });
    expect(new URL(r.url).searchParams.get('X-Amz-Expires')).toBe('600');
  });

  it('prefers the credentials limit over the seven-day cap when it is shorter', () => {
    const expiration = new Date(now.getTime() + 3 * 86400_000);
    expect(presignUrl({ ...base, expiresSeconds: 30 * 86400, credentials: { ...base.credentials, expiration } }))
      .toMatchObject({ expiresSeconds: 3 * 86400, shortened: 'credentials' });
  });

  it('keeps the asked expiry when the credentials outlive it', () => {
    const expiration = new Date(now.getTime() + 7200_000);
    expect(presignUrl({ ...base, credentials: { ...base.credentials, expiration } })).toMatchObject({ expiresSeconds: 3600, shortened: null });
  });

  it('refuses credentials that have already expired', () => {
    expect(() => presignUrl({ ...base, credentials: { ...base.credentials, expiration: new Date(now.getTime() - 1) } }))
      .toThrow(expect.objectContaining({ code: 'AccessDenied', reason: expect.stringMatching(/already expired/) }));
  });

  it('refuses an expiry below one second', () => {
    expect(() => presignUrl({ ...base, expiresSeconds: 0 }))
      .toThrow(expect.objectContaining({ code: 'InvalidArgument', reason: expect.stringMatching(/expiry/) }));
  });
});

describe('parseS3Url', () => {
  it('splits bucket and literal key', () => {
    expect(parseS3Url('s3://bkt/a%20b/c')).toEqual({ bucket: 'bkt', key: 'a%20b/c' });
    expect(parseS3Url('s3://bkt')).toEqual({ bucket: 'bkt', key: '' });
  });
  it('says what is wrong with anything else', () => {
    expect(parseS3Url('https://bkt/k')).toMatch(/expected s3:/);
    expect(parseS3Url('s3://B_ad/k')).toMatch(/not an S3 bucket name/);
  });
});
