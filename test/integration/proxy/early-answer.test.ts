import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signetFor } from '../healing/stubborn-upstreams.js';
import { socketExchange } from '../../support/raw-socket.js';
import { rawRequest } from '../../support/http.js';

// S3 answers some uploads as soon as it has the headers (a wrong SSE-C key, an auth or policy
// error) and stops reading the body. A client that sends its whole body before it reads the
// answer (Python's http.client, so boto3 and the AWS CLI) must still get that answer at once.

const ERROR = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code><Message>early</Message></Error>';

type Behaviour = 'pause' | 'close';

/** Reads a request head, answers 400 (or 403) at once, then stops reading (pause) or hangs up (close). */
async function earlyUpstream(status: number, after: Behaviour): Promise<{ url: string; openSockets(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.pause();
      socket.write(`HTTP/1.1 ${status} Bad\r\nContent-Type: application/xml\r\nContent-Length: ${ERROR.length}\r\nDate: ${new Date().toUTCString()}\r\n` +
        `x-amz-request-id: EARLY\r\n${after === 'close' ? 'Connection: close\r\n' : ''}\r\n${ERROR}`);
      if (after === 'close') socket.end();
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    // A socket that stops reading never sees its peer's close: these are the stand-in's, not signet's.
    openSockets: () => sockets.size,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const BODY = Buffer.alloc(32 * 1024 * 1024, 0x61);
const BODY_SHA = createHash('sha256').update(BODY).digest('hex');

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

const CAPS = ['--upstream-capabilities', 'aws-chunked,unsigned-payload,unsigned-trailer'];
// [name, signet args, extra request headers, whether the body is still unread when the upstream answers]
const paths: Array<[string, string[], string, boolean]> = [
  ['client hex hash (streamed as is)', [], `x-amz-content-sha256: ${BODY_SHA}\r\n`, true],
  ['signed aws-chunked streaming', [...CAPS, '--payload', 'streaming'], '', true],
  ['UNSIGNED-PAYLOAD streaming', [...CAPS, '--payload', 'unsigned'], '', true],
  // These read the whole body before they send: the connection stays usable.
  ['buffered (small limit raised above the body)', ['--payload', 'signed', '--buffer-limit', '64MiB'], '', false],
  ['spooled', ['--payload', 'signed', '--buffer-limit', '1MiB'], '', false],
];

for (const after of ['pause', 'close'] as const) {
  describe(`an upstream that answers before reading the body and then ${after === 'pause' ? 'stops reading' : 'hangs up'}`, () => {
    let upstream: Awaited<ReturnType<typeof earlyUpstream>>;
    beforeAll(async () => {
      upstream = await earlyUpstream(400, after);
    });
    afterAll(async () => {
      await upstream.close();
    });

    for (const [name, args, extra, unread] of paths) {
      for (const expect100 of [false, true]) {
        it(`${name}${expect100 ? ', with Expect: 100-continue' : ''}: a client that sends everything first gets the answer within a second`, async () => {
          const baseline = openFds() - upstream.openSockets();
          const p = await signetFor(upstream.url, ['--max-retries', '0', ...args]);
          try {
            const fdsBefore = openFds() - upstream.openSockets();
            const started = Date.now();
            const head = `PUT /bkt/early HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY.length}\r\n${extra}${expect100 ? 'Expect: 100-continue\r\n' : ''}\r\n`;
            const res = await socketExchange(p.url, head, BODY, 5_000);
            expect(Date.now() - started).toBeLessThan(1_000);
            expect(res.status).toBe(400);
            expect(res.body.toString()).toContain('<Code>InvalidArgument</Code>');
            // A body not read to its end leaves the connection unusable, and the answer says so.
            expect(res.headers['connection']).toBe(unread ? 'close' : 'keep-alive');
            // No socket left behind once the exchange is over.
            await new Promise((r) => setTimeout(r, 100));
            // A buffered body goes to the kernel in one write, so undici may pool that upstream
            // connection (idle, reaped by its keep-alive timeout); a streamed one is cut.
            expect(openFds() - upstream.openSockets()).toBeLessThanOrEqual(fdsBefore + (unread ? 0 : 1));
          } finally {
            await p.signet.close();
          }
          expect(openFds() - upstream.openSockets()).toBeLessThanOrEqual(baseline);
        });
      }
    }
  });
}

describe('a client that reads the answer while it sends (curl-like)', () => {
  it('gets the early 403 and its upload is cut short, not hung', async () => {
    const upstream = await earlyUpstream(403, 'pause');
    const p = await signetFor(upstream.url, ['--max-retries', '0', ...CAPS, '--payload', 'unsigned']);
    try {
      const started = Date.now();
      async function* slowBody(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 64; i++) yield BODY.subarray(0, 512 * 1024);
      }
      const res = await rawRequest(p.url, { method: 'PUT', path: '/bkt/early', headers: { 'content-length': 64 * 512 * 1024 }, body: slowBody() })
        .catch((err: unknown) => ({ status: -1, error: err }));
      expect(Date.now() - started).toBeLessThan(2_000);
      // Either the 403 arrived, or (if the client was mid-write when signet closed) a cut connection.
      expect([403, -1]).toContain(res.status);
    } finally {
      await p.signet.close();
      await upstream.close();
    }
  });
});
