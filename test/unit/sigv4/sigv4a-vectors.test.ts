import { createHash, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkSignatureV4a, chunkStringToSign, trailerSignatureV4a, trailerStringToSign } from '../../../src/sigv4/chunk-signature.js';
import { CHUNK_ALGORITHM_V4A, TRAILER_ALGORITHM_V4A } from '../../../src/sigv4/constants.js';
import { deriveSigV4aPrivateKey, sigV4aKeyPair, sigV4aKeyPairOf } from '../../../src/sigv4/sigv4a-key.js';
import { presignV4a } from '../../../src/sigv4/sigv4a-presign.js';
import { padV4aSignature, trimV4aSignature } from '../../../src/sigv4/sigv4a-signature.js';
import { signRequestV4a } from '../../../src/sigv4/sigv4a-signer.js';

// Published SigV4A vectors (aws-c-auth; test/fixtures/sigv4a/SOURCE.md). ECDSA signatures are
// randomised, so vectors are checked by verification: a signature AWS's signer made must verify
// over the string to sign signet builds, and signet's key must be the one AWS derives.

interface Vectors {
  suiteKeyPem: string;
  suiteCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  suiteDate: string;
  headerMultiline: { canonicalRequest: string; stringToSign: string; signature: string };
  headerSessionToken: { authorizationPrefix: string; signature: string };
  queryVanilla: { stringToSignWithoutExpires: string; signedQuery: string; signature: string };
  chunked: {
    credentials: { accessKeyId: string; secretAccessKey: string };
    publicKeyX: string; publicKeyY: string; date: string; canonicalRequest: string;
    chunkStringToSignPrefix: string; chunk1StringToSignSuffix: string; chunk1: { byte: string; length: number };
    trailerStringToSignPrefix: string; trailerStringToSignSuffix: string; trailers: string;
  };
}

const v = JSON.parse(readFileSync(new URL('../../fixtures/sigv4a/aws-c-auth-v4a.json', import.meta.url), 'utf8')) as Vectors;
const suitePublicKey = createPublicKey(createPrivateKey(v.suiteKeyPem));
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function verifies(key: KeyObject, stringToSign: string, hex: string): boolean {
  return verify('sha256', Buffer.from(stringToSign, 'latin1'), key, Buffer.from(trimV4aSignature(hex), 'hex'));
}

function publicKeyObject(point: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
}

describe('SigV4A key derivation', () => {
  it('derives the public key aws-c-auth publishes for the S3 documentation credentials', () => {
    const { accessKeyId, secretAccessKey } = v.chunked.credentials;
    const pair = sigV4aKeyPairOf(deriveSigV4aPrivateKey(accessKeyId, secretAccessKey));
    expect(pair.publicKey.toString('hex')).toBe('04' + v.chunked.publicKeyX + v.chunked.publicKeyY);
  });

  it('gives another key for another access key id or secret', () => {
    const a = deriveSigV4aPrivateKey('AKIAIOSFODNN7EXAMPLE', 'secret').toString('hex');
    expect(deriveSigV4aPrivateKey('AKIAIOSFODNN7EXAMPLF', 'secret').toString('hex')).not.toBe(a);
    expect(deriveSigV4aPrivateKey('AKIAIOSFODNN7EXAMPLE', 'secreu').toString('hex')).not.toBe(a);
  });

  it('caches per identity: a new credentials object with the same keys reuses the pair, a rotated secret does not', () => {
    const one = sigV4aKeyPair({ accessKeyId: 'AKIDCACHE', secretAccessKey: 's1' });
    expect(sigV4aKeyPair({ accessKeyId: 'AKIDCACHE', secretAccessKey: 's1' })).toBe(one);
    expect(sigV4aKeyPair({ accessKeyId: 'AKIDCACHE', secretAccessKey: 's2' })).not.toBe(one);
  });
});

