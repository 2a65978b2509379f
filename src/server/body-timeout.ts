import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SignetError } from '../errors.js';
import { markCut } from '../proxy/connection-cut.js';
import { renderS3Error } from '../s3/s3-error-xml.js';

/** How long the 400 gets to reach the kernel before the socket is cut regardless. */
const ANSWER_FLUSH_MS = 1000;

/**
 * --client-body-timeout, with nginx's client_body_timeout meaning: the longest silence between
 * two successive reads of the request body, not a bound on the whole upload. A client that
 * trickles a byte a second is slow, not stalled; one that sends nothing for the whole period is
 * answered 400 RequestTimeout (S3's code and text) and disconnected.
 *
 * It is the socket's own idle timer, shortened for the body phase: Node's parser refreshes it on
 * every read, so no timer of ours runs per chunk. Silence that is signet's doing is not held
 * against the client: while data sits unread in the request stream (the upstream is slow to take
 * it, so backpressure stops the client), and before the 100 Continue a waiting client was promised.
 * Once the body is in, the socket's previous timeout (--client-idle-timeout) applies again.
 *
 * Cutting destroys the request: every reader of the body (buffer, spool, the stream to the
 * upstream, the multipart cutter) sees the RequestTimeout error, and the pipeline's "client went
 * away" path aborts the upstream request, so nothing partial is stored. The answer goes straight
 * onto the socket, not through `res`, so the pipeline sees an unanswered response that closed —
 * exactly as if the client had hung up.
 */
/** Sockets whose idle timer currently measures a body's gaps: the server's own idle handler leaves them alone. */
const watched = new WeakSet<Socket>();

export function bodyGapsWatched(socket: Socket): boolean {
  return watched.has(socket);
}

export function watchBodyGaps(req: IncomingMessage, res: ServerResponse, timeoutMs: number, onTimeout: () => void): void {
  if (timeoutMs <= 0 || req.complete || !hasBody(req)) return;
  const socket = req.socket as Socket | null;
  if (socket === null || socket.destroyed) return;
  const previous = socket.timeout ?? 0;
  let armed = false;

  const arm = (): void => {
    if (req.complete || socket.destroyed) return;
    if (!armed) {
      armed = true;
      watched.add(socket);
      // Node emits the socket's timeout on the response in progress; a listener keeps it from
      // destroying the socket, so this one decides.
      res.on('timeout', onSocketTimeout);
      req.once('end', disarm);
    }
    socket.setTimeout(timeoutMs);
  };
  const disarm = (): void => {
    if (!armed) return;
    armed = false;
    watched.delete(socket);
    res.off('timeout', onSocketTimeout);
    req.off('end', disarm);
    if (!socket.destroyed) socket.setTimeout(previous);
  };
  const onSocketTimeout = (): void => {
    if (req.complete) return disarm();
    // Unread data: the silence is the reader's (backpressure), not the client's.
    if (req.readableLength > 0) return void socket.setTimeout(timeoutMs);
    disarm();
    onTimeout();
    cut(req, res, socket);
  };

  if (expectsContinue(req)) {
    // The client waits for the 100 before it sends; the clock starts when signet sends it.
    const writeContinue = res.writeContinue.bind(res);
    res.writeContinue = (callback?: () => void): void => {
      writeContinue(callback);
      arm();
    };
    return;
  }
  arm();
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function expectsContinue(req: IncomingMessage): boolean {
  return req.headers.expect?.toLowerCase() === '100-continue';
}

function cut(req: IncomingMessage, res: ServerResponse, socket: Socket): void {
  const err = new SignetError('RequestTimeout', 'client-body-timeout: no body bytes within the timeout');
  // Recorded as this request's outcome (400 RequestTimeout), not as a client that hung up (499).
  markCut(socket, err);
  const destroy = (): void => {
    clearTimeout(fallback);
    // The request's readers get the RequestTimeout error; destroying it destroys the socket.
    if (!req.destroyed) req.destroy(err);
    socket.destroy();
  };
  const fallback = setTimeout(destroy, ANSWER_FLUSH_MS);
  fallback.unref();
  if (res.headersSent || !socket.writable) return destroy();
  socket.write(answer(err, req.url ?? '/'), destroy);
}

function answer(err: SignetError, url: string): Buffer {
  const q = url.indexOf('?');
  const xml = renderS3Error({ code: err.code, message: err.message, resource: q === -1 ? url : url.slice(0, q), requestId: 'SIGNET' });
  const head = `HTTP/1.1 ${err.status} Bad Request\r\ncontent-type: application/xml\r\ncontent-length: ${Buffer.byteLength(xml)}\r\n`
    + `x-amz-request-id: SIGNET\r\nconnection: close\r\n\r\n`;
  return Buffer.from(head + xml, 'utf8');
}
