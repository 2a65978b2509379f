import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes, startDemoS3, staticKeys } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { EXAMPLE, STREAMING_VECTOR, TRAILER_VECTOR, vectorBody } from '../../unit/demo/vectors.js';
import { send, tag } from './wire.js';

// The server's clock is set to the examples' date so the published signatures are current.
let s3: DemoS3;
beforeAll(async () => {
  s3 = await startDemoS3({ region: 'us-east-1', keys: staticKeys([EXAMPLE]), now: () => EXAMPLE.time, record: true });
});
afterAll(() => s3.close());

const auth = (signedHeaders: string, signature: string): string =>
  `AWS4-HMAC-SHA256 Credential=${EXAMPLE.accessKeyId}/${EXAMPLE.scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('the demo S3 server on the published AWS examples', () => {
  it('stores the published PUT (path /test$file.text signed as /test%24file.text)', async () => {
    const res = await send(s3.url, 'PUT', '/test%24file.text', {
      host: 'examplebucket.s3.amazonaws.com',
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      'x-amz-date': EXAMPLE.amzDate,
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      authorization: auth('date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class', '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd'),
    }, 'Welcome to Amazon S3.');
    expect(res.status).toBe(200);
    const object = s3.buckets.get('examplebucket')?.objects.get('test$file.text');
    expect(object && objectBytes(object).toString()).toBe('Welcome to Amazon S3.');
  });

  it('serves the published ranged GET of /test.txt', async () => {
    s3.buckets.get('examplebucket')?.objects.set('test.txt', {
      parts: [Buffer.from('0123456789abcdef')], size: 16, etag: '"x"', lastModified: EXAMPLE.time, headers: {}, checksums: {},
    });
    const res = await send(s3.url, 'GET', '/test.txt', {
      host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY, 'x-amz-date': EXAMPLE.amzDate,
      authorization: auth('host;range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'),
    });
    expect(res.status).toBe(206);
    expect(res.body).toBe('0123456789');
    expect(res.headers['content-range']).toBe('bytes 0-9/16');
  });

  it('answers the published list-objects request (?max-keys=2&prefix=J)', async () => {
    const res = await send(s3.url, 'GET', '/?max-keys=2&prefix=J', {
      host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY, 'x-amz-date': EXAMPLE.amzDate,
      authorization: auth('host;x-amz-content-sha256;x-amz-date', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7'),
    });
    expect(res.status).toBe(200);
    expect(tag(res.body, 'MaxKeys')).toBe('2');
  });

  it('accepts the published presigned GET', async () => {
    const query = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const res = await send(s3.url, 'GET', `/test.txt?${query}`, { host: 'examplebucket.s3.amazonaws.com' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('0123456789abcdef');
    const tampered = await send(s3.url, 'GET', `/test.txt?${query.replace('86400', '86401')}`, { host: 'examplebucket.s3.amazonaws.com' });
    expect(tampered.status).toBe(403);
    expect(tag(tampered.body, 'Code')).toBe('SignatureDoesNotMatch');
  });

  const streamingHeaders = {
    host: 's3.amazonaws.com',
    'x-amz-date': EXAMPLE.amzDate,
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
  };

  it('verifies every chunk of the published STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload and stores only the data', async () => {
    const body = vectorBody(STREAMING_VECTOR.chunks);
    const res = await send(s3.url, 'PUT', '/examplebucket/chunkObject.txt', {
      ...streamingHeaders, 'content-length': '66824', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      authorization: auth('content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class', STREAMING_VECTOR.seed),
    }, body);
    expect(res.status).toBe(200);
    const object = s3.buckets.get('examplebucket')?.objects.get('chunkObject.txt');
    expect(object?.size).toBe(66560);
    expect(object && objectBytes(object).equals(Buffer.alloc(66560, 'a'))).toBe(true);
    expect(object?.headers['content-encoding']).toBeUndefined();
    expect(s3.requests.at(-1)?.bodyBytes).toBe(66824);
  });

  it('refuses the same upload with one data byte changed (SignatureDoesNotMatch) and keeps the earlier object', async () => {
    const body = vectorBody(STREAMING_VECTOR.chunks);
    body[66000] = 0x62;
    const res = await send(s3.url, 'PUT', '/examplebucket/chunkObject.txt', {
      ...streamingHeaders, 'content-length': '66824', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      authorization: auth('content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class', STREAMING_VECTOR.seed),
    }, body);
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('SignatureDoesNotMatch');
    expect(s3.buckets.get('examplebucket')?.objects.get('chunkObject.txt')?.size).toBe(66560);
  });

  it('verifies the published signed-trailer upload, its trailer signature and its crc32c', async () => {
    const body = vectorBody(TRAILER_VECTOR.chunks, [TRAILER_VECTOR.trailer, `x-amz-trailer-signature:${TRAILER_VECTOR.trailerSignature}`]);
    const headers = {
      ...streamingHeaders, 'content-length': String(body.length), 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'x-amz-trailer': 'x-amz-checksum-crc32c',
      authorization: auth('content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer', TRAILER_VECTOR.seed),
    };
    const res = await send(s3.url, 'PUT', '/examplebucket/chunkObject.txt', headers, body);
    expect(res.status).toBe(200);
    expect(res.headers['x-amz-checksum-crc32c']).toBe('sOO8/Q==');
    expect(s3.buckets.get('examplebucket')?.objects.get('chunkObject.txt')?.checksums.crc32c).toBe('sOO8/Q==');
  });
});