describe('SigV4A header signing against the aws-c-auth v4a suite', () => {
  const date = new Date(v.suiteDate);
  const { accessKeyId, secretAccessKey, sessionToken } = v.suiteCredentials;

  it('builds the published canonical request and string to sign, and AWS\'s signature verifies over them', () => {
    const signed = signRequestV4a(
      { method: 'GET', path: '/', query: [], headers: { host: 'example.amazonaws.com', 'my-header1': 'value1,value2,value3' } },
      { credentials: { accessKeyId, secretAccessKey }, regionSet: ['us-east-1'], service: 'service', date, payloadHash: EMPTY },
    );
    // aws-c-auth leaves x-amz-content-sha256 unsigned in this suite; signet always signs it.
    const withoutContentHash = signed.canonicalRequest
      .replace('x-amz-content-sha256:' + EMPTY + '\n', '')
      .replace(';x-amz-content-sha256', '');
    expect(withoutContentHash).toBe(v.headerMultiline.canonicalRequest);
    const sts = signed.stringToSign.split('\n').slice(0, 3).join('\n') + '\n' + createHash('sha256').update(withoutContentHash).digest('hex');
    expect(sts).toBe(v.headerMultiline.stringToSign);
    expect(verifies(suitePublicKey, sts, v.headerMultiline.signature)).toBe(true);
  });

  it('signs the session token, and the published session-token signature verifies over the same request', () => {
    const headers = { host: 'example.amazonaws.com', 'x-amz-content-sha256': EMPTY };
    const signed = signRequestV4a(
      { method: 'GET', path: '/', query: [], headers },
      { credentials: { accessKeyId, secretAccessKey, sessionToken }, regionSet: ['us-east-1'], service: 'service', date, payloadHash: EMPTY },
    );
    // The suite sends x-amz-content-sha256 without signing it: take it out to compare.
    const creq = signed.canonicalRequest.replace('x-amz-content-sha256:' + EMPTY + '\n', '').replace('host;x-amz-content-sha256;', 'host;');
    const sts = signed.stringToSign.split('\n').slice(0, 3).join('\n') + '\n' + createHash('sha256').update(creq).digest('hex');
    expect(verifies(suitePublicKey, sts, v.headerSessionToken.signature)).toBe(true);
    expect(signed.authorization.startsWith('AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set;x-amz-security-token, Signature=')).toBe(true);
  });

  it('signet\'s own header signature verifies with the derived public key, and not over another string', () => {
    const credentials = { accessKeyId, secretAccessKey };
    const signed = signRequestV4a({ method: 'GET', path: '/', query: [], headers: { host: 'example.amazonaws.com' } },
      { credentials, regionSet: ['*'], service: 's3', date, payloadHash: EMPTY });
    const pub = publicKeyObject(sigV4aKeyPair(credentials).publicKey);
    expect(signed.signature).toMatch(/^30[0-9a-f]+$/);
    expect(verifies(pub, signed.stringToSign, signed.signature)).toBe(true);
    expect(verifies(pub, signed.stringToSign + ' ', signed.signature)).toBe(false);
    expect(verifies(suitePublicKey, signed.stringToSign, signed.signature)).toBe(false);
    expect(signed.canonicalRequest).toContain('\nx-amz-region-set:*\n');
  });

  it('refuses an empty region set or a blank region', () => {
    const sign = (regionSet: string[]): unknown => signRequestV4a({ method: 'GET', path: '/', query: [], headers: { host: 'h' } },
      { credentials: { accessKeyId, secretAccessKey }, regionSet, service: 's3', date, payloadHash: EMPTY });
    expect(() => sign([])).toThrow(/region set/);
    expect(() => sign([''])).toThrow(/region set/);
    expect(() => sign(['us-east-1,eu-west-1'])).toThrow(/region set/);
  });
});

