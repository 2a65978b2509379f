import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AMZ_CHECKSUM_PREFIX } from './constants.js';
import { crc32c } from './crc32c.js';

/** The checksums this layer can compute while a body streams (S3 `x-amz-checksum-<name>`). */
export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'sha1' | 'sha256';

const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = { crc32: 4, crc32c: 4, sha1: 20, sha256: 32 };

/** A checksum fed piece by piece; `digestBase64()` is the trailer value (big-endian for CRCs). */
export interface RunningChecksum {
  readonly algorithm: ChecksumAlgorithm;
  update(data: Uint8Array): void;
  digestBase64(): string;
}

class CrcChecksum implements RunningChecksum {
  private value = 0;
  constructor(
    readonly algorithm: 'crc32' | 'crc32c',
    private readonly fn: (data: Uint8Array, value: number) => number,
  ) {}
  update(data: Uint8Array): void {
    this.value = this.fn(data, this.value);
  }
  digestBase64(): string {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(this.value >>> 0, 0);
    return out.toString('base64');
  }
}

class HashChecksum implements RunningChecksum {
  private readonly hash: Hash;
  constructor(readonly algorithm: 'sha1' | 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digestBase64(): string {
    return this.hash.digest('base64');
  }
}

export function createRunningChecksum(algorithm: ChecksumAlgorithm): RunningChecksum {
  switch (algorithm) {
    case 'crc32':
      return new CrcChecksum('crc32', crc32);
    case 'crc32c':
      return new CrcChecksum('crc32c', crc32c);
    default:
      return new HashChecksum(algorithm);
  }
}

/** `x-amz-checksum-<algorithm>`, the trailer (or header) name carrying the checksum. */
export function checksumTrailerName(algorithm: ChecksumAlgorithm): string {
  return AMZ_CHECKSUM_PREFIX + algorithm;
}

/** The algorithm named by a lower-case trailer name, or undefined when we cannot verify it (e.g. crc64nvme). */
export function checksumAlgorithmOf(trailerName: string): ChecksumAlgorithm | undefined {
  if (!trailerName.startsWith(AMZ_CHECKSUM_PREFIX)) return undefined;
  const name = trailerName.slice(AMZ_CHECKSUM_PREFIX.length);
  return Object.hasOwn(DIGEST_BYTES, name) ? (name as ChecksumAlgorithm) : undefined;
}

/** Length of the base64 value: 8 characters for the 4-byte CRCs. */
export function checksumBase64Length(algorithm: ChecksumAlgorithm): number {
  return 4 * Math.ceil(DIGEST_BYTES[algorithm] / 3);
}
