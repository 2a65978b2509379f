import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32c } from '../../../src/sigv4/crc32c.js';

/** Bit-by-bit reference, independent of the table-driven code. */
function crc32cBitwise(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('gives the check value 0xE3069283 for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('gives 0 for empty input', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('matches the RFC 3720 (iSCSI) vectors for 32 zero bytes and 32 0xff bytes', () => {
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
  });

  it('gives the published trailer value sOO8/Q== for 66560 × "a"', () => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32c(Buffer.alloc(66560, 'a')));
    expect(out.toString('base64')).toBe('sOO8/Q==');
  });

  it('agrees with a bitwise reference at every alignment and length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), (bytes, shift) => {
        const backing = new Uint8Array(bytes.length + shift);
        backing.set(bytes, shift);
        const view = backing.subarray(shift);
        expect(crc32c(view)).toBe(crc32cBitwise(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('continues from an earlier value as if the pieces were one buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (a, b) => {
        const whole = new Uint8Array([...a, ...b]);
        expect(crc32c(b, crc32c(a))).toBe(crc32c(whole));
      }),
    );
  });
});
