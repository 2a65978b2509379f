import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How long a connection whose request body signet stopped needing is kept reading and discarding
 * before it is cut. nginx's lingering close uses the same two bounds (lingering_time 30 s,
 * lingering_timeout 5 s).
 */
export interface LingerBounds {
  readonly totalMs: number;
  readonly idleMs: number;
}

export const DEFAULT_LINGER: LingerBounds = { totalMs: 30_000, idleMs: 5_000 };

const discard = (): void => undefined;

/**
 * Answers now, closes after, without losing the answer. Call before the response is written,
 * when the request body will not be read to its end (the upstream answered early, or signet
 * refused the request before reading it).
 *
 * A client that sends its whole body before it reads (Python's http.client, so boto3 and the
 * AWS CLI) is blocked in its send until someone reads that body; and closing a socket with unread
 * data in it makes the kernel send a reset, which can discard the response the client has not read
 * yet. So the rest of the body is read and thrown away, the response goes out with
 * `Connection: close`, the write side is half-closed once it is flushed, and the socket is
 * destroyed only when the client has finished sending — or when a bound runs out.
 */
export function closeAfterResponse(req: IncomingMessage, res: ServerResponse, bounds: LingerBounds = DEFAULT_LINGER): void {
  res.shouldKeepAlive = false;
  const socket = req.socket as Socket | null;
  if (req.complete || socket === null || socket.destroyed) return;
  req.on('data', discard);
  req.on('error', discard);
  req.resume();
  let idle: NodeJS.Timeout | null = null;
  let total: NodeJS.Timeout | null = null;
  const cut = (): void => {
    socket.destroy();
  };
  const clear = (): void => {
    if (idle !== null) clearTimeout(idle);
    if (total !== null) clearTimeout(total);
    req.off('data', onData);
  };
  const onData = (): void => {
    if (idle !== null) idle.refresh();
  };
  // Node's server closes a `Connection: close` exchange with destroySoon() once the response is
  // written: end the write side instead, and destroy when the client is done sending.
  const destroySoon = socket.destroySoon.bind(socket);
  socket.destroySoon = (): void => {
    if (req.complete) {
      destroySoon();
      return;
    }
    socket.end();
    idle = setTimeout(cut, bounds.idleMs);
    total = setTimeout(cut, bounds.totalMs);
    req.on('data', onData);
    req.once('end', () => {
      clear();
      destroySoon();
    });
    socket.once('close', clear);
  };
}
