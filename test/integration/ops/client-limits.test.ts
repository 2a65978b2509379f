import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { closedWithin, heldExchange, openSocket } from '../../support/slow-client.js';
import { signetFor } from '../healing/stubborn-upstreams.js';
import { eventually } from './slow-upload.js';

let h: Harness | undefined;
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await h?.close();
  h = undefined;
});

function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function metrics(harness: Harness): Promise<string> {
  return (await fetch(`${harness.signet.admin!.url}/metrics`)).text();
}

function head(key: string, headers: Record<string, string | number>): string {
  const lines = [`PUT /bkt/${key} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return lines.join('\r\n') + '\r\n\r\n';
}

const MiB = 1024 * 1024;
const fill = (n: number): Buffer => Buffer.alloc(n, 0x61);

interface StallCase {
  readonly name: string;
  readonly args: string[];
  readonly headers: Record<string, string | number>;
  /** The part of the body sent before the client goes quiet. */
  readonly part: Buffer;
}

// Each payload path reads the client's body its own way; the timeout must cut every one of them.
const STALLS: StallCase[] = [
  { name: 'a small Content-Length body (buffered)', args: [], headers: { 'content-length': 1000 }, part: fill(100) },
  {
    name: 'a large Content-Length body streamed upstream (streaming-signed)',
    args: ['--buffer-limit', '64KiB', '--upstream-capabilities', 'all'],
    headers: { 'content-length': 4 * MiB }, part: fill(256 * 1024),
  },
  {
    name: 'a large Content-Length body streamed unsigned',
    args: ['--payload', 'unsigned', '--upstream-capabilities', 'all'],
    headers: { 'content-length': 4 * MiB }, part: fill(256 * 1024),
  },
  {
    name: 'a large Content-Length body spooled (store without aws-chunked)',
    args: ['--buffer-limit', '64KiB'],
    headers: { 'content-length': 4 * MiB }, part: fill(256 * 1024),
  },
  {
    name: 'Transfer-Encoding: chunked, converted to a multipart upload (--multipart auto)',
    args: [],
    headers: { 'transfer-encoding': 'chunked' },
    part: Buffer.concat([Buffer.from('10000\r\n'), fill(0x10000), Buffer.from('\r\n10000\r\n'), fill(1000)]),
  },
  {
    name: 'Transfer-Encoding: chunked, spooled (--multipart off)',
    args: ['--multipart', 'off'],
    headers: { 'transfer-encoding': 'chunked' },
    part: Buffer.concat([Buffer.from('10000\r\n'), fill(0x10000), Buffer.from('\r\n10000\r\n'), fill(1000)]),
  },
  {
    name: 'an aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER body passed through',
    args: ['--upstream-capabilities', 'all'],
    headers: {
      // 30d40 = 200000: one data chunk, then the empty chunk and the CRC32 trailer.
      'content-length': 7 + 200_000 + 2 + 3 + 31 + 2, 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': 200_000, 'x-amz-trailer': 'x-amz-checksum-crc32',
    },
    part: Buffer.concat([Buffer.from('30d40\r\n'), fill(50_000)]),
  },
  {
    name: 'an aws-chunked signed body, decoded and re-signed',
    args: ['--buffer-limit', '64KiB', '--upstream-capabilities', 'all'],
    headers: {
      'content-length': 88 + 200_000 + 2 + 86, 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-decoded-content-length': 200_000,
    },
    part: Buffer.concat([Buffer.from(`30d40;chunk-signature=${'a'.repeat(64)}\r\n`), fill(50_000)]),
  },
];

describe('--client-body-timeout', () => {
  it.each(STALLS)('answers 400 RequestTimeout and closes when $name stops arriving; nothing is stored', async (c) => {
    h = await startHarness({ args: ['--client-body-timeout', '1s', ...c.args] });
    // The bucket exists, so the 404 afterwards is about the key.
    expect((await rawRequest(h.url, { method: 'PUT', path: '/bkt/other', headers: { 'content-length': 2 }, body: 'ok' })).status).toBe(200);
    const res = await heldExchange(h.url, [Buffer.concat([Buffer.from(head('stalled', c.headers), 'latin1'), c.part])]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>RequestTimeout</Code>');
    expect(res.text.toLowerCase()).toContain('connection: close');
    expect(res.closedAfterIdleMs).toBeGreaterThanOrEqual(900);
    expect(res.closedAfterIdleMs).toBeLessThan(2500);
    // Whatever was on its way upstream was aborted, never completed into an object.
    await eventually(async () => h!.signet.proxy.inFlight() === 0, 5000, 'the request to finish');
    expect((await rawRequest(h.url, { method: 'HEAD', path: '/bkt/stalled' })).status).toBe(404);
    expect(h.s3.buckets.get('bkt')!.objects.has('stalled')).toBe(false);
    // A converted multipart upload was aborted, not left holding parts.
    await eventually(async () => h!.s3.buckets.get('bkt')!.uploads.size === 0, 5000, 'no multipart upload left open');
    const text = await metrics(h);
    expect(sample(text, 'signet_client_timeouts_total{phase="body"}')).toBe(1);
    const log = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request' && l.status === 400);
    expect(log).toMatchObject({ error: 'RequestTimeout' });
  }, 15_000);

  it('starts the clock for an Expect: 100-continue client when the 100 is sent, then cuts it when it stalls', async () => {
    h = await startHarness({ args: ['--client-body-timeout', '1s'] });
    const res = await heldExchange(h.url, [head('continue', { 'content-length': 1000, expect: '100-continue' }), 'abc'], 300);
    expect(res.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400 /);
    expect(res.text).toContain('<Code>RequestTimeout</Code>');
    expect(res.closedAfterIdleMs).toBeGreaterThanOrEqual(900);
    expect(res.closedAfterIdleMs).toBeLessThan(2500);
    expect(h.s3.buckets.get('bkt')?.objects.has('continue') ?? false).toBe(false);
  }, 15_000);

  it('does not cut a body that trickles in, a byte every 200 ms, with a 1 s timeout (idle gap, not total time)', async () => {
    h = await startHarness({ args: ['--client-body-timeout', '1s'] });
    const body = 'trickle-body';
    const pieces = [head('trickle', { 'content-length': body.length, connection: 'close' }), ...body.split('')];
    const res = await heldExchange(h.url, pieces, 200);
    expect(res.status).toBe(200);
    expect(res.closedAfterMs).toBeGreaterThan(2000);
    const got = await rawRequest(h.url, { path: '/bkt/trickle' });
    expect(got.body.toString()).toBe(body);
  }, 15_000);

  it('does not count the time the upstream takes to read the body against the client', async () => {
    // An upstream that stops reading for 2.5 s: the client is blocked by signet's backpressure, not idle.
    let first = true;
    const server: Server = createServer((req, res) => {
      const go = (): void => {
        req.resume();
        req.on('end', () => res.end());
      };
      if (first) {
        first = false;
        req.pause();
        setTimeout(go, 2500);
      } else go();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const s = await signetFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, [
      '--client-body-timeout', '1s', '--payload', 'unsigned', '--upstream-capabilities', 'all',
    ]);
    cleanup.push(() => s.signet.close());
    const data = fill(16 * MiB);
    const res = await rawRequest(s.url, { method: 'PUT', path: '/bkt/backpressure', headers: { 'content-length': data.length }, body: data });
    expect(res.status).toBe(200);
  }, 20_000);

  it('does not cut a request whose body is complete while the upstream takes longer than the timeout to answer', async () => {
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end(), 2000));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const s = await signetFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, ['--client-body-timeout', '1s']);
    cleanup.push(() => s.signet.close());
    const res = await rawRequest(s.url, { method: 'PUT', path: '/bkt/slow-answer', headers: { 'content-length': 5 }, body: 'hello' });
    expect(res.status).toBe(200);
  }, 15_000);

  it('0 turns it off: a stalled body is not answered by it', async () => {
    h = await startHarness({ args: ['--client-body-timeout', '0', '--client-idle-timeout', '3s'] });
    const res = await heldExchange(h.url, [head('off', { 'content-length': 100 }) + 'abc'], 0, 8000);
    // Only the idle timeout closes the connection, later and without an answer.
    expect(res.status).toBeNull();
    expect(res.closedAfterIdleMs).toBeGreaterThanOrEqual(2900);
  }, 15_000);
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasOpenssl())('--client-body-timeout on a TLS listener (needs openssl on PATH)', () => {
  it('cuts a stalled body the same way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-body-tls-'));
    const cert = join(dir, 'c.crt');
    const key = join(dir, 'c.key');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=signet-test', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
    h = await startHarness({ args: ['--client-body-timeout', '1s', '--tls-cert', cert, '--tls-key', key] });
    const port = Number(new URL(h.url).port);
    const got = await new Promise<{ text: string; ms: number }>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      let text = '';
      let sentAt = 0;
      const fail = setTimeout(() => reject(new Error('no close within 8 s')), 8000);
      socket.on('secureConnect', () => {
        socket.write(head('tls-stalled', { 'content-length': 1000 }) + 'abc');
        sentAt = Date.now();
      });
      socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(fail);
        resolve({ text, ms: Date.now() - sentAt });
      });
    });
    expect(got.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(got.text).toContain('<Code>RequestTimeout</Code>');
    expect(got.ms).toBeGreaterThanOrEqual(900);
    expect(got.ms).toBeLessThan(2500);
    expect(h.s3.buckets.get('bkt')?.objects.has('tls-stalled') ?? false).toBe(false);
  }, 15_000);
});

describe('--client-header-timeout', () => {
  it('closes a connection whose headers arrive a byte at a time', async () => {
    h = await startHarness({ args: ['--client-header-timeout', '1s'] });
    const text = head('slow-headers', { 'content-length': 0 }) + 'x'.repeat(200);
    const res = await heldExchange(h.url, text.split(''), 50, 8000);
    expect(res.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(res.closedAfterMs).toBeLessThan(2500);
    expect(res.status === null || res.status === 408).toBe(true);
    const text2 = await metrics(h);
    expect(sample(text2, 'signet_client_timeouts_total{phase="headers"}')).toBe(1);
  }, 15_000);
});

describe('--max-connections', () => {
  it('closes a connection past the limit at once, accepts again when one closes, and counts both', async () => {
    h = await startHarness({ args: ['--max-connections', '3'] });
    const open = await Promise.all([openSocket(h.url), openSocket(h.url), openSocket(h.url)]);
    cleanup.push(async () => open.forEach((s) => s.destroy()));
    await eventually(async () => sample(await metrics(h!), 'signet_connections_open') === 3, 3000, 'three open connections');
    const fourth = await openSocket(h.url);
    expect(await closedWithin(fourth, 1000)).toBe(true);
    fourth.destroy();
    let text = await metrics(h);
    expect(sample(text, 'signet_connections_rejected_total')).toBe(1);
    expect(sample(text, 'signet_connections_open')).toBe(3);
    // The three are served as usual.
    open[0]!.end();
    await eventually(async () => sample(await metrics(h!), 'signet_connections_open') === 2, 3000, 'a slot to free up');
    const res = await rawRequest(h.url, { method: 'PUT', path: '/bkt/after', headers: { 'content-length': 2 }, body: 'ok' });
    expect(res.status).toBe(200);
    text = await metrics(h);
    expect(sample(text, 'signet_connections_rejected_total')).toBe(1);
  }, 15_000);

  it('0 means unlimited', async () => {
    h = await startHarness({ args: ['--max-connections', '0'] });
    const open = await Promise.all(Array.from({ length: 20 }, () => openSocket(h!.url)));
    cleanup.push(async () => open.forEach((s) => s.destroy()));
    expect(await Promise.all(open.map((s) => closedWithin(s, 300)))).toEqual(open.map(() => false));
  });
});
