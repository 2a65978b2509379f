import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checksumAlgorithmOf, checksumBase64Length, checksumTrailerName, createRunningChecksum,
} from '../../../src/sigv4/trailer-checksum.js';
import type { ChecksumAlgorithm } from '../../../src/sigv4/trailer-checksum.js';

describe('trailer checksums', () => {
  it('encode CRCs as 4 big-endian bytes in base64', () => {
    const crc32 = createRunningChecksum('crc32');
    crc32.update(Buffer.from('123456789'));
    expect(Buffer.from(crc32.digestBase64(), 'base64').toString('hex')).toBe('cbf43926');
    const crc32c = createRunningChecksum('crc32c');
    crc32c.update(Buffer.from('1234'));
    crc32c.update(Buffer.from('56789'));
    expect(Buffer.from(crc32c.digestBase64(), 'base64').toString('hex')).toBe('e3069283');
  });

  it('give the base64 digest for sha1 and sha256, fed in pieces', () => {
    for (const algorithm of ['sha1', 'sha256'] as const) {
      const running = createRunningChecksum(algorithm);
      running.update(Buffer.from('hello '));
      running.update(Buffer.from('world'));
      expect(running.digestBase64()).toBe(createHash(algorithm).update('hello world').digest('base64'));
    }
  });

  it('predict the base64 length of every digest', () => {
    for (const algorithm of ['crc32', 'crc32c', 'sha1', 'sha256'] as ChecksumAlgorithm[]) {
      expect(createRunningChecksum(algorithm).digestBase64().length).toBe(checksumBase64Length(algorithm));
    }
  });

  it('map trailer names to algorithms and back, leaving unknown ones out', () => {
    expect(checksumTrailerName('crc32c')).toBe('x-amz-checksum-crc32c');
    expect(checksumAlgorithmOf('x-amz-checksum-sha1')).toBe('sha1');
    expect(checksumAlgorithmOf('x-amz-checksum-crc64nvme')).toBeUndefined();
    expect(checksumAlgorithmOf('x-amz-checksum-constructor')).toBeUndefined();
    expect(checksumAlgorithmOf('content-md5')).toBeUndefined();
  });
});
