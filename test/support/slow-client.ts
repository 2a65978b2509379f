import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface HeldExchange {
  /** The status of the first response, or null when the server closed without one. */
  readonly status: number | null;
  /** Everything the server sent, as latin1 text. */
  readonly text: string;
  /** Milliseconds from the last byte the client sent to the server's close. */
  readonly closedAfterIdleMs: number;
  /** Milliseconds from connect to the server's close. */
  readonly closedAfterMs: number;
}

/**
 * A client that sends `pieces` over a bare TCP socket, `everyMs` apart (the first at once), then
 * sends nothing more and reads until the server closes the connection. It never closes first: the
 * point is to see what the server does with a client that stalls or trickles. Fails after `maxMs`.
 */
export function heldExchange(baseUrl: string, pieces: readonly (string | Buffer)[], everyMs = 0, maxMs = 10_000): Promise<HeldExchange> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let lastSent = started;
    const socket: Socket = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    let sender: NodeJS.Timeout | undefined;
    const fail = setTimeout(() => {
      clearInterval(sender);
      socket.destroy();
      reject(new Error(`the server did not close within ${maxMs} ms; received: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, maxMs);
    const done = (): void => {
      clearTimeout(fail);
      clearInterval(sender);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const now = Date.now();
      resolve({ status: m === null ? null : Number(m[1]), text, closedAfterIdleMs: now - lastSent, closedAfterMs: now - started });
    };
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', done);
    socket.on('connect', () => {
      let i = 0;
      const next = (): void => {
        if (i >= pieces.length || socket.destroyed) {
          clearInterval(sender);
          return;
        }
        const piece = pieces[i++]!;
        socket.write(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
        lastSent = Date.now();
      };
      next();
      if (pieces.length > 1) sender = setInterval(next, everyMs);
    });
  });
}

/** Opens a TCP connection and resolves once it is connected (or rejects on error). */
export function openSocket(baseUrl: string): Promise<Socket> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves true when the server closes `socket` within `ms`, false when it is still open then. */
export function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve(true);
    const timer = setTimeout(() => {
      socket.off('close', onClose);
      socket.off('end', onClose);
      resolve(false);
    }, ms);
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.on('error', () => undefined);
    socket.once('close', onClose);
    socket.once('end', onClose);
  });
}
