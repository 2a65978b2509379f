import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { presign } from '../../../src/sigv4/presign.js';
import { signRequest } from '../../../src/sigv4/signer.js';
import { uriEncodePath } from '../../../src/sigv4/uri-encode.js';
import { SIGNET_SIGNABLE_OVERRIDES, SIGNET_UNSIGNABLE, smithySigner, toSmithyQuery } from '../../support/smithy-reference.js';

// Differential test: thousands of generated requests, every signature compared with
// @smithy/signature-v4 (the AWS SDK's signer), which shares no code with signet's.

const keyChar = fc.constantFrom(
  'a', 'Z', '0', '-', '_', '.', '~', ' ', '+', '=', '%', ':', '@', '&', '?', '#', '!', '*', "'", '(', ')', ',', ';', '$',
  'ü', '日', '😀', '\u00a0', '[', ']', '{', '}', '"', '<', '>', '\\', '^', '`', '|',
);
const segment = fc.oneof(fc.string({ unit: keyChar, minLength: 0, maxLength: 12 }), fc.constantFrom('.', '..', ''));
const objectKey = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => '/' + s.join('/'));
const queryName = fc.oneof(
  fc.constantFrom('acl', 'uploads', 'prefix', 'delimiter', 'max-keys', 'list-type', 'continuation-token', 'a', 'a-b', 'X-Y', 'versionId'),
  fc.string({ unit: keyChar, minLength: 1, maxLength: 6 }),
);
const queryPair = fc.tuple(queryName, fc.string({ unit: keyChar, maxLength: 10 }));
const headerValue = fc
  .array(fc.constantFrom('a', 'b', ' ', '  ', '\t', 'x y', '=', '/', ',', 'ü', 'à', '日', '😀'), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(''))
  .filter((v) => v.trim() !== '');
const headerName = fc.constantFrom(
  'content-type', 'content-md5', 'range', 'if-match', 'if-none-match', 'cache-control', 'content-disposition',
  'x-amz-meta-a', 'x-amz-meta-long-name', 'x-amz-acl', 'x-amz-copy-source', 'x-amz-storage-class', 'x-amz-tagging',
  'user-agent', 'x-amzn-trace-id', 'expect',
);
const token = fc.option(fc.string({ unit: fc.constantFrom('A', 'b', '/', '+', '='), minLength: 20, maxLength: 400 }), { nil: undefined });
const request = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD'),
  key: objectKey,
  query: fc.array(queryPair, { maxLength: 5 }),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
  token,
  region: fc.constantFrom('us-east-1', 'eu-west-3', 'ap-southeast-2'),
  time: fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) }),
  payload: fc.constantFrom('UNSIGNED-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'),
});

const host = 'bucket.s3.example.com:8443';

describe('signet signatures agree with @smithy/signature-v4', () => {
  it('for every generated header-auth request', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/+key', ...(r.token ? { sessionToken: r.token } : {}) };
        const path = uriEncodePath(r.key);
        const headers = { host, ...r.headers };
        // The SDK signs Unicode values and sends their UTF-8; signet signs the octets it received.
        const received = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n, Buffer.from(v, 'utf8').toString('latin1')]));
        const date = new Date(r.time);
        const ours = signRequest({ method: r.method, path, query: r.query, headers: received }, {
          credentials, region: r.region, service: 's3', date, payloadHash: r.payload,
        });
        const reference = await smithySigner(credentials, r.region).sign(
          {
            method: r.method, protocol: 'https:', hostname: 'bucket.s3.example.com', port: 8443, path,
            query: toSmithyQuery(r.query), headers: { ...headers, 'x-amz-content-sha256': r.payload },
          },
          { signingDate: date, unsignableHeaders: SIGNET_UNSIGNABLE, signableHeaders: SIGNET_SIGNABLE_OVERRIDES },
        );
        expect(ours.authorization).toBe(reference.headers['authorization']);
      }),
      { numRuns: 3000 },
    );
  });

  it('for every generated presigned URL', async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.integer({ min: 1, max: 604800 }), async (r, expires) => {
        const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/+key', ...(r.token ? { sessionToken: r.token } : {}) };
        const path = uriEncodePath(r.key);
        const date = new Date(r.time);
        // Presigned requests carry the query without any auth of the client's own.
        const query = r.query.filter(([n]) => !n.startsWith('X-Amz-'));
        const ours = presign({ method: r.method, path, query, headers: { host } }, {
          credentials, region: r.region, service: 's3', date, expiresSeconds: expires,
        });
        const reference = await smithySigner(credentials, r.region).presign(
          {
            method: r.method, protocol: 'https:', hostname: 'bucket.s3.example.com', port: 8443, path,
            query: toSmithyQuery(query), headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
          },
          {
            signingDate: date, expiresIn: expires,
            unsignableHeaders: new Set(['x-amz-content-sha256']), unhoistableHeaders: new Set(['x-amz-content-sha256']),
          },
        );
        expect(ours.signature).toBe(reference.query?.['X-Amz-Signature']);
      }),
      { numRuns: 2000 },
    );
  });
});
