import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { accessLines, errorLines, untilLogged } from './support.js';

// A client that hangs up is not signet's failure: nginx's 499 "client closed request", at info
// level, never a 5xx that pages someone.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const BIG = 16 * 1024 * 1024;

/** Starts a GET and destroys the socket once the first body bytes arrive. */
function getAndHangUp(url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const req = request(`${url}${path}`, { agent: false }, (res) => {
      res.on('data', (c: Buffer) => {
        got += c.length;
        if (got > 0) req.destroy();
      });
    });
    req.on('error', () => undefined);
    req.on('close', () => resolve(got));
    req.end();
    setTimeout(() => reject(new Error('no body within 5 s')), 5000).unref();
  });
}

/** Sends the head and `sent` bytes of a PUT, waits a moment, then destroys the socket. */
function putAndHangUp(url: string, path: string, headers: Record<string, string | number>, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${url}${path}`, { method: 'PUT', agent: false, headers });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.write(randomBytes(sent), () => setTimeout(() => req.destroy(), 150));
  });
}

const length = (n: number) => ({ 'content-length': n });
const MiB = 1024 * 1024;

describe('a client that hangs up', () => {
  it('mid-download is logged as 499 at info level, and signet serves the next request', async () => {
    h = await startHarness();
    const data = randomBytes(BIG);
    expect((await rawRequest(h.url, { method: 'PUT', path: '/bkt/big', headers: { 'content-length': data.length }, body: data })).status).toBe(200);
    const got = await getAndHangUp(h.url, '/bkt/big');
    expect(got).toBeLessThan(BIG);
    const line = await untilLogged(h.logs, (l) => l.op === 'GetObject');
    expect(line.status).toBe(499);
    expect(line.error).toBe('ClientClosedRequest');
    expect(errorLines(h.logs)).toEqual([]);
    const next = await rawRequest(h.url, { path: '/bkt/big' });
    expect(next.status).toBe(200);
    expect(next.body.equals(data)).toBe(true);
    const metrics = (await rawRequest(h.signet.admin!.url, { path: '/metrics' })).body.toString();
    expect(metrics).toMatch(/signet_requests_total\{method="GET",operation="GetObject",status_class="4xx"\} 1/);
    expect(metrics).not.toMatch(/status_class="5xx"\} [1-9]/);
    expect(metrics).toMatch(/signet_client_closed_requests_total 1/);
  });

  // A client that reads nothing and then hangs up: a small answer fits in the socket buffers and
  // is complete (200, as nginx logs it) before the hang-up; a larger one is cut (499). The answer
  // may also be wholly in signet's hands (undici has the last byte and no longer listens for the
  // abort); which sizes end each way depends on the kernel's buffers, so several are tried. None
  // may hang, log an error, or keep its --max-concurrent slot.
  it.each([256 * 1024, MiB, 4 * MiB, BIG])('that stops reading a %i-byte download and then hangs up is logged, not as an error, and frees its slot', async (size) => {
    h = await startHarness();
    expect((await rawRequest(h.url, { method: 'PUT', path: '/bkt/stall', headers: length(size), body: randomBytes(size) })).status).toBe(200);
    await new Promise<void>((resolve) => {
      const req = request(`${h!.url}/bkt/stall`, { agent: false }, (res) => {
        res.pause();
        setTimeout(() => req.destroy(), 400);
      });
      req.on('error', () => undefined);
      req.on('close', () => resolve());
      req.end();
    });
    const line = await untilLogged(h.logs, (l) => l.op === 'GetObject');
    expect([200, 499]).toContain(line.status);
    if (size === BIG) expect(line.status).toBe(499);
    expect(errorLines(h.logs)).toEqual([]);
    expect(h.signet.proxy.inFlight()).toBe(0);
  });

  it.each([
    ['buffered', [], length(MiB), 100_000],
    ['streaming-signed', ['--buffer-limit', '64KiB', '--upstream-capabilities', 'all'], length(BIG), MiB],
    ['unsigned', ['--payload', 'unsigned', '--upstream-capabilities', 'all'], length(BIG), MiB],
    ['spooled', ['--buffer-limit', '64KiB', '--upstream-capabilities', 'none'], length(BIG), MiB],
    ['multipart', ['--multipart-threshold', '9MiB'], length(BIG), 9 * MiB],
    ['multipart', [], { 'transfer-encoding': 'chunked' }, 9 * MiB],
  ])('mid-upload (%s %j %j) is logged as 499, nothing is stored, and signet serves the next request', async (strategy, args, headers, sent) => {
    h = await startHarness({ args });
    await putAndHangUp(h.url, '/bkt/up', headers, sent);
    const line = await untilLogged(h.logs, (l) => l.op === 'PutObject');
    expect(line.status).toBe(499);
    expect(line.error).toBe('ClientClosedRequest');
    expect(errorLines(h.logs)).toEqual([]);
    expect((await rawRequest(h.url, { method: 'HEAD', path: '/bkt/up' })).status).toBe(404);
    expect([...(h.s3.buckets.get('bkt')?.uploads.values() ?? [])]).toEqual([]);
    // The same kind of upload, whole this time, goes through.
    const data = randomBytes(strategy === 'multipart' ? 9 * MiB + 1 : strategy === 'buffered' ? 1000 : 100_000);
    const whole = await rawRequest(h.url, { method: 'PUT', path: '/bkt/up', headers: 'content-length' in headers ? length(data.length) : headers, body: [data] });
    expect(whole.status).toBe(200);
    expect(accessLines(h.logs).filter((l) => l.op === 'PutObject').at(-1)?.payload).toBe(strategy);
  });
});
