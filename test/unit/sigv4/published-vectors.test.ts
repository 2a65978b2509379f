import { describe, expect, it } from 'vitest';
import { EMPTY_SHA256 } from '../../../src/sigv4/constants.js';
import { presign } from '../../../src/sigv4/presign.js';
import { deriveSigningKey } from '../../../src/sigv4/signing-key.js';
import { signRequest } from '../../../src/sigv4/signer.js';
import { EXAMPLE_CREDENTIALS, EXAMPLE_DATE, EXAMPLE_HOST } from '../../support/aws-example.js';

// The examples published in the Amazon S3 API reference (sig-v4-header-based-auth,
// sigv4-query-string-auth); expected values are AWS's, not ours.
const base = { credentials: EXAMPLE_CREDENTIALS, region: 'us-east-1', service: 's3', date: EXAMPLE_DATE };

describe('AWS-published S3 SigV4 examples', () => {
  it('derives the documented signing key for 20130524/us-east-1/s3', () => {
    expect(deriveSigningKey(EXAMPLE_CREDENTIALS.secretAccessKey, '20130524', 'us-east-1', 's3').toString('hex')).toBe(
      'dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378',
    );
  });

  it('signs GET object with a Range header', () => {
    const signed = signRequest(
      { method: 'GET', path: '/test.txt', query: [], headers: { host: EXAMPLE_HOST, range: 'bytes=0-9' } },
      { ...base, payloadHash: EMPTY_SHA256 },
    );
    expect(signed.signedHeaders).toBe('host;range;x-amz-content-sha256;x-amz-date');
    expect(signed.signature).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
    expect(signed.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('signs PUT object with a Date header, a storage class and a key needing encoding', () => {
    const signed = signRequest(
      {
        method: 'PUT',
        path: '/test%24file.text',
        query: [],
        headers: { host: EXAMPLE_HOST, date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
      },
      { ...base, payloadHash: '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072' },
    );
    expect(signed.signedHeaders).toBe('date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class');
    expect(signed.signature).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('signs GET bucket lifecycle, a bare sub-resource signed as "lifecycle="', () => {
    const signed = signRequest(
      { method: 'GET', path: '/', query: [['lifecycle', '']], headers: { host: EXAMPLE_HOST } },
      { ...base, payloadHash: EMPTY_SHA256 },
    );
    expect(signed.canonicalRequest.split('\n')[2]).toBe('lifecycle=');
    expect(signed.signature).toBe('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
  });

  it('signs list objects with its query sorted', () => {
    const signed = signRequest(
      { method: 'GET', path: '/', query: [['prefix', 'J'], ['max-keys', '2']], headers: { host: EXAMPLE_HOST } },
      { ...base, payloadHash: EMPTY_SHA256 },
    );
    expect(signed.canonicalRequest.split('\n')[2]).toBe('max-keys=2&prefix=J');
    expect(signed.signature).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });

  it('presigns GET object for 86400 seconds', () => {
    const url = presign(
      { method: 'GET', path: '/test.txt', query: [], headers: { host: EXAMPLE_HOST } },
      { ...base, expiresSeconds: 86400 },
    );
    expect(url.canonicalRequest).toBe(
      'GET\n/test.txt\n' +
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n' +
        'host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD',
    );
    expect(url.signature).toBe('aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
    expect(url.query.endsWith('&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404')).toBe(true);
  });

  it('refuses a presign expiry beyond seven days', () => {
    expect(() =>
      presign({ method: 'GET', path: '/k', query: [], headers: { host: EXAMPLE_HOST } }, { ...base, expiresSeconds: 604801 }),
    ).toThrow(expect.objectContaining({ code: 'SIGV4_PRESIGN_EXPIRES' }));
  });
});
