import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { errorLines, parsed } from './support.js';

// The spool directory goes away under a running signet (a tmpfs unmounted, a cleaner that removed
// it, a full disk): an upload that needs a temp file gets a clean 503 it can retry, not a 500.
// (Root ignores permissions, so the directory is removed or replaced by a file rather than made read-only.)

let h: Harness | undefined;
let dir = '';
afterEach(async () => {
  await h?.close();
  h = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function* pieces(data: Buffer): Generator<Buffer> {
  for (let i = 0; i < data.length; i += 16_384) yield data.subarray(i, i + 16_384);
}

/** A body of unknown length with --multipart off: spooled, past --spool-memory onto disk. */
const spooledPut = (harness: Harness, data: Buffer) => rawRequest(harness.url, {
  method: 'PUT', path: '/bkt/spooled', headers: { 'transfer-encoding': 'chunked' }, body: pieces(data),
});

describe('a spool directory that cannot be written', () => {
  it.each([
    ['removed', (d: string) => rmSync(d, { recursive: true })],
    ['replaced by a file', (d: string) => {
      rmSync(d, { recursive: true });
      writeFileSync(d, 'not a directory');
    }],
  ])('%s: 503 ServiceUnavailable with Retry-After and a clear message, a warning, and uploads work again once it is back', async (_name, breakIt) => {
    dir = mkdtempSync(join(tmpdir(), 'signet-spool-'));
    h = await startHarness({ args: ['--multipart', 'off', '--spool-dir', dir, '--spool-memory', '64KiB'] });
    breakIt(dir);
    const data = randomBytes(256 * 1024);
    const res = await spooledPut(h, data);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.toString()).toMatch(/<Code>ServiceUnavailable<\/Code><Message>[^<]*--spool-dir[^<]*<\/Message>/);
    expect(errorLines(h.logs)).toEqual([]);
    expect(parsed(h.logs).filter((l) => l.level === 40 && String(l.err).includes(dir))).toHaveLength(1);
    expect((await rawRequest(h.url, { method: 'HEAD', path: '/bkt/spooled' })).status).toBe(404);
    // Small bodies never needed the disk.
    expect((await rawRequest(h.url, { method: 'PUT', path: '/bkt/small', headers: { 'content-length': 10 }, body: Buffer.alloc(10) })).status).toBe(200);
    rmSync(dir, { force: true });
    mkdirSync(dir);
    expect((await spooledPut(h, data)).status).toBe(200);
  });
});
