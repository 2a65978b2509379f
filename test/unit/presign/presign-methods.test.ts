import { describe, expect, it } from 'vitest';
import { presignUrl } from '../../../src/presign/index.js';
import type { PresignUrlOptions } from '../../../src/presign/index.js';
import type { Upstream } from '../../../src/s3/endpoint.js';
import { smithySigner, toSmithyQuery } from '../../support/smithy-reference.js';

// Every presignable call checked against @smithy/signature-v4's presign, the AWS SDK's signer.
const local: Upstream = { protocol: 'http:', hostname: '127.0.0.1', host: '127.0.0.1:9000', port: 9000, origin: 'http://127.0.0.1:9000', isAws: false };
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'TOKEN/+=' };
const now = new Date('2026-03-01T12:00:00Z');
const base: PresignUrlOptions = {
  method: 'GET', bucket: 'my-bucket', key: 'dir/a b+c.txt', upstream: local, addressing: 'path', region: 'eu-west-1', service: 's3',
  credentials, now, expiresSeconds: 900,
};

const CASES: ReadonlyArray<readonly [string, Partial<PresignUrlOptions>, string]> = [
  ['GetObject', { method: 'GET' }, 'GetObject'],
  ['GetObject with response overrides', { method: 'GET', query: [['response-content-disposition', 'attachment; filename="x y.txt"']] }, 'GetObject'],
  ['HeadObject', { method: 'HEAD' }, 'HeadObject'],
  ['DeleteObject', { method: 'DELETE' }, 'DeleteObject'],
  ['PutObject', { method: 'PUT' }, 'PutObject'],
  ['PutObject with signed content-type, acl and checksum', {
    method: 'PUT', headers: { 'Content-Type': 'image/png', 'x-amz-acl': 'private', 'x-amz-checksum-sha256': 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' },
  }, 'PutObject'],
  ['CreateMultipartUpload', { method: 'POST', query: [['uploads', '']] }, 'CreateMultipartUpload'],
  ['UploadPart', { method: 'PUT', query: [['uploadId', 'VXBsb2FkIElE+/='], ['partNumber', '7']] }, 'UploadPart'],
  ['CompleteMultipartUpload', { method: 'POST', query: [['uploadId', 'VXBsb2FkIElE+/=']], headers: { 'content-type': 'application/xml' } }, 'CompleteMultipartUpload'],
  ['AbortMultipartUpload', { method: 'DELETE', query: [['uploadId', 'abc']] }, 'AbortMultipartUpload'],
  ['ListObjectsV2', { method: 'GET', key: '', query: [['list-type', '2'], ['prefix', 'dir/']] }, 'ListObjectsV2'],
];

describe('presignUrl for every presignable call', () => {
  for (const [name, options, operation] of CASES) {
    it(`${name}: the signature is the one @smithy/signature-v4 computes`, async () => {
      const o = { ...base, ...options };
      const r = presignUrl(o);
      expect(r.operation).toBe(operation);
      const url = new URL(r.url);
      const lowerHeaders = Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      expect(r.headers).toEqual(lowerHeaders);
      const reference = await smithySigner(credentials, 'eu-west-1').presign(
        {
          method: o.method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path: url.pathname,
          query: toSmithyQuery(o.query ?? []), headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...lowerHeaders },
        },
        {
          signingDate: now, expiresIn: 900,
          unsignableHeaders: new Set(['x-amz-content-sha256']),
          unhoistableHeaders: new Set(['x-amz-content-sha256', ...Object.keys(lowerHeaders)]),
        },
      );
      expect(url.searchParams.get('X-Amz-Signature')).toBe(reference.query?.['X-Amz-Signature']);
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(reference.query?.['X-Amz-SignedHeaders']);
      for (const [n, v] of o.query ?? []) expect(url.searchParams.get(n)).toBe(v);
    });
  }

  it('reports the expiry instant', () => {
    expect(presignUrl(base)).toMatchObject({ expiresSeconds: 900, expiresAt: '2026-03-01T12:15:00.000Z', method: 'GET' });
  });

  it('refuses calls it does not presign, and headers signet owns', () => {
    expect(() => presignUrl({ ...base, method: 'PUT', query: [['acl', '']] })).toThrow(/cannot be presigned/);
    expect(() => presignUrl({ ...base, method: 'POST' })).toThrow(/not an operation signet presigns/);
    expect(() => presignUrl({ ...base, method: 'PUT', query: [['partNumber', '1']] })).toThrow(/needs an uploadId/);
    expect(() => presignUrl({ ...base, method: 'PUT', query: [['uploadId', 'u']] })).toThrow(/needs partNumber/);
    expect(() => presignUrl({ ...base, method: 'PUT', query: [['uploadId', 'u'], ['partNumber', '0']] })).toThrow(/partNumber/);
    expect(() => presignUrl({ ...base, headers: { 'x-amz-security-token': 'x' } })).toThrow(/set by signet/);
    expect(() => presignUrl({ ...base, headers: { host: 'evil' } })).toThrow(/set by signet/);
    expect(() => presignUrl({ ...base, headers: { 'user-agent': 'x' } })).toThrow(/cannot be signed/);
    expect(() => presignUrl({ ...base, headers: { 'x-amz-meta-a': 'a\r\nb' } })).toThrow(/single-line/);
  });
});
