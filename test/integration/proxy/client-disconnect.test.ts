import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { signetFor } from '../healing/stubborn-upstreams.js';

// An upstream that records how each request ended: a client that hangs up on signet must make
// signet hang up on the upstream, not leave a transfer running for nobody.
interface Ended { what: 'finished' | 'aborted'; bytes: number }

async function recordingUpstream(handler: (req: IncomingMessage, res: ServerResponse, ended: (e: Ended) => void) => void) {
  let resolveEnded: (e: Ended) => void = () => undefined;
  const ended = new Promise<Ended>((r) => (resolveEnded = r));
  const server: Server = createServer((req, res) => handler(req, res, resolveEnded));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, ended, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('a client that disconnects', () => {
  it('mid-download makes signet abort the upstream response', async () => {
    const up = await recordingUpstream((_req, res, ended) => {
      res.writeHead(200, { 'content-length': 100 * 1024 * 1024 });
      const block = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const timer = setInterval(() => {
        res.write(block);
        sent += block.length;
      }, 5);
      res.on('close', () => {
        clearInterval(timer);
        ended({ what: res.writableFinished ? 'finished' : 'aborted', bytes: sent });
      });
    });
    const s = await signetFor(up.url);
    cleanup.push(up.close, () => s.signet.close());
    await new Promise<void>((resolve, reject) => {
      const req = request(`${s.url}/bkt/big`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.on('close', resolve);
      req.end();
      setTimeout(() => reject(new Error('no data')), 5000).unref();
    });
    const end = await up.ended;
    expect(end.what).toBe('aborted');
    expect(end.bytes).toBeLessThan(100 * 1024 * 1024);
  });

  it('mid-upload makes signet abort the upstream request', async () => {
    const up = await recordingUpstream((req, res, ended) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => {
        ended({ what: 'finished', bytes });
        res.end();
      });
      req.on('close', () => {
        if (!req.complete) ended({ what: 'aborted', bytes });
      });
    });
    // unsigned: the body streams straight through, so the upstream request is open mid-upload.
    const s = await signetFor(up.url, ['--payload', 'unsigned', '--upstream-capabilities', 'all']);
    cleanup.push(up.close, () => s.signet.close());
    const req = request(`${s.url}/bkt/up`, { method: 'PUT', headers: { 'content-length': 50 * 1024 * 1024 } });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(1024 * 1024, 2));
    setTimeout(() => req.destroy(), 200);
    const end = await up.ended;
    expect(end.what).toBe('aborted');
    expect(end.bytes).toBeLessThan(50 * 1024 * 1024);
  });
});

describe('an upstream response without a length', () => {
  it('reaches the client chunked, with its trailers', async () => {
    const up = await recordingUpstream((_req, res, ended) => {
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-amz-checksum-crc32' });
      res.write('first part, ');
      setTimeout(() => {
        res.write('second part');
        res.addTrailers({ 'x-amz-checksum-crc32': 'AAAAAA==' });
        res.end();
        ended({ what: 'finished', bytes: 23 });
      }, 20);
    });
    const s = await signetFor(up.url);
    cleanup.push(up.close, () => s.signet.close());
    const got = await new Promise<{ body: string; te: string | undefined; trailers: Record<string, string | undefined> }>((resolve, reject) => {
      request(`${s.url}/bkt/streamed`, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ body, te: res.headers['transfer-encoding'], trailers: res.trailers }));
      }).on('error', reject).end();
    });
    expect(got.body).toBe('first part, second part');
    expect(got.te).toBe('chunked');
    expect(got.trailers['x-amz-checksum-crc32']).toBe('AAAAAA==');
  });
});
