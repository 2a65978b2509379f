import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { errorLines, untilLogged } from './support.js';

// The other side of 499: when signet itself cuts a client connection (the client went idle past
// --client-idle-timeout, or shutdown ran out of grace), the access line says so, not "client closed".

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Sends the head and part of a body, then goes quiet; resolves when signet closes the connection. */
function stalledUpload(url: string, length: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${url}/bkt/stalled`, { method: 'PUT', agent: false, headers: { 'content-length': length } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(Buffer.alloc(10_000));
  });
}

describe('signet cuts a client', () => {
  it('idle mid-upload past --client-idle-timeout (the body timeout off): 400 RequestTimeout, not 499 or 5xx', async () => {
    // With --client-body-timeout on, it judges a body's gaps instead (client-limits.test.ts).
    h = await startHarness({ args: ['--client-idle-timeout', '300ms', '--client-body-timeout', '0'] });
    await stalledUpload(h.url, 100_000);
    const line = await untilLogged(h.logs, (l) => l.op === 'PutObject');
    expect(line).toMatchObject({ status: 400, error: 'RequestTimeout' });
    expect(errorLines(h.logs)).toEqual([]);
    expect((await rawRequest(h.url, { method: 'HEAD', path: '/bkt/stalled' })).status).toBe(404);
  });

  it('still uploading when shutdown runs out of --shutdown-grace: 503 ServiceUnavailable, not 499', async () => {
    h = await startHarness({ args: ['--shutdown-grace', '200ms', '--client-idle-timeout', '10s'] });
    const stalled = stalledUpload(h.url, 100_000);
    await new Promise((r) => setTimeout(r, 100));
    const logs = h.logs;
    const closing = h.close();
    h = undefined;
    await stalled;
    await closing;
    const line = await untilLogged(logs, (l) => l.op === 'PutObject');
    expect(line).toMatchObject({ status: 503, error: 'ServiceUnavailable' });
  });
});
