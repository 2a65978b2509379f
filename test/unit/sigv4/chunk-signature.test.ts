import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkSignature, trailerSignature } from '../../../src/sigv4/chunk-signature.js';
import { deriveSigningKey } from '../../../src/sigv4/signing-key.js';
import { EMPTY_SHA256 } from '../../../src/sigv4/constants.js';

// AWS S3 API reference, sigv4-streaming and sigv4-streaming-trailers (protocol.md §2.6, §2.7).
const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3');
const amzDate = '20130524T000000Z';
const scope = '20130524/us-east-1/s3/aws4_request';
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

describe('chunkSignature', () => {
  it('derives the published signing key used by the vectors', () => {
    expect(key.toString('hex')).toBe('dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378');
  });

  it('reproduces the three chunk signatures of the STREAMING-AWS4-HMAC-SHA256-PAYLOAD example', () => {
    const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
    const first = chunkSignature(key, amzDate, scope, seed, sha256(Buffer.alloc(65536, 'a')));
    expect(first).toBe('ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648');
    const second = chunkSignature(key, amzDate, scope, first, sha256(Buffer.alloc(1024, 'a')));
    expect(second).toBe('0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497');
    const last = chunkSignature(key, amzDate, scope, second, EMPTY_SHA256);
    expect(last).toBe('b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9');
  });

  it('reproduces the chunk signatures of the PAYLOAD-TRAILER example', () => {
    const seed = '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e';
    const first = chunkSignature(key, amzDate, scope, seed, sha256(Buffer.alloc(65536, 'a')));
    expect(first).toBe('b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2');
    const second = chunkSignature(key, amzDate, scope, first, sha256(Buffer.alloc(1024, 'a')));
    expect(second).toBe('1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7');
    const last = chunkSignature(key, amzDate, scope, second, EMPTY_SHA256);
    expect(last).toBe('2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992');
  });
});

describe('trailerSignature', () => {
  const finalChunk = '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992';

  it('reproduces the published trailer signature over "name:value\\n"', () => {
    const sig = trailerSignature(key, amzDate, scope, finalChunk, 'x-amz-checksum-crc32c:sOO8/Q==\n');
    expect(sig).toBe('d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435');
  });

  it('gives a different signature when the trailing newline is missing', () => {
    const sig = trailerSignature(key, amzDate, scope, finalChunk, 'x-amz-checksum-crc32c:sOO8/Q==');
    expect(sig).not.toBe('d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435');
  });
});
