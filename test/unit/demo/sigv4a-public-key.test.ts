import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sigV4aPublicKey } from '../../../src/demo/sigv4a-public-key.js';

// The embedded S3 derives SigV4A keys with code of its own; it must reproduce the public key
// aws-c-auth publishes for the S3 documentation credentials (test/fixtures/sigv4a/SOURCE.md).
const vectors = JSON.parse(readFileSync(new URL('../../fixtures/sigv4a/aws-c-auth-v4a.json', import.meta.url), 'utf8')) as {
  chunked: { credentials: { accessKeyId: string; secretAccessKey: string }; publicKeyX: string; publicKeyY: string };
};

describe('embedded S3 SigV4A key derivation', () => {
  it('gives the published public key', () => {
    const { accessKeyId, secretAccessKey } = vectors.chunked.credentials;
    const jwk = sigV4aPublicKey(accessKeyId, secretAccessKey).export({ format: 'jwk' });
    expect(Buffer.from(jwk.x as string, 'base64url').toString('hex')).toBe(vectors.chunked.publicKeyX);
    expect(Buffer.from(jwk.y as string, 'base64url').toString('hex')).toBe(vectors.chunked.publicKeyY);
  });

  it('gives another key for another secret', () => {
    const a = sigV4aPublicKey('AKIDX', 'one').export({ format: 'jwk' });
    const b = sigV4aPublicKey('AKIDX', 'two').export({ format: 'jwk' });
    expect(a.x).not.toBe(b.x);
  });
});
