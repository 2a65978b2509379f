import { createPublicKey, verify } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4a } from '@smithy/signature-v4a';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sigV4aKeyPair } from '../../../src/sigv4/sigv4a-key.js';
import { signRequestV4a } from '../../../src/sigv4/sigv4a-signer.js';
import { uriEncodePath } from '../../../src/sigv4/uri-encode.js';
import { SIGNET_SIGNABLE_OVERRIDES, SIGNET_UNSIGNABLE, toSmithyQuery } from '../../support/smithy-reference.js';

// Differential test against @smithy/signature-v4a, the JS SDK's SigV4A signer (no code shared
// with signet's). Its signatures are randomised, so: the canonical request and string to sign
// must be equal, and each side's signature must verify with the public key signet derives (so
// smithy derived the same private key).

/** SignatureV4a with its intermediate values kept, as S3 would see them. */
class Observed extends SignatureV4a {
  canonicalRequest = '';
  stringToSign = '';
  override async createStringToSign(longDate: string, scope: string, canonicalRequest: string, algorithm: string): Promise<string> {
    this.canonicalRequest = canonicalRequest;
    this.stringToSign = await super.createStringToSign(longDate, scope, canonicalRequest, algorithm);
    return this.stringToSign;
  }
}

const keyChar = fc.constantFrom('a', 'Z', '0', '-', '_', '.', '~', ' ', '+', '=', '%', ':', '@', '&', '!', '*', "'", '(', ')', ',', ';', '$', 'ü', '日');
const objectKey = fc.array(fc.string({ unit: keyChar, maxLength: 10 }), { minLength: 1, maxLength: 4 }).map((s) => '/' + s.join('/'));
const headerName = fc.constantFrom('content-type', 'range', 'if-match', 'x-amz-meta-a', 'x-amz-acl', 'x-amz-storage-class', 'user-agent', 'cache-control');
const headerValue = fc.array(fc.constantFrom('a', 'b', ' ', '  ', '\t', '=', '/', ','), { minLength: 1, maxLength: 6 }).map((p) => p.join('')).filter((s) => s.trim() !== '');
const asciiSecret = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+'.split('')), minLength: 16, maxLength: 40 });
const request = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'DELETE', 'HEAD'),
  key: objectKey,
  query: fc.array(fc.tuple(fc.constantFrom('prefix', 'list-type', 'acl', 'versionId', 'a b'), fc.string({ unit: keyChar, maxLength: 8 })), { maxLength: 4 }),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 4 }),
  regionSet: fc.constantFrom(['*'], ['us-east-1'], ['us-east-1', 'eu-west-1'], ['us-west-2', 'ap-southeast-2', 'eu-central-1']),
  accessKeyId: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.split('')), minLength: 16, maxLength: 20 }),
  secret: asciiSecret,
  token: fc.option(fc.string({ unit: fc.constantFrom('A', 'b', '/', '+', '='), minLength: 20, maxLength: 200 }), { nil: undefined }),
  time: fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) }),
  payload: fc.constantFrom('UNSIGNED-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD'),
});

function publicKeyOf(point: Buffer) {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
}

describe('signet SigV4A agrees with @smithy/signature-v4a', () => {
  it('for every generated request: same canonical request and string to sign, signatures verify both ways', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const credentials = { accessKeyId: r.accessKeyId, secretAccessKey: r.secret, ...(r.token ? { sessionToken: r.token } : {}) };
        const path = uriEncodePath(r.key);
        const headers = { host: 'mrap.accesspoint.s3-global.amazonaws.com', ...r.headers };
        const date = new Date(r.time);
        const ours = signRequestV4a({ method: r.method, path, query: r.query, headers },
          { credentials, regionSet: r.regionSet, service: 's3', date, payloadHash: r.payload });
        const smithy = new Observed({ credentials, region: r.regionSet.join(','), service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });
        const theirs = await smithy.sign(
          { method: r.method, protocol: 'https:', hostname: headers.host, path, query: toSmithyQuery(r.query), headers: { ...headers, 'x-amz-content-sha256': r.payload } },
          { signingDate: date, unsignableHeaders: SIGNET_UNSIGNABLE, signableHeaders: SIGNET_SIGNABLE_OVERRIDES },
        );
        expect(ours.canonicalRequest).toBe(smithy.canonicalRequest);
        expect(ours.stringToSign).toBe(smithy.stringToSign);
        const pub = publicKeyOf(sigV4aKeyPair(credentials).publicKey);
        // smithy's signature verifying with signet's public key means both derived the same key.
        const theirSignature = /Signature=([0-9a-f]+)$/.exec(String(theirs.headers['authorization']))?.[1] ?? '';
        expect(verify('sha256', Buffer.from(smithy.stringToSign), pub, Buffer.from(theirSignature, 'hex'))).toBe(true);
        expect(verify('sha256', Buffer.from(smithy.stringToSign), pub, Buffer.from(ours.signature, 'hex'))).toBe(true);
        // Everything but the signature is the same Authorization header.
        expect(ours.authorization.replace(/Signature=.*$/, '')).toBe(String(theirs.headers['authorization']).replace(/Signature=.*$/, ''));
      }),
      { numRuns: 300 },
    );
  });
});
