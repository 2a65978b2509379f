import { describe, expect, it } from 'vitest';
import { createChecksum } from '../../../src/demo/checksum.js';
import { crc32c } from '../../../src/demo/crc32c.js';

describe('crc32c', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('gives the published trailer value for 66560 bytes of "a", in one piece or many', () => {
    const data = Buffer.alloc(66560, 'a');
    const sum = createChecksum('crc32c');
    for (let i = 0; i < data.length; i += 1000) sum.update(data.subarray(i, i + 1000));
    expect(sum.digestBase64()).toBe('sOO8/Q==');
  });

  it('continues crc32 across pieces like a single pass', () => {
    const one = createChecksum('crc32');
    one.update(Buffer.from('hello world'));
    const two = createChecksum('crc32');
    two.update(Buffer.from('hello '));
    two.update(Buffer.from('world'));
    expect(two.digestBase64()).toBe(one.digestBase64());
    expect(one.digestBase64()).toBe('DUoRhQ==');
  });
});
