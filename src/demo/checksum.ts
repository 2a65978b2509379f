import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CHECKSUM_ALGORITHMS } from './constants.js';
import type { ChecksumAlgorithm } from './constants.js';
import { crc32c } from './crc32c.js';

/** A running checksum over streamed data, ending in the base64 form S3 uses in x-amz-checksum-*. */
export interface Checksum {
  update(data: Uint8Array): void;
  digestBase64(): string;
}

class Crc implements Checksum {
  private value = 0;
  constructor(private readonly fn: (data: Uint8Array, previous: number) => number) {}
  update(data: Uint8Array): void {
    this.value = this.fn(data, this.value);
  }
  digestBase64(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return out.toString('base64');
  }
}

class Digest implements Checksum {
  private readonly hash: Hash;
  constructor(algorithm: string) {
    this.hash = createHash(algorithm);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digestBase64(): string {
    return this.hash.digest('base64');
  }
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'crc32': return new Crc((d, p) => crc32(d, p));
    case 'crc32c': return new Crc(crc32c);
    case 'sha1': return new Digest('sha1');
    case 'sha256': return new Digest('sha256');
  }
}

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}
