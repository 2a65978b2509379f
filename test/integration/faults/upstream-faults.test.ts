import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../../support/fault-proxy.js';
import type { Fault, FaultProxy } from '../../support/fault-proxy.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { errorLines } from './support.js';

// The network between signet and S3 misbehaves (test/support/fault-proxy.ts sits between them).
// Whatever happens, the client gets a clean S3 error or a cut connection, never a truncated 200;
// no partial object is stored; and no socket or spool file is left behind.

const KiB = 1024;
const MiB = 1024 * KiB;

interface Setup {
  readonly h: Harness;
  readonly proxy: FaultProxy;
  readonly spoolDir: string;
  readonly fdsBefore: number;
}

let current: Setup | undefined;
afterEach(async () => {
  if (current === undefined) return;
  await current.h.close();
  await current.proxy.close();
  rmSync(current.spoolDir, { recursive: true, force: true });
  current = undefined;
});

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** signet → fault proxy → embedded S3, with small timeouts, and `seed` stored under bkt/ through the clean path. */
async function setUp(args: string[], seed: Record<string, Buffer> = {}): Promise<Setup> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'signet-faults-'));
  let proxy: FaultProxy | undefined;
  const h = await startHarness({
    args: ['--spool-dir', spoolDir, '--spool-memory', '64KiB', '--headers-timeout', '500ms', '--body-timeout', '500ms', '--connect-timeout', '500ms', ...args],
    upstream: async (s3) => {
      proxy = await startFaultProxy(s3.port);
      return proxy.url;
    },
  });
  for (const [key, data] of Object.entries(seed)) {
    const put = await rawRequest(h.url, { method: 'PUT', path: `/bkt/${key}`, headers: { 'content-length': data.length }, body: data });
    expect(put.status).toBe(200);
  }
  // A warm pooled connection exists from here on, before and after each fault.
  expect((await rawRequest(h.url, { method: 'HEAD', path: '/bkt/none' })).status).toBe(404);
  current = { h, proxy: proxy!, spoolDir, fdsBefore: openFds() };
  return current;
}

interface Download {
  readonly status: number;
  readonly body: Buffer;
  /** The response ended as framed (Content-Length satisfied): the client would take it as whole. */
  readonly complete: boolean;
}

function download(url: string, path: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), complete: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), complete: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A PUT's outcome: the status and S3 error code, or 'cut' when the connection went without an answer. */
async function upload(url: string, key: string, data: Buffer): Promise<{ status: number | 'cut'; code: string }> {
  try {
    const res = await rawRequest(url, { method: 'PUT', path: `/bkt/${key}`, headers: { 'content-length': data.length }, body: [data] });
    return { status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(res.body.toString())?.[1] ?? '' };
  } catch {
    return { status: 'cut', code: '' };
  }
}

