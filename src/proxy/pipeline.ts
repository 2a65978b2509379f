import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { AccessLog } from '../observability/access-log.js';
import type { Tracer } from '../observability/request-trace.js';
import { S3_ERRORS, SignetError, toSignetError } from '../errors.js';
import { preparePayload } from '../payload/prepare.js';
import type { PreparedPayload } from '../payload/prepare.js';
import type { RouteTable } from '../route/route-table.js';
import { CONTENT_ENCODING } from '../sigv4/constants.js';
import { bindToGrant } from './client-grant.js';
import type { ClientGrant } from './client-grant.js';
import { RequestContext } from './context.js';
import { deleteObjectsCheck } from './delete-objects-check.js';
import { forward } from './forward.js';
import type { UpstreamAnswer } from './forward.js';
import { readInboundHeaders } from './inbound-headers.js';
import { cutOutcome } from './connection-cut.js';
import { closeAfterResponse } from './lingering-close.js';
import { checkLoopbackClient } from './loopback-guard.js';
import { onSocketClose } from './socket-close.js';
import { bucketFromHost } from './request-target.js';
import { readTarget } from './route-target.js';
import { clientGone, relayAnswer, sendS3Error } from './respond.js';

/** What the pipeline reports per request; metrics and logs hang off it. */
export interface PipelineObserver {
  started(): void;
  finished(ctx: RequestContext, durationSeconds: number): void;
}

export interface PipelineSettings {
  /** Where requests go and as whom, one route each; read per request through `current()` so a reload can swap it. */
  readonly routes: { current(): RouteTable };
  /** Host suffixes under which a client names the bucket in the Host header. */
  readonly virtualHostSuffixes: readonly string[];
  readonly logger: Logger;
  /** The one-line-per-request access log. */
  readonly accessLog: AccessLog;
  readonly observer?: PipelineObserver;
  /** Sidecar on loopback: refuse what a browser sends from another site or under a rebound Host (loopback-guard.ts). */
  readonly loopbackGuard?: boolean;
  /** Client authentication and policy (gateway mode); throws a SignetError to refuse. */
  readonly admit?: (ctx: RequestContext) => ClientGrant;
  /** Requests answered or relayed without signing: /_signet/ endpoints, browser form uploads (side-routes.ts). */
  readonly sideRoute?: (ctx: RequestContext) => ((ctx: RequestContext) => Promise<void>) | null;
  /** OpenTelemetry tracing; absent when off, and then no request pays for it. */
  readonly tracer?: Tracer;
}

// Request ids look like S3's (16 upper-case hex chars): a random per-process prefix and a
// counter, so the hot path does not call into the CSPRNG for an id that needs no secrecy.
const ID_PREFIX = randomBytes(4).toString('hex').toUpperCase();
let idCounter = 0;
function requestId(): string {
  idCounter = (idCounter + 1) >>> 0;
  return ID_PREFIX + idCounter.toString(16).toUpperCase().padStart(8, '0');
}

/**
 * One request, top to bottom: admit, target, payload, sign + forward, respond. Each stage is a
 * plain call on the context; a stage that refuses throws a SignetError, and `sendS3Error` is the
 * only way out for it.
 */
