import { afterEach, describe, expect, it } from 'vitest';
import { minorCollector, startBodyMemoryGovernor } from '../../../src/server/body-memory.js';
import type { BodyMemoryGovernor } from '../../../src/server/body-memory.js';

const MiB = 1024 * 1024;

describe('body memory governor', () => {
  let governor: BodyMemoryGovernor | undefined;
  afterEach(() => governor?.stop());

  it('collects once external memory grew by the limit since the last collection, then measures again', () => {
    let external = 10 * MiB;
    let collections = 0;
    governor = startBodyMemoryGovernor({
      growthBytes: 8 * MiB, intervalMs: 60_000,
      readExternal: () => external,
      collect: () => { collections++; external = 12 * MiB; }, // the collection freed most of it
    });
    external = 17 * MiB;
    expect(governor!.tick()).toBe(false);
    external = 18 * MiB;
    expect(governor!.tick()).toBe(true);
    expect(collections).toBe(1);
    // The new mark is what was left after the collection (12), not where it started (10).
    external = 19 * MiB;
    expect(governor!.tick()).toBe(false);
    external = 20 * MiB;
    expect(governor!.tick()).toBe(true);
    expect(collections).toBe(2);
  });

  it('follows collections V8 ran on its own: growth counts from the lowest point since', () => {
    let external = 40 * MiB;
    let collections = 0;
    governor = startBodyMemoryGovernor({
      growthBytes: 8 * MiB, intervalMs: 60_000, readExternal: () => external, collect: () => { collections++; },
    });
    external = 5 * MiB; // V8 scavenged by itself
    expect(governor!.tick()).toBe(false);
    external = 12 * MiB;
    expect(governor!.tick()).toBe(false);
    external = 13 * MiB;
    expect(governor!.tick()).toBe(true);
    expect(collections).toBe(1);
  });

  it('gets a real minor collector from V8 and frees dead buffers with it', async () => {
    const collect = minorCollector();
    expect(collect).toBeTypeOf('function');
    // 16 MiB in 64 KiB buffers, unreachable once the function returns: what a streamed body leaves.
    const allocate = (): number => Array.from({ length: 256 }, () => Buffer.allocUnsafeSlow(64 * 1024)).length;
    allocate();
    const before = process.memoryUsage().arrayBuffers;
    collect!();
    // Node 24's V8 frees dead ArrayBuffers on a background sweeper after the scavenge returns (the
    // served process turns that off in bin/signet.js; this test process does not): wait a little.
    // Nothing else collects meanwhile: without collect() the 16 MiB stay.
    const until = Date.now() + 2_000;
    while (process.memoryUsage().arrayBuffers >= before - 8 * MiB && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(process.memoryUsage().arrayBuffers).toBeLessThan(before - 8 * MiB);
  });
});
