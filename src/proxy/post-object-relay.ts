import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import type { Logger } from 'pino';
import { SignetError, toSignetError } from '../errors.js';
import type { MintedPolicies } from '../presign/minted-policies.js';
import { resolveEndpoint } from '../s3/endpoint.js';
import { CONTENT_LENGTH, HOST } from '../sigv4/constants.js';
import type { RequestContext } from './context.js';
import { wirePath } from './request-target.js';
import { relayAnswer } from './respond.js';
import { exchange } from './upstream-exchange.js';
import type { UpstreamResponse } from './upstream-exchange.js';

/** Fields before the file larger than this are not a browser form (S3 allows ~20 KB). */
const MAX_FORM_PREFIX = 64 * 1024;
const FORM = /^multipart\/form-data\s*;/i;

/** The upstream, its pool and its bucket regions come from the request's route (ctx.route). */
export interface PostObjectRelaySettings {
  /** Gateway mode: only forms whose policy signet minted (for a client it verified) go through. */
  readonly minted: MintedPolicies | null;
  readonly logger: Logger;
}

/** A browser upload: POST to a bucket, multipart/form-data (S3 POST Object). */
export function isPostObjectForm(ctx: RequestContext): boolean {
  return ctx.operation === 'PostObject' && FORM.test(ctx.headers['content-type'] ?? '');
}

interface FormPrefix {
  readonly chunks: Buffer[];
  readonly fields: ReadonlyMap<string, string>;
}

/**
 * Reads the form up to the file part, keeping every byte read so the body can be sent on
 * unchanged: S3 takes the fields before the file, so the policy and its signature are there.
 */
function readFormPrefix(req: IncomingMessage): Promise<FormPrefix> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const fields = new Map<string, string>();
    let size = 0;
    let done = false;
    const finish = (err: SignetError | null): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      if (err === null) resolve({ chunks, fields });
      else reject(err);
    };
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = new Busboy({ headers: req.headers as { 'content-type': string }, isPartAFile: (name) => name === 'file', limits: { fieldSize: MAX_FORM_PREFIX } });
    } catch {
      reject(new SignetError('MalformedPOSTRequest', 'form: no boundary'));
      return;
    }
    bb.on('field', (name, value) => {
      fields.set(name.toLowerCase(), value);
    });
    bb.on('file', (_name, stream) => {
      stream.resume();
      finish(null);
    });
    bb.on('error', () => finish(new SignetError('MalformedPOSTRequest', 'form: malformed multipart')));
    bb.on('finish', () => finish(new SignetError('MalformedPOSTRequest', 'form: no file field')));
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_FORM_PREFIX && !done) {
        finish(new SignetError('MalformedPOSTRequest', 'form: fields before the file exceed 64 KiB'));
        return;
      }
      bb.write(chunk);
    };
    const onEnd = (): void => {
      bb.end();
    };
    req.on('data', onData);
    req.on('end', onEnd);
  });
}

/** The form's bytes: what was read to check it, then the rest of the request as it arrives. */
async function* replay(prefix: readonly Buffer[], req: IncomingMessage): AsyncGenerator<Buffer> {
  for (const chunk of prefix) yield chunk;
  for await (const chunk of req as AsyncIterable<Buffer>) yield chunk;
}

/**
 * POST Object through the proxy. The form carries its own authentication (a policy signed with
 * the upstream identity), so signet neither signs nor alters it: the body goes upstream byte for
 * byte as it streams in, and S3's answer comes back as it is. In gateway mode the policy must be
 * one this signet minted, unexpired, and only then is the body let through.
 */
export function postObjectRelay(s: PostObjectRelaySettings): (ctx: RequestContext) => Promise<void> {
  return async (ctx) => {
    const req = ctx.req;
    const length = req.headers[CONTENT_LENGTH];
    if (length === undefined || !/^\d{1,16}$/.test(length)) throw new SignetError('MissingContentLength', 'POST Object without Content-Length');
    ctx.bytesIn = Number(length);
    ctx.strategy = 'unsigned';
    if (req.headers.expect?.toLowerCase() === '100-continue') ctx.res.writeContinue();
    let body: Readable = req;
    if (s.minted !== null) {
      const form = await readFormPrefix(req);
      const minted = s.minted.lookup(form.fields.get('policy') ?? '', form.fields.get('x-amz-signature') ?? '', Date.now());
      if (minted === undefined) throw new SignetError('AccessDenied', 'POST Object: policy not minted by this gateway, or expired');
      s.logger.info({ reqId: ctx.id, client: minted.client, bucket: ctx.bucket }, 'POST Object with a policy minted for this client');
      body = Readable.from(replay(form.chunks, req), { objectMode: false });
    }
    const route = ctx.route;
    if (route === null) throw new SignetError('NoSuchRoute', 'POST Object without a route');
    const s3 = route.forward;
    const region = s3.regions.get(ctx.bucket) ?? s3.region;
    const upstream = region === s3.region ? s3.upstream : s3.upstreamForRegion(region);
    const endpoint = resolveEndpoint(upstream, ctx.bucket, s3.addressing);
    ctx.region = region;
    ctx.path = wirePath(ctx.bucket, '', endpoint.virtualHosted);
    const headers: Record<string, string> = { ...ctx.headers, [HOST]: endpoint.host, [CONTENT_LENGTH]: length };
    const started = process.hrtime.bigint();
    let response: UpstreamResponse;
    try {
      response = await exchange(s3.dispatcher, { origin: endpoint.origin, path: ctx.path, method: 'POST', headers, body }, ctx.abort);
    } catch (err) {
      if (ctx.abort.aborted) throw new SignetError('ClientClosedRequest', 'client went away');
      throw toSignetError(err);
    }
    ctx.upstreamSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    // S3's answer as it is, through the same path as every other answer.
    const relaying = relayAnswer(ctx, { response, errorBody: null });
    if (relaying !== undefined) await relaying;
  };
}
