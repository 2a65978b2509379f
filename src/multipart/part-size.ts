import { MAX_OBJECT_SIZE, MAX_PART_SIZE, MAX_PARTS, MiB, PARTS_PER_SIZE } from './constants.js';

/**
 * Known length: one size for every part (the last may be smaller) — the configured one, or the
 * smallest whole MiB that fits the object in 10,000 parts. Pure.
 */
export function partSizeForLength(length: number, configured: number): number {
  const needed = Math.ceil(Math.ceil(length / MAX_PARTS) / MiB) * MiB;
  return Math.min(MAX_PART_SIZE, Math.max(configured, needed));
}

/**
 * Unknown length: the size of part `n` (1-based). It starts at the configured size and doubles
 * after every 1,000 parts (capped at S3's 5 GiB), so that memory follows the size of the upload
 * (an 8 GiB stream never holds more than 8 MiB parts) while 10,000 parts still reach S3's 5 TiB
 * object limit for any base of 8 MiB or more (8 MiB × 1,000 × (2^10 − 1) ≈ 7.8 TiB). Pure.
 */
export function partSizeAt(n: number, base: number): number {
  const doublings = Math.floor((n - 1) / PARTS_PER_SIZE);
  return Math.min(MAX_PART_SIZE, base * 2 ** doublings);
}

/** The most bytes 10,000 parts of the unknown-length schedule hold. */
export function scheduleReach(base: number): number {
  let total = 0;
  for (let group = 0; group * PARTS_PER_SIZE < MAX_PARTS; group++) {
    total += Math.min(PARTS_PER_SIZE, MAX_PARTS - group * PARTS_PER_SIZE) * partSizeAt(group * PARTS_PER_SIZE + 1, base);
  }
  return total;
}

/** Smallest base part size whose schedule reaches 5 TiB (the --part-size minimum, 8 MiB, is above it). */
export const MIN_BASE_FOR_REACH = Math.ceil(MAX_OBJECT_SIZE / (PARTS_PER_SIZE * (2 ** 10 - 1)));