/** After a fault: signet serves again, nothing leaked, no spool file, no error-level line. */
async function recovers(s: Setup, absentKey?: string): Promise<void> {
  s.proxy.inject({ kind: 'pass' });
  if (absentKey !== undefined) expect((await rawRequest(s.h.url, { method: 'HEAD', path: `/bkt/${absentKey}` })).status).toBe(404);
  const small = randomBytes(1000);
  expect((await upload(s.h.url, 'after', small)).status).toBe(200);
  expect((await rawRequest(s.h.url, { path: '/bkt/after' })).body.equals(small)).toBe(true);
  // Sockets close asynchronously: give them a moment, then count (each proxied connection is
  // 4 fds in this process: signet's, the proxy's two, the embedded S3's; one extra pooled one is fine).
  const deadline = Date.now() + 3000;
  while (openFds() > s.fdsBefore + 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(openFds()).toBeLessThanOrEqual(s.fdsBefore + 4);
  expect(s.proxy.open()).toBeLessThanOrEqual(2);
  expect(readdirSync(s.spoolDir)).toEqual([]);
  expect(errorLines(s.h.logs)).toEqual([]);
}

const inject = (s: Setup, f: Fault): void => s.proxy.inject(f);

describe('the upstream resets mid-request-body', () => {
  it('streamed (not replayable): 502 BadGateway, nothing stored', async () => {
    const s = await setUp(['--buffer-limit', '64KiB', '--upstream-capabilities', 'all']);
    inject(s, { kind: 'reset', direction: 'up', at: 512 * KiB });
    const out = await upload(s.h.url, 'streamed', randomBytes(4 * MiB));
    expect(out).toEqual({ status: 502, code: 'BadGateway' });
    expect(s.proxy.fired()).toBe(1);
    await recovers(s, 'streamed');
  });

  it('spooled (replayable): retried up to --max-retries, then 502, nothing stored, spool file removed', async () => {
    const s = await setUp(['--buffer-limit', '64KiB', '--upstream-capabilities', 'none']);
    inject(s, { kind: 'reset', direction: 'up', at: 512 * KiB });
    const out = await upload(s.h.url, 'spooled', randomBytes(4 * MiB));
    expect(out).toEqual({ status: 502, code: 'BadGateway' });
    expect(s.proxy.fired()).toBe(3);
    await recovers(s, 'spooled');
  });

  it('cut (FIN) mid-request-body: 502, nothing stored', async () => {
    const s = await setUp(['--buffer-limit', '64KiB', '--upstream-capabilities', 'all']);
    inject(s, { kind: 'cut', direction: 'up', at: 512 * KiB });
    const out = await upload(s.h.url, 'cut', randomBytes(4 * MiB));
    expect(out).toEqual({ status: 502, code: 'BadGateway' });
    await recovers(s, 'cut');
  });

  it('stalled mid-request-body: a clean 504 within the timeouts, nothing stored', async () => {
    const s = await setUp(['--buffer-limit', '64KiB', '--upstream-capabilities', 'all']);
    inject(s, { kind: 'stall', direction: 'up', at: 512 * KiB });
    const started = Date.now();
    const out = await upload(s.h.url, 'stalled', randomBytes(4 * MiB));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(out).toEqual({ status: 504, code: 'GatewayTimeout' });
    await recovers(s, 'stalled');
  });
});

describe('the upstream fails mid-response-body', () => {
  const object = randomBytes(4 * MiB);

  it.each(['reset', 'cut'] as const)('%s: the client sees its connection cut, never a whole-looking 200', async (kind) => {
    const s = await setUp([], { big: object });
    inject(s, { kind, direction: 'down', at: 256 * KiB });
    const got = await download(s.h.url, '/bkt/big');
    expect(got.status).toBe(200);
    expect(got.complete).toBe(false);
    expect(got.body.length).toBeLessThan(object.length);
    expect(object.subarray(0, got.body.length).equals(got.body)).toBe(true);
    await recovers(s);
    const whole = await download(s.h.url, '/bkt/big');
    expect(whole.complete && whole.body.equals(object)).toBe(true);
  });

  it('stalls past --body-timeout: the client sees its connection cut', async () => {
    const s = await setUp([], { big: object });
    inject(s, { kind: 'stall', direction: 'down', at: 256 * KiB });
    const got = await download(s.h.url, '/bkt/big');
    expect(got).toMatchObject({ status: 200, complete: false });
    await recovers(s);
  });
});

describe('the upstream accepts and never answers', () => {
  it('a GET gets a clean 504 GatewayTimeout after --headers-timeout, and is not retried', async () => {
    const s = await setUp([]);
    inject(s, { kind: 'blackhole' });
    const accepted = s.proxy.accepted();
    const started = Date.now();
    const res = await rawRequest(s.h.url, { path: '/bkt/some' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(504);
    expect(res.body.toString()).toContain('<Code>GatewayTimeout</Code>');
    expect(s.proxy.accepted() - accepted).toBeLessThanOrEqual(1);
    await recovers(s);
  });

  it('a PUT gets 504 too, and nothing is stored', async () => {
    const s = await setUp([]);
    inject(s, { kind: 'blackhole' });
    const out = await upload(s.h.url, 'hole', randomBytes(100 * KiB));
    expect(out).toEqual({ status: 504, code: 'GatewayTimeout' });
    await recovers(s, 'hole');
  });
});

describe('the upstream answers at a trickle', () => {
  it('faster than --body-timeout: the download completes, byte for byte', async () => {
    const small = randomBytes(200);
    const s = await setUp(['--headers-timeout', '5s'], { small });
    inject(s, { kind: 'trickle', direction: 'down', at: 0, everyMs: 1 });
    const got = await download(s.h.url, '/bkt/small');
    expect(got.status).toBe(200);
    expect(got.complete && got.body.equals(small)).toBe(true);
    await recovers(s);
  });

  it('slower than --body-timeout mid-body: the client sees its connection cut', async () => {
    const object = randomBytes(256 * KiB);
    // undici runs its headers and body timeouts on coarse timers (~0.5 s ticks): a byte every
    // 400 ms keeps a 300 ms --body-timeout from ever firing, so the trickle here is slower.
    const s = await setUp(['--body-timeout', '300ms'], { object });
    inject(s, { kind: 'trickle', direction: 'down', at: 64 * KiB, everyMs: 1500 });
    const got = await download(s.h.url, '/bkt/object');
    expect(got).toMatchObject({ status: 200, complete: false });
    await recovers(s);
  });

  it('headers slower than --headers-timeout: 504', async () => {
    const s = await setUp(['--headers-timeout', '300ms']);
    inject(s, { kind: 'trickle', direction: 'down', at: 0, everyMs: 100 });
    const res = await rawRequest(s.h.url, { path: '/bkt/some' });
    expect(res.status).toBe(504);
    await recovers(s);
  });
});

describe('the upstream is slow but working', () => {
  it('a response delayed past half of --headers-timeout still arrives whole', async () => {
    const small = randomBytes(5000);
    const s = await setUp([], { small });
    inject(s, { kind: 'delay', direction: 'down', at: 0, ms: 300 });
    const got = await download(s.h.url, '/bkt/small');
    expect(got.complete && got.body.equals(small)).toBe(true);
    await recovers(s);
  });

  // undici refreshes its headers timeout on every body chunk written: while a body is being sent,
  // --headers-timeout bounds a pause, not the whole upload.
  it('an upload held up for less than --headers-timeout goes through; held up longer, 504', async () => {
    const s = await setUp(['--buffer-limit', '64KiB', '--upstream-capabilities', 'all', '--headers-timeout', '2s']);
    inject(s, { kind: 'delay', direction: 'up', at: 256 * KiB, ms: 500 });
    const data = randomBytes(MiB);
    expect((await upload(s.h.url, 'slow', data)).status).toBe(200);
    expect(s.proxy.fired()).toBe(1);
    inject(s, { kind: 'delay', direction: 'up', at: 256 * KiB, ms: 3500 });
    expect(await upload(s.h.url, 'slower', data)).toEqual({ status: 504, code: 'GatewayTimeout' });
    await recovers(s, 'slower');
  });
});

describe('an upstream that breaks HTTP', () => {
  let raw: NetServer | undefined;
  afterEach(async () => {
    await new Promise((r) => (raw === undefined ? r(undefined) : raw.close(r)));
    raw = undefined;
  });

  /** A raw TCP upstream answering every request with `head`, then a body of `bodyBytes`. */
  async function brokenUpstream(head: string, bodyBytes: number): Promise<{ url: string; closed: string[] }> {
    const closed: string[] = [];
    raw = createNetServer((socket) => {
      socket.once('data', () => {
        socket.write(head);
        const piece = Buffer.alloc(64 * 1024, 97);
        let sent = 0;
        const pump = (): void => {
          while (sent < bodyBytes) {
            sent += piece.length;
            if (!socket.write(piece)) return void socket.once('drain', pump);
          }
        };
        pump();
      });
      socket.on('close', () => closed.push('closed'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => raw!.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, closed };
  }

  // A proxy's upstream failing the protocol is a bad gateway (nginx: 502), not signet's own
  // failure: no 500 InternalError, no error-level "internal error" line to page someone.
  it.each([
    ['a control character in a header value', 'HTTP/1.1 200 OK\r\nx-amz-meta-bad: a\x7fb\r\ncontent-length: 33554432\r\n\r\n'],
    ['a head larger than undici takes', `HTTP/1.1 200 OK\r\n${Array.from({ length: 40 }, (_, i) => `x-amz-meta-p${i}: ${'p'.repeat(8000)}\r\n`).join('')}content-length: 33554432\r\n\r\n`],
    ['a status line that is not HTTP', 'HTTP/1.1 2OO OK\r\ncontent-length: 10\r\n\r\n'],
  ])('with %s is answered 502 BadGateway, and the upstream connection is let go', async (_what, head) => {
    const upstream = await brokenUpstream(head, 32 * 1024 * 1024);
    const h = await startHarness({ upstream: async () => upstream.url });
    try {
      const res = await rawRequest(h.url, { path: '/bkt/key' });
      expect(res.status).toBe(502);
      expect(res.body.toString()).toContain('<Code>BadGateway</Code>');
      for (let i = 0; i < 100 && upstream.closed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(upstream.closed).toEqual(['closed']);
      expect(errorLines(h.logs)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
