import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createAwsChunkedEncoder } from '../../../src/sigv4/aws-chunked-encoder.js';
import { awsChunkedEncodedLength } from '../../../src/sigv4/aws-chunked-length.js';
import type { AwsChunkedMode } from '../../../src/sigv4/aws-chunked-wire.js';
import { awsChunkedContentSha256 } from '../../../src/sigv4/aws-chunked-wire.js';
import { sigV4aKeyPair } from '../../../src/sigv4/sigv4a-key.js';
import { signRequestV4a } from '../../../src/sigv4/sigv4a-signer.js';

// SigV4A aws-chunked bodies, decoded here from the description in aws-c-auth's aws_signing.c
// (regexes over the whole body): each chunk signature is the hex DER ECDSA signature padded with
// '*' to 144 chars; the next string to sign chains the previous signature without its padding.

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const point = sigV4aKeyPair(credentials).publicKey;
const publicKey = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const ok = (sts: string, sig: string): boolean => verify('sha256', Buffer.from(sts), publicKey, Buffer.from(sig.replace(/\*+$/, ''), 'hex'));

async function encode(mode: AwsChunkedMode, data: Buffer, chunkSize: number) {
  const seed = signRequestV4a({ method: 'PUT', path: '/b/k', query: [], headers: { host: 'h' } },
    { credentials, regionSet: ['*'], service: 's3', date: new Date('2026-01-02T03:04:05Z'), payloadHash: awsChunkedContentSha256(mode, true) });
  const layout = { mode, chunkSize, trailer: mode === 'signed' ? undefined : ('crc32' as const), ecdsa: true };
  const encoder = createAwsChunkedEncoder({
    ...layout, decodedLength: data.length,
    signed: { signingKey: seed.signingKey, amzDate: seed.amzDate, scope: seed.scope, seedSignature: seed.signature, ecdsaKey: seed.ecdsaKey },
  });
  const body = await buffer(Readable.from([data]).pipe(encoder));
  return { body, seed, expectedLength: awsChunkedEncodedLength(data.length, layout) };
}

describe('SigV4A aws-chunked encoding', () => {
  for (const [mode, size] of [['signed', 0], ['signed', 1], ['signed', 8192], ['signed', 70000], ['signed-trailer', 20000], ['signed-trailer', 0]] as const) {
    it(`${mode}, ${size} bytes: announced length exact, every chunk and trailer signature verifies in its chain`, async () => {
      const data = randomBytes(size);
      const { body, seed, expectedLength } = await encode(mode, data, 8192);
      expect(body.length).toBe(expectedLength);
      const text = body.toString('latin1');
      let previous = seed.signature;
      let at = 0;
      const parts: Buffer[] = [];
      for (;;) {
        const eol = text.indexOf('\r\n', at);
        const m = /^([0-9a-f]+);chunk-signature=([0-9a-f]+\**)$/.exec(text.slice(at, eol));
        expect(m).not.toBeNull();
        const [, hexSize, signature] = m as unknown as [string, string, string];
        expect(signature).toHaveLength(144);
        const n = parseInt(hexSize, 16);
        const chunk = body.subarray(eol + 2, eol + 2 + n);
        parts.push(chunk);
        const sts = ['AWS4-ECDSA-P256-SHA256-PAYLOAD', seed.amzDate, seed.scope, previous, EMPTY, sha(chunk)].join('\n');
        expect(ok(sts, signature)).toBe(true);
        previous = signature.replace(/\*+$/, '');
        at = eol + 2 + n + (n > 0 ? 2 : 0);
        if (n === 0) break;
      }
      expect(Buffer.concat(parts).equals(data)).toBe(true);
      const rest = text.slice(at);
      if (mode === 'signed') {
        expect(rest).toBe('\r\n');
        return;
      }
      const m = /^(x-amz-checksum-crc32:[A-Za-z0-9+/=]+)\r\nx-amz-trailer-signature:([0-9a-f]+\**)\r\n\r\n$/.exec(rest);
      expect(m).not.toBeNull();
      const [, line, signature] = m as unknown as [string, string, string];
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(data));
      expect(line).toBe('x-amz-checksum-crc32:' + crc.toString('base64'));
      expect(signature).toHaveLength(144);
      expect(ok(['AWS4-ECDSA-P256-SHA256-TRAILER', seed.amzDate, seed.scope, previous, sha(line + '\n')].join('\n'), signature)).toBe(true);
    });
  }

  it('announces the SigV4A streaming x-amz-content-sha256 values', () => {
    expect(awsChunkedContentSha256('signed', true)).toBe('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD');
    expect(awsChunkedContentSha256('signed-trailer', true)).toBe('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER');
    expect(awsChunkedContentSha256('signed')).toBe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  });

  it('refuses a SigV4A key with a SigV4-width layout (the announced Content-Length would be wrong)', () => {
    const seed = signRequestV4a({ method: 'PUT', path: '/b/k', query: [], headers: { host: 'h' } },
      { credentials, regionSet: ['*'], service: 's3', date: new Date(), payloadHash: 'x' });
    expect(() => createAwsChunkedEncoder({
      mode: 'signed', decodedLength: 1,
      signed: { signingKey: seed.signingKey, amzDate: seed.amzDate, scope: seed.scope, seedSignature: seed.signature, ecdsaKey: seed.ecdsaKey },
    })).toThrow(/SigV4A/);
  });
});