export async function handleRequest(req: IncomingMessage, res: ServerResponse, s: PipelineSettings, release?: () => void): Promise<void> {
  const ctx = new RequestContext(requestId(), req, res);
  if (s.tracer !== undefined) ctx.trace = s.tracer.startRequest(req, ctx.id);
  s.observer?.started();
  // The request is over for the client when its response closes — or, for a pipelined request
  // queued behind another response, when its socket does (Node drops the queue with the socket,
  // and that response never closes). A client that goes away before its response is complete
  // aborts the upstream request (and any backoff) at once. One watcher for both, kept past the
  // handler's end: the listener's slot (`release`) goes back only when the client is done.
  let over = false;
  const onOver = (): void => {
    if (over) return;
    over = true;
    stopWaiting();
    if (!res.writableFinished) ctx.abort.abort();
    release?.();
  };
  res.on('close', onOver);
  const stopWaiting = onSocketClose(req.socket, onOver);
  let payload: PreparedPayload | null = null;
  let answer: UpstreamAnswer | null = null;
  try {
    // target
    let inbound = readInboundHeaders(req.rawHeaders);
    ctx.headers = inbound.forward;
    ctx.hostBucket = bucketFromHost(inbound.host, s.virtualHostSuffixes);
    readTarget(ctx, s.routes.current(), inbound.host);
    if (Number.isNaN(inbound.contentLength)) throw new SignetError('InvalidArgument', 'Content-Length is not a number');
    if (inbound.duplicateHost) throw new SignetError('InvalidArgument', 'more than one Host header');
    if (inbound.unsupportedTransferEncoding) throw new SignetError('NotImplemented', 'only Transfer-Encoding: chunked is supported');
    if (s.loopbackGuard === true) checkLoopbackClient(inbound.host, req.rawHeaders, s.virtualHostSuffixes);
    if (inbound.connectionDropsMeaning) {
      throw new SignetError('InvalidArgument', 'Connection names a header S3 gives meaning to', 'The Connection header names a header that changes what S3 does with the request; send it end to end instead.');
    }
    const side = s.sideRoute?.(ctx) ?? null;
    if (side !== null) return await side(ctx);
    // admit: client auth and policy come first, and the credentials must be there before the
    // client is invited to send its body (Expect: 100-continue).
    const grant = s.admit?.(ctx);
    if (grant !== undefined) {
      // Gateway mode: from here on, only what the client's signature covered.
      inbound = bindToGrant(grant, ctx.method, req.rawHeaders, inbound);
      ctx.headers = inbound.forward;
    }
    // Past the side routes, every request has its route (readTarget answered 404 otherwise).
    const route = ctx.route;
    if (route === null) throw new SignetError('NoSuchEndpoint', 'reserved path without an endpoint');
    route.credentials.current();
    // Unknown length or over --multipart-threshold: the multipart module reads, sends and answers.
    if (route.multipart?.applies(ctx, inbound) === true) {
      await route.multipart.upload(ctx, inbound);
      return;
    }
    // DeleteObjects names its keys in the body: under a key policy they are read and checked first.
    const deleteCheck = deleteObjectsCheck(ctx, inbound);
    if (inbound.expectContinue) res.writeContinue();
    // payload
    ctx.trace?.bodyStarted();
    const checkedBody = deleteCheck === null ? null : await deleteCheck();
    if (checkedBody !== null) inbound = { ...inbound, contentLength: checkedBody.length, chunked: false };
    const prepared = preparePayload(checkedBody === null ? req : Readable.from([checkedBody], { objectMode: false }), {
      contentLength: inbound.contentLength,
      chunked: inbound.chunked,
      clientPayloadHash: inbound.clientPayloadHash,
      contentEncoding: inbound.forward[CONTENT_ENCODING] ?? '',
      decodedContentLength: inbound.decodedContentLength,
      trailer: inbound.trailer,
      clientSigning: ctx.grant?.chunkSigning ?? null,
    }, route.payload);
    payload = prepared instanceof Promise ? await prepared : prepared;
    ctx.strategy = payload.strategy;
    ctx.trace?.bodyRead(payload.strategy, payload.contentLength);
    // What the client sent: its Content-Length, or what was spooled when it sent none.
    ctx.bytesIn = inbound.contentLength >= 0 ? inbound.contentLength : payload.strategy === 'empty' ? 0 : payload.contentLength;
    delete ctx.headers[CONTENT_ENCODING];
    // sign + forward
    answer = await forward(ctx, payload, route.forward);
    // The upstream refused before it had the whole body (a wrong SSE-C key, an auth or policy
    // error): stop sending it, and let the client's answer not wait on the rest of its body.
    if (!req.complete && answer.response.statusCode >= 300) {
      payload.abandon();
      closeAfterResponse(req, res);
    }
    // S3 has the body (no retry can need it any more): drop the spool before the client hears
    // back, so a finished request never leaves a temp file behind, even for a moment.
    const disposing = payload.dispose();
    if (disposing !== undefined) await disposing;
    const responding = relayAnswer(ctx, answer);
    if (responding !== undefined) await responding;
  } catch (err) {
    // Whatever broke after the client hung up (its body cut short, the upstream request aborted
    // on its behalf) broke because it hung up: one outcome, 499, and no one to answer.
    const cut = cutOutcome(req.socket as Socket | null);
    if (cut === undefined && clientGone(ctx, err)) {
      ctx.errorCode = 'ClientClosedRequest';
      ctx.status = S3_ERRORS.ClientClosedRequest.status;
      payload?.abandon();
      if (!res.destroyed) res.destroy();
      return;
    }
    const e = cut ?? toSignetError(err);
    if (cut !== undefined) ctx.errorCode = e.code;
    else ctx.errorCode ||= e.code;
    ctx.status = e.status;
    if (e.code === 'InternalError') s.logger.error({ reqId: ctx.id, err: e.reason }, 'internal error');
    else if (e.message === S3_ERRORS.SpoolUnavailable.message) s.logger.warn({ reqId: ctx.id, err: e.reason }, 'cannot spool a request body: check --spool-dir');
    const bodyUnread = !req.complete;
    if (bodyUnread) {
      payload?.abandon();
      closeAfterResponse(req, res);
    }
    if (cut === undefined) sendS3Error(res, e, ctx.bucket === '' ? '/' : `/${ctx.bucket}/${ctx.key}`, ctx.id, bodyUnread);
  } finally {
    // An answer whose body was never read (a failure between forward and respond) would hold its
    // upstream connection until undici's body timeout: let it go (a no-op once the body has ended).
    answer?.response.body.destroy();
    const disposing = payload?.dispose();
    if (disposing !== undefined) await disposing;
    finish(ctx, s);
  }
}

function finish(ctx: RequestContext, s: PipelineSettings): void {
  // Every path ends here (answered, refused, failed, 499): the client's in-flight slot goes back.
  ctx.limiter?.release();
  ctx.limiter = null;
  const seconds = Number(process.hrtime.bigint() - ctx.startedAt) / 1e9;
  s.observer?.finished(ctx, seconds);
  ctx.trace?.end(ctx);
  s.accessLog.request({
    reqId: ctx.id,
    method: ctx.method,
    bucket: ctx.bucket,
    op: ctx.operation,
    status: ctx.status,
    bytesIn: ctx.bytesIn,
    bytesOut: ctx.bytesOut,
    ms: Math.round(seconds * 1e4) / 10,
    upstreamMs: Math.round(ctx.upstreamSeconds * 1e4) / 10,
    payload: ctx.strategy,
    retries: ctx.retries,
    region: ctx.region,
    error: ctx.errorCode,
    s3RequestId: ctx.s3RequestId,
    s3Id2: ctx.s3Id2,
    traceId: ctx.trace?.traceId ?? '',
    client: ctx.clientName,
    route: ctx.routeName,
  });
}
