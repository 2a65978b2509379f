import { describe, expect, it, vi } from 'vitest';
import { minorCollector } from '../../../src/server/body-memory.js';
import { PRIME_BYTES, primeMalloc } from '../../../src/server/prime-malloc.js';

const MiB = 1024 * 1024;

describe('primeMalloc', () => {
  it('allocates one block above glibc’s default mmap threshold, drops it and collects, in that order', () => {
    const calls: string[] = [];
    const primed = primeMalloc(() => void calls.push('collect'), (bytes) => {
      calls.push(`allocate ${bytes}`);
      return Buffer.alloc(0);
    });
    expect(primed).toBe(true);
    expect(calls).toEqual([`allocate ${PRIME_BYTES}`, 'collect']);
    // Above 128 KiB (glibc's starting threshold, so the block is mmap()ed) and at most 32 MiB (the
    // largest threshold glibc adopts); as large as a default part, which is what a long-running
    // signet's first multipart upload would otherwise free.
    expect(PRIME_BYTES).toBeGreaterThan(128 * 1024);
    expect(PRIME_BYTES).toBeLessThanOrEqual(32 * MiB);
    expect(PRIME_BYTES).toBeGreaterThanOrEqual(8 * MiB);
  });

  it('does nothing without a collector (a V8 that refuses gc()): the block would stay until V8 collects', () => {
    const allocate = vi.fn(() => Buffer.alloc(0));
    expect(primeMalloc(undefined, allocate)).toBe(false);
    expect(allocate).not.toHaveBeenCalled();
  });

  it('keeps nothing: with the real allocator and V8’s minor GC the block is freed', async () => {
    const collect = minorCollector();
    if (collect === undefined) {
      console.log('skipped: this V8 refuses gc()');
      return;
    }
    collect();
    const before = process.memoryUsage().arrayBuffers;
    expect(primeMalloc(collect)).toBe(true);
    // V8 may free the backing store on a background thread after the scavenge.
    await vi.waitFor(() => expect(process.memoryUsage().arrayBuffers).toBeLessThan(before + MiB), { timeout: 2000, interval: 20 });
  });
});
