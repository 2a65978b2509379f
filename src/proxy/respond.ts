import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SignetError } from '../errors.js';
import { renderS3Error } from '../s3/s3-error-xml.js';
import { CONTENT_LENGTH } from '../sigv4/constants.js';
import type { RequestContext } from './context.js';
import type { UpstreamAnswer } from './forward.js';
import type { UpstreamBody, UpstreamResponse } from './upstream-exchange.js';

/**
 * The only place an error becomes a client response: S3-style XML with the right status. When
 * the response has already started, the socket is destroyed instead, so the client sees a
 * failed transfer and never a truncated 200.
 */
export function sendS3Error(res: ServerResponse, err: SignetError, resource: string, requestId: string, bodyUnread: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const xml = renderS3Error({ code: err.code, message: err.message, resource, requestId, ...(err.details === undefined ? {} : { extra: err.details }) });
  const headers: Record<string, string | number> = {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amz-request-id': requestId,
  };
  // A body we never read would desynchronise keep-alive; close the connection after this reply.
  if (bodyUnread) headers['connection'] = 'close';
  if (err.code === 'SlowDown' || err.code === 'ServiceUnavailable') headers['retry-after'] = String(err.retryAfter);
  res.writeHead(err.status, headers);
  res.end(res.req?.method === 'HEAD' ? undefined : xml);
}

// Response headers that belong to the upstream hop only.
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/** Copies upstream response headers for the client, hop-by-hop ones left out. */
export function responseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The upstream's answer to the client (a signed request's, or a relayed browser form's). Returns a
 * promise only while the body is still arriving: a small answer has usually come whole with its
 * head, and is written out at once. A body cut mid-way destroys the client's connection (its status
 * line is gone) and rejects; a client that went away rejects with what clientGone() recognises.
 */
export function relayAnswer(ctx: RequestContext, answer: UpstreamAnswer): Promise<void> | undefined {
  const { response, errorBody } = answer;
  const res = ctx.res;
  const headers = responseHeaders(response.headers);
  ctx.status = response.statusCode;
  const id = response.headers['x-amz-request-id'];
  if (typeof id === 'string') ctx.s3RequestId = id;
  const id2 = response.headers['x-amz-id-2'];
  if (typeof id2 === 'string') ctx.s3Id2 = id2;
  if (errorBody !== null) {
    headers[CONTENT_LENGTH] = String(errorBody.length);
    res.writeHead(response.statusCode, headers);
    res.end(ctx.method === 'HEAD' ? undefined : errorBody);
    ctx.bytesOut = errorBody.length;
    return undefined;
  }
  const trailerNames = response.headers['trailer'];
  if (typeof trailerNames === 'string') headers['trailer'] = trailerNames;
  res.writeHead(response.statusCode, headers);
  // Already whole (at most the exchange's 64 KiB queue and one chunk): no pipe, no waiting for drain.
  const whole = response.body.takeComplete();
  if (whole === null) return streamThenEnd(ctx, response, res, trailerNames);
  for (const chunk of whole) {
    ctx.bytesOut += chunk.length;
    res.write(chunk);
  }
  endResponse(response, res, trailerNames);
  return undefined;
}

async function streamThenEnd(ctx: RequestContext, response: UpstreamResponse, res: ServerResponse, trailerNames: unknown): Promise<void> {
  try {
    await streamBody(ctx, response.body, res);
  } catch (err) {
    if (clientGone(ctx, err)) throw err;
    // Mid-body failure: the status line is gone; destroying the socket is the only honest signal.
    ctx.connectionCut = true;
    res.destroy();
    throw err;
  }
  endResponse(response, res, trailerNames);
}

function endResponse(response: UpstreamResponse, res: ServerResponse, trailerNames: unknown): void {
  if (typeof trailerNames === 'string' && Object.keys(response.trailers).length > 0) res.addTrailers(response.trailers as Record<string, string>);
  res.end();
}

/**
 * Upstream body → client with backpressure: each chunk from undici's parser is written to the
 * client's socket as it comes (upstream-exchange.ts); a full socket pauses the upstream one until
 * it drains. The client going away is heard through the request's abort (the pipeline's close
 * watcher fires it): the exchange aborts the upstream request on it while the body is arriving,
 * and this lets go of a body already wholly arrived but still waiting for a slow client.
 */
function streamBody(ctx: RequestContext, body: UpstreamBody, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => body.resume();
    const onClientGone = (): void => {
      const err = new SignetError('ClientClosedRequest', 'client went away');
      body.destroy(err);
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      res.off('drain', onDrain);
      ctx.abort.off('abort', onClientGone);
    };
    if (ctx.abort.aborted) return onClientGone();
    ctx.abort.on('abort', onClientGone);
    res.on('drain', onDrain);
    body.consume({
      data(chunk: Buffer): boolean {
        ctx.bytesOut += chunk.length;
        return res.write(chunk);
      },
      end(): void {
        cleanup();
        resolve();
      },
      error(err: Error): void {
        cleanup();
        reject(err);
      },
    });
  });
}

/**
 * The client hung up before its response was complete: its connection closed (ctx.abort fires on
 * that), or its socket is already destroyed when the error arrives (the request stream's
 * ECONNRESET "aborted" can come before the response's close) and signet did not cut it itself.
 */
export function clientGone(ctx: RequestContext, err: unknown): boolean {
  if (err instanceof SignetError && err.code === 'ClientClosedRequest') return true;
  if (ctx.connectionCut) return false;
  return ctx.abort.aborted || (ctx.req.socket as Socket | null)?.destroyed === true;
}
