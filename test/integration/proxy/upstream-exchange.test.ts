import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestAbort } from '../../../src/proxy/request-abort.js';
import { exchange } from '../../../src/proxy/upstream-exchange.js';
import type { UpstreamBody } from '../../../src/proxy/upstream-exchange.js';

// The exchange against a real HTTP server on 127.0.0.1 through a real undici Pool: what arrives,
// what is held, what pauses the upstream socket, and what aborts the upstream request.

type Route = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let pool: Pool;
let route: Route;
/** How each request the server saw ended: 'finished' (all written) or 'closed' (cut first). */
let outcomes: string[];

beforeEach(async () => {
  outcomes = [];
  server = createServer((req, res) => {
    res.on('finish', () => outcomes.push('finished'));
    res.on('close', () => {
      if (!res.writableFinished) outcomes.push('closed');
    });
    route(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterEach(async () => {
  await pool.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const get = (signal = new RequestAbort()) => exchange(pool, { path: '/', method: 'GET' }, signal);

/** Sends `data` in 16 KiB writes with backpressure. */
function serve(data: Buffer, trailers?: Record<string, string>): Route {
  return (_req, res) => {
    res.writeHead(200, trailers ? { trailer: Object.keys(trailers).join(',') } : { 'content-length': data.length });
    let at = 0;
    const pump = (): void => {
      while (at < data.length) {
        const piece = data.subarray(at, at + 16384);
        at += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (trailers) res.addTrailers(trailers);
      res.end();
    };
    pump();
  };
}

/** Reads the body through consume(), saying "no more" every other chunk and taking more a tick later. */
function readPushed(body: UpstreamBody): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    body.consume({
      data(chunk) {
        chunks.push(chunk);
        if (n++ % 2 === 1) {
          setImmediate(() => body.resume());
          return false;
        }
        return true;
      },
      end: () => resolve(Buffer.concat(chunks)),
      error: reject,
    });
  });
}

async function readPulled(body: UpstreamBody): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('upstream exchange', () => {
  it('hands over every byte, in order, to a consumer that pushes back', async () => {
    const data = randomBytes(4 * 1024 * 1024 + 123);
    route = serve(data);
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe(String(data.length));
    expect(sha(await readPushed(res.body))).toBe(sha(data));
    expect(res.body.complete).toBe(true);
  });

  it('holds what arrives before anyone reads, and pauses the upstream instead of buffering it all', async () => {
    const data = randomBytes(16 * 1024 * 1024);
    route = serve(data);
    const res = await get();
    await sleep(300);
    // 16 MiB cannot fit in the sockets' buffers and the 64 KiB queue: the server is still writing.
    expect(outcomes).toEqual([]);
    expect(res.body.complete).toBe(false);
    expect(sha(await readPushed(res.body))).toBe(sha(data));
    expect(outcomes).toEqual(['finished']);
  });

  it('pauses the upstream for a reader that stops taking chunks, and goes on when it resumes', async () => {
    const data = randomBytes(16 * 1024 * 1024);
    route = serve(data);
    const res = await get();
    const chunks: Buffer[] = [];
    let taking = false;
    const done = new Promise<void>((resolve, reject) => {
      res.body.consume({
        data(chunk) {
          chunks.push(chunk);
          return taking;
        },
        end: resolve,
        error: reject,
      });
    });
    await sleep(300);
    expect(chunks.length).toBe(1);
    expect(outcomes).toEqual([]);
    taking = true;
    res.body.resume();
    await done;
    expect(sha(Buffer.concat(chunks))).toBe(sha(data));
  });

  it('is read whole by for await, small or large, consumed late or at once', async () => {
    for (const size of [0, 10, 100_000, 3 * 1024 * 1024]) {
      const data = randomBytes(size);
      route = serve(data);
      const res = await get();
      if (size === 100_000) await sleep(50);
      expect(sha(await readPulled(res.body))).toBe(sha(data));
    }
  });

  it('fills in the trailers by the time the body ends', async () => {
    route = serve(randomBytes(1000), { 'x-amz-checksum-crc32': 'AAAAAA==' });
    const res = await get();
    await readPushed(res.body);
    expect(res.trailers['x-amz-checksum-crc32']).toBe('AAAAAA==');
  });

  it('skips an informational answer and resolves with the final one', async () => {
    route = (_req, res) => {
      res.writeEarlyHints({ link: '</a>; rel=preload' });
      res.end('done');
    };
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect((await readPulled(res.body)).toString()).toBe('done');
  });

  it('aborts the upstream request when the reader of a pulled body stops early', async () => {
    route = serve(randomBytes(32 * 1024 * 1024));
    const res = await get();
    for await (const chunk of res.body) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await until(() => outcomes.length > 0);
    expect(outcomes).toEqual(['closed']);
  });

  it('aborts the upstream request on destroy(), and delivers nothing after it', async () => {
    route = serve(randomBytes(32 * 1024 * 1024));
    const res = await get();
    const seen: string[] = [];
    res.body.consume({
      data: () => {
        res.body.destroy();
        seen.push('data');
        return true;
      },
      end: () => seen.push('end'),
      error: () => seen.push('error'),
    });
    await until(() => outcomes.length > 0);
    expect(outcomes).toEqual(['closed']);
    await sleep(50);
    expect(seen).toEqual(['data']);
  });

  it('rejects with the abort when the signal fires before the answer, and the upstream hears it', async () => {
    route = () => undefined; // never answers
    const signal = new RequestAbort();
    const pending = get(signal);
    await sleep(100);
    signal.abort();
    await expect(pending).rejects.toMatchObject({ code: 'UND_ERR_ABORTED' });
    await until(() => outcomes.length > 0);
    expect(outcomes).toEqual(['closed']);
  });

  it('rejects at once when the signal has already fired', async () => {
    route = serve(Buffer.from('x'));
    const signal = new RequestAbort();
    signal.abort();
    await expect(get(signal)).rejects.toMatchObject({ code: 'UND_ERR_ABORTED' });
  });

  it('reports the abort as an error to the consumer when the signal fires mid-body', async () => {
    route = serve(randomBytes(32 * 1024 * 1024));
    const signal = new RequestAbort();
    const res = await get(signal);
    const failed = new Promise<Error>((resolve, reject) => {
      res.body.consume({ data: () => false, end: () => reject(new Error('ended')), error: resolve });
    });
    signal.abort();
    expect(await failed).toMatchObject({ code: 'UND_ERR_ABORTED' });
  });

  it('reports an upstream cut mid-body as an error, never as the end', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(randomBytes(100_000), () => res.destroy());
    };
    const res = await get();
    await expect(readPushed(res.body)).rejects.toThrow();
    const again = await get();
    await expect(readPulled(again.body)).rejects.toThrow();
  });

  it('stops listening to the signal once the body has arrived: a later abort changes nothing', async () => {
    route = serve(Buffer.from('hello'));
    const signal = new RequestAbort();
    const res = await get(signal);
    const body = await readPulled(res.body);
    signal.abort();
    res.body.destroy();
    expect(body.toString()).toBe('hello');
    expect(outcomes).toEqual(['finished']);
  });

  it('hands over a body that has all arrived in one go, and only such a body', async () => {
    route = serve(Buffer.from('small answer'));
    const small = await get();
    await until(() => small.body.complete);
    expect(Buffer.concat(small.body.takeComplete()!).toString()).toBe('small answer');
    expect(small.body.takeComplete()).toBeNull();
    await expect(readPulled(small.body)).rejects.toThrow(/already read/);
    const data = randomBytes(16 * 1024 * 1024);
    route = serve(data);
    const large = await get();
    expect(large.body.takeComplete()).toBeNull();
    expect(sha(await readPushed(large.body))).toBe(sha(data));
  });

  it('refuses a second reader', async () => {
    route = serve(Buffer.from('once'));
    const res = await get();
    await readPulled(res.body);
    expect(() => res.body.consume({ data: () => true, end: () => undefined, error: () => undefined })).toThrow(/already read/);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await sleep(10);
  expect(done()).toBe(true);
}