describe('SigV4A presigning against the aws-c-auth v4a suite', () => {
  it('puts the published parameters in the canonical query, and AWS\'s query signature verifies over it', () => {
    const { accessKeyId, secretAccessKey } = v.suiteCredentials;
    const presigned = presignV4a({ method: 'GET', path: '/', query: [], headers: { host: 'example.amazonaws.com' } }, {
      credentials: { accessKeyId, secretAccessKey }, regionSet: ['us-east-1'], service: 'service', date: new Date(v.suiteDate),
      expiresSeconds: 3600, payloadHash: EMPTY,
    });
    const ours = new URLSearchParams(presigned.query);
    for (const [name, value] of new URLSearchParams(v.queryVanilla.signedQuery)) expect(ours.get(name)).toBe(value);
    const sts = 'AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/service/aws4_request\n' +
      createHash('sha256').update(presigned.canonicalRequest).digest('hex');
    expect(verifies(suitePublicKey, sts, v.queryVanilla.signature)).toBe(true);
    const pub = publicKeyObject(sigV4aKeyPair({ accessKeyId, secretAccessKey }).publicKey);
    expect(verifies(pub, sts, presigned.signature)).toBe(true);
    expect(presigned.query.endsWith('&X-Amz-Signature=' + presigned.signature)).toBe(true);
  });
});

describe('SigV4A aws-chunked signatures against aws-c-auth sigv4a_chunked_signing_test', () => {
  const c = v.chunked;
  const date = new Date(c.date);
  const pub = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(c.publicKeyX, 'hex').toString('base64url'), y: Buffer.from(c.publicKeyY, 'hex').toString('base64url') }, format: 'jwk' });

  it('builds the published canonical request for the chunked PUT', () => {
    const signed = signRequestV4a({
      method: 'PUT', path: '/examplebucket/chunkObject.txt', query: [],
      headers: {
        host: 's3.amazonaws.com', 'content-encoding': 'aws-chunked', 'content-length': '66824',
        'x-amz-decoded-content-length': '66560', 'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      },
    }, { credentials: c.credentials, regionSet: ['us-east-1'], service: 's3', date, payloadHash: 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' });
    expect(signed.canonicalRequest).toBe(c.canonicalRequest);
    expect(verifies(pub, signed.stringToSign, signed.signature)).toBe(true);
  });

  it('chains a chunk signature from the unpadded previous one, pads it to 144 with *, and it verifies with the published key', () => {
    const key = sigV4aKeyPair(c.credentials).privateKey;
    const seed = signRequestV4a({ method: 'PUT', path: '/b/k', query: [], headers: { host: 'h' } },
      { credentials: c.credentials, regionSet: ['us-east-1'], service: 's3', date, payloadHash: 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' }).signature;
    const chunkHash = createHash('sha256').update(Buffer.alloc(c.chunk1.length, c.chunk1.byte)).digest('hex');
    const published = c.chunkStringToSignPrefix + seed + c.chunk1StringToSignSuffix;
    expect(chunkStringToSign(CHUNK_ALGORITHM_V4A, '20130524T000000Z', '20130524/s3/aws4_request', seed, chunkHash)).toBe(published);
    // A padded previous signature is trimmed before it is chained.
    const first = chunkSignatureV4a(key, '20130524T000000Z', '20130524/s3/aws4_request', padV4aSignature(seed), chunkHash);
    expect(first).toHaveLength(144);
    // DER is 70–72 bytes: a 72-byte signature fills all 144 characters and takes no padding.
    expect(first).toMatch(/^30[0-9a-f]+\**$/);
    expect(verifies(pub, published, first)).toBe(true);

    const trailer = trailerSignatureV4a(key, '20130524T000000Z', '20130524/s3/aws4_request', first, c.trailers);
    const publishedTrailer = c.trailerStringToSignPrefix + trimV4aSignature(first) + c.trailerStringToSignSuffix;
    expect(trailerStringToSign(TRAILER_ALGORITHM_V4A, '20130524T000000Z', '20130524/s3/aws4_request', trimV4aSignature(first), c.trailers)).toBe(publishedTrailer);
    expect(trailer).toHaveLength(144);
    expect(verifies(pub, publishedTrailer, trailer)).toBe(true);
  });

  it('pads and trims symmetrically', () => {
    expect(padV4aSignature('ab')).toBe('ab' + '*'.repeat(142));
    expect(trimV4aSignature(padV4aSignature('ab'))).toBe('ab');
    expect(trimV4aSignature('ab')).toBe('ab');
  });
});
