import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carryHeaders } from '../../../src/multipart/carry-headers.js';
import { SignetError } from '../../../src/errors.js';

const SSE_C = {
  'x-amz-server-side-encryption-customer-algorithm': 'AES256',
  'x-amz-server-side-encryption-customer-key': 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=',
  'x-amz-server-side-encryption-customer-key-md5': 'ZmFrZW1kNWZha2VtZDVmYQ==',
};
const EVERY_CALL = { 'x-amz-expected-bucket-owner': '111122223333', 'x-amz-request-payer': 'requester' };

function refusal(headers: Record<string, string>): string {
  try {
    carryHeaders(headers);
  } catch (err) {
    if (err instanceof SignetError) return err.code;
    throw err;
  }
  return 'none';
}

/** Headers that belong on CreateMultipartUpload only. */
const createOnly = fc.dictionary(
  fc.oneof(
    fc.constantFrom('content-type', 'content-disposition', 'content-encoding', 'content-language', 'cache-control', 'expires',
      'x-amz-acl', 'x-amz-grant-read', 'x-amz-grant-full-control', 'x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id',
      'x-amz-storage-class', 'x-amz-tagging', 'x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date', 'x-amz-website-redirect-location'),
    fc.stringMatching(/^[a-z0-9-]{1,12}$/).map((s) => `x-amz-meta-${s}`),
  ),
  fc.string({ maxLength: 20 }),
);

describe('carryHeaders', () => {
  it('puts entity headers, metadata, ACLs, SSE, storage class, tagging and object lock on Create only', () => {
    fc.assert(fc.property(createOnly, (headers) => {
      const c = carryHeaders(headers);
      expect(c.create).toEqual(headers);
      expect(c.part).toEqual({});
      expect(c.complete).toEqual({});
      expect(c.abort).toEqual({});
      expect(c.contentMd5).toBe('');
      expect(c.checksumAlgorithm).toBeUndefined();
    }));
  });

  it('SSE-C goes to Create, every part and Complete; bucket owner and requester pays to every call', () => {
    const c = carryHeaders({ 'content-type': 'text/plain', ...SSE_C, ...EVERY_CALL });
    expect(c.create).toEqual({ 'content-type': 'text/plain', ...SSE_C, ...EVERY_CALL });
    expect(c.part).toEqual({ ...SSE_C, ...EVERY_CALL });
    expect(c.complete).toEqual({ ...SSE_C, ...EVERY_CALL });
    expect(c.abort).toEqual(EVERY_CALL);
  });

  it('conditional writes move to Complete; Content-MD5 is kept for signet to check over the stream', () => {
    const md5 = 'XrY7u+Ae7tCTyyK7j1rNww==';
    const c = carryHeaders({ 'if-none-match': '*', 'if-match': '"e"', 'content-md5': md5, 'x-amz-meta-a': 'b' });
    expect(c.create).toEqual({ 'x-amz-meta-a': 'b' });
    expect(c.complete).toEqual({ 'if-none-match': '*', 'if-match': '"e"' });
    expect(c.contentMd5).toBe(md5);
  });

  it('a whole-object checksum is checked by signet: Create names the algorithm, parts carry their own values', () => {
    const c = carryHeaders({ 'x-amz-checksum-crc32c': 'yZRlqg==', 'x-amz-sdk-checksum-algorithm': 'CRC32C', 'x-amz-checksum-type': 'FULL_OBJECT' });
    expect(c.create).toEqual({ 'x-amz-checksum-algorithm': 'CRC32C' });
    expect(c.checksumAlgorithm).toBe('crc32c');
    expect(c.checksumValue).toBe('yZRlqg==');
    const sdkOnly = carryHeaders({ 'x-amz-sdk-checksum-algorithm': 'sha256' });
    expect(sdkOnly).toMatchObject({ checksumAlgorithm: 'sha256', checksumValue: '', create: { 'x-amz-checksum-algorithm': 'SHA256' } });
  });

  it('refuses what cannot be carried over, before anything is sent', () => {
    expect(refusal({ 'x-amz-write-offset-bytes': '0' })).toBe('NotImplemented');
    expect(refusal({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' })).toBe('NotImplemented');
    expect(refusal({ 'x-amz-sdk-checksum-algorithm': 'CRC64NVME' })).toBe('NotImplemented');
    expect(refusal({ 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-checksum-sha1': 'x' })).toBe('InvalidRequest');
    expect(refusal({ 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-sdk-checksum-algorithm': 'SHA1' })).toBe('InvalidRequest');
    expect(refusal({ 'content-md5': 'not-base64' })).toBe('InvalidDigest');
    expect(refusal({ 'content-md5': 'XrY7u+Ae7tCTyyK7j1rNww' })).toBe('InvalidDigest');
    expect(refusal({ 'content-md5': '' })).toBe('InvalidDigest');
  });

  it('Content-MD5: any 16 bytes in base64 are accepted, anything else is InvalidDigest', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const md5 = Buffer.from(bytes).toString('base64');
      expect(carryHeaders({ 'content-md5': md5 }).contentMd5).toBe(md5);
    }));
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((b) => b.length !== 16), (bytes) => {
      expect(refusal({ 'content-md5': Buffer.from(bytes).toString('base64') })).toBe('InvalidDigest');
    }));
  });
});
