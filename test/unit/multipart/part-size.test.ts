import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_OBJECT_SIZE, MAX_PART_SIZE, MAX_PARTS, MiB, PARTS_PER_SIZE } from '../../../src/multipart/constants.js';
import { MIN_BASE_FOR_REACH, partSizeAt, partSizeForLength, scheduleReach } from '../../../src/multipart/part-size.js';

const configured = fc.integer({ min: 8, max: 512 }).map((m) => m * MiB);
const length = fc.oneof(fc.integer({ min: 0, max: 64 * MiB }), fc.integer({ min: 0, max: MAX_OBJECT_SIZE }));

describe('partSizeForLength (known length)', () => {
  it('fits any object up to 5 TiB in 10,000 parts, never below the configured size nor above 5 GiB', () => {
    fc.assert(fc.property(length, configured, (len, conf) => {
      const size = partSizeForLength(len, conf);
      expect(size).toBeGreaterThanOrEqual(conf);
      expect(size).toBeLessThanOrEqual(MAX_PART_SIZE);
      expect(Math.ceil(len / size)).toBeLessThanOrEqual(MAX_PARTS);
    }));
  });

  it('grows only as far as needed: a whole MiB less would need more than 10,000 parts', () => {
    fc.assert(fc.property(length, configured, (len, conf) => {
      const size = partSizeForLength(len, conf);
      if (size === conf) return;
      expect(size % MiB).toBe(0);
      expect(Math.ceil(len / (size - MiB))).toBeGreaterThan(MAX_PARTS);
    }));
  });

  it('keeps the configured size for what fits, and reaches 5 TiB with 10,000 parts of at most 5 GiB', () => {
    expect(partSizeForLength(8 * MiB * MAX_PARTS, 8 * MiB)).toBe(8 * MiB);
    expect(partSizeForLength(8 * MiB * MAX_PARTS + 1, 8 * MiB)).toBe(9 * MiB);
    expect(partSizeForLength(MAX_OBJECT_SIZE, 8 * MiB)).toBe(525 * MiB); // ceil(5 TiB / 10,000) rounded up to a MiB
    expect(partSizeForLength(MAX_OBJECT_SIZE * 20, 8 * MiB)).toBe(MAX_PART_SIZE);
  });
});

describe('partSizeAt (unknown length)', () => {
  it('starts at the base and doubles after every 1,000 parts, capped at 5 GiB', () => {
    expect(partSizeAt(1, 8 * MiB)).toBe(8 * MiB);
    expect(partSizeAt(PARTS_PER_SIZE, 8 * MiB)).toBe(8 * MiB);
    expect(partSizeAt(PARTS_PER_SIZE + 1, 8 * MiB)).toBe(16 * MiB);
    expect(partSizeAt(MAX_PARTS, 8 * MiB)).toBe(8 * MiB * 2 ** 9);
    expect(partSizeAt(MAX_PARTS, 64 * MiB)).toBe(MAX_PART_SIZE);
  });

  it('never shrinks from one part to the next and never passes 5 GiB', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: MAX_PARTS - 1 }), configured, (n, base) => {
      const here = partSizeAt(n, base);
      const next = partSizeAt(n + 1, base);
      expect(next).toBeGreaterThanOrEqual(here);
      expect(next === here || next === Math.min(MAX_PART_SIZE, 2 * here)).toBe(true);
      expect(next).toBeLessThanOrEqual(MAX_PART_SIZE);
    }));
  });

  it('scheduleReach is the sum of the 10,000 part sizes', () => {
    fc.assert(fc.property(configured, (base) => {
      let total = 0;
      for (let n = 1; n <= MAX_PARTS; n++) total += partSizeAt(n, base);
      expect(scheduleReach(base)).toBe(total);
    }), { numRuns: 20 });
  });

  it('MIN_BASE_FOR_REACH is the smallest base that reaches 5 TiB, and the 8 MiB minimum of --part-size is above it', () => {
    expect(scheduleReach(MIN_BASE_FOR_REACH)).toBeGreaterThanOrEqual(MAX_OBJECT_SIZE);
    expect(scheduleReach(MIN_BASE_FOR_REACH - 1)).toBeLessThan(MAX_OBJECT_SIZE);
    expect(MIN_BASE_FOR_REACH).toBeLessThanOrEqual(8 * MiB);
  });
});
