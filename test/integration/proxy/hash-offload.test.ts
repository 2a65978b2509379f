import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';

// Signed streaming with the chunk hashing on another thread, through to the embedded S3, which
// recomputes every chunk signature with @smithy/signature-v4 and refuses the upload on any wrong one.
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function* pieces(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function upload(harness: Harness, key: string, data: Buffer): Promise<number> {
  const res = await rawRequest(harness.url, { method: 'PUT', path: `/bkt/${key}`, headers: { 'content-length': data.length }, body: pieces(data, 50_000) });
  return res.status;
}

const spare = availableParallelism() > 1;

describe('--hash-offload', () => {
  // `on`: the test machine's load average must not decide whether the thread is used (with `auto`
  // a saturated machine hashes inline, unit-tested in hash-pool.test.ts).
  it.skipIf(!spare)('on: a signed streaming upload is hashed on the hashing thread, and S3 verifies every chunk signature', async () => {
    h = await startHarness({ args: ['--payload', 'streaming', '--upstream-capabilities', 'all', '--hash-offload', 'on'] });
    const pool = h.signet.hashPool;
    expect(pool).not.toBeNull();
    const data = randomBytes(5 * 1024 * 1024 + 17);
    expect(await upload(h, 'offloaded', data)).toBe(200);
    const sent = h.s3.requests.at(-1)!;
    expect(sent.headers['x-amz-content-sha256']).toBe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    expect(objectBytes(h.s3.buckets.get('bkt')!.objects.get('offloaded')!).equals(data)).toBe(true);
    expect(pool!.chunksHashed).toBeGreaterThan(0);
    // Two uploads at once share the thread, each in its own order.
    const a = randomBytes(3 * 1024 * 1024);
    const b = randomBytes(3 * 1024 * 1024 + 1);
    expect(await Promise.all([upload(h, 'a', a), upload(h, 'b', b)])).toEqual([200, 200]);
    expect(objectBytes(h.s3.buckets.get('bkt')!.objects.get('a')!).equals(a)).toBe(true);
    expect(objectBytes(h.s3.buckets.get('bkt')!.objects.get('b')!).equals(b)).toBe(true);
  });

  if (!spare) it('on (skipped: this machine has one CPU, so nothing is offloaded)', () => undefined);

  it('off: no hashing thread, and the upload is hashed on the event loop and verified the same', async () => {
    h = await startHarness({ args: ['--payload', 'streaming', '--upstream-capabilities', 'all', '--hash-offload', 'off'] });
    expect(h.signet.hashPool).toBeNull();
    const data = randomBytes(2 * 1024 * 1024 + 3);
    expect(await upload(h, 'inline', data)).toBe(200);
    expect(objectBytes(h.s3.buckets.get('bkt')!.objects.get('inline')!).equals(data)).toBe(true);
  });
});
