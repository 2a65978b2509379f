import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignetError } from '../errors.js';
import type { PreparedPayload } from '../payload/prepare.js';
import type { Strategy } from '../payload/strategy.js';
import { RequestContext } from '../proxy/context.js';
import { forward } from '../proxy/forward.js';
import type { ForwardSettings } from '../proxy/forward.js';
import { RequestAbort } from '../proxy/request-abort.js';
import { canonicalQuery } from '../sigv4/canonical-query.js';
import { EMPTY_SHA256 } from '../sigv4/constants.js';

/** One call of a multipart upload, as forward() sends it. */
export interface S3Call {
  readonly method: 'PUT' | 'POST' | 'DELETE';
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly headers: Readonly<Record<string, string>>;
  /** The body and its hex SHA-256 (the signature's payload hash); null for none. */
  readonly body: { readonly bytes: Buffer; readonly sha256: string } | null;
  /** Cancels the call (and its retries). */
  readonly abort: RequestAbort;
}

export interface S3Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The response body (XML answers are small; a part's answer has none). */
  readonly body: Buffer;
}

/**
 * An upstream answer that is not a success: carried back to the client as it came (status, the
 * S3 error document), because S3's own words (AccessDenied, PreconditionFailed, EntityTooSmall…)
 * say more than any translation.
 */
export class UpstreamRefusal extends Error {
  constructor(readonly answer: S3Answer, readonly code: string) {
    super(`upstream answered ${answer.status} ${code}`);
    this.name = 'UpstreamRefusal';
  }
}

const MAX_ANSWER = 1024 * 1024;

export function hashed(bytes: Buffer): { bytes: Buffer; sha256: string } {
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Sends one call through forward(), so it gets what every request gets: region learning, clock
 * skew correction, and retries with backoff and the shared budget (the body is a buffer, so it
 * can be sent again). The call runs on a context of its own; its timings and retries are added to
 * the client's request.
 */
export async function callS3(parent: RequestContext, s: ForwardSettings, call: S3Call, strategy: Strategy): Promise<S3Answer> {
  const ctx = new RequestContext(parent.id, parent.req, parent.res);
  ctx.method = call.method;
  ctx.bucket = parent.bucket;
  ctx.key = parent.key;
  ctx.operation = parent.operation;
  ctx.query = call.query;
  ctx.queryString = canonicalQuery(call.query);
  ctx.headers = { ...call.headers };
  const onAbort = (): void => ctx.abort.abort();
  if (call.abort.aborted) ctx.abort.abort();
  else call.abort.once('abort', onAbort);
  const body = call.body;
  const payload: PreparedPayload = {
    strategy: body === null ? 'empty' : strategy,
    payloadHash: body === null ? EMPTY_SHA256 : body.sha256,
    contentLength: body === null ? 0 : body.bytes.length,
    headers: {},
    replayable: true,
    body: () => body?.bytes ?? null,
    abandon: () => undefined,
    dispose: async () => undefined,
  };
  try {
    const { response, errorBody } = await forward(ctx, payload, s);
    if (response.statusCode >= 300) {
      if (errorBody === null) response.body.destroy();
      const answer = { status: response.statusCode, headers: response.headers, body: errorBody ?? Buffer.alloc(0) };
      throw new UpstreamRefusal(answer, ctx.errorCode || String(response.statusCode));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_ANSWER) {
        response.body.destroy();
        throw new SignetError('BadGateway', 'multipart: upstream answer too large');
      }
      chunks.push(chunk as Buffer);
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
  } finally {
    call.abort.off('abort', onAbort);
    parent.upstreamSeconds += ctx.upstreamSeconds;
    parent.signingSeconds += ctx.signingSeconds;
    parent.retries += ctx.retries;
    parent.region = ctx.region;
    if (ctx.s3RequestId !== '') parent.s3RequestId = ctx.s3RequestId;
  }
}

/** A RequestAbort that fires after `ms` (for the AbortMultipartUpload that must not hang shutdown). */
export function abortAfter(ms: number): { abort: RequestAbort; clear(): void } {
  const abort = new RequestAbort();
  const timer = setTimeout(() => abort.abort(), ms);
  timer.unref();
  return { abort, clear: () => clearTimeout(timer) };
}
