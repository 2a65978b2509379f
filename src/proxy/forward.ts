import type { Dispatcher } from 'undici';
import { SignetError, toSignetError } from '../errors.js';
import type { PreparedPayload } from '../payload/prepare.js';
import type { ClockSkew } from '../s3/clock-skew.js';
import { clientSafeErrorBody } from '../s3/client-error-body.js';
import { resolveEndpoint } from '../s3/endpoint.js';
import type { Addressing, Upstream } from '../s3/endpoint.js';
import { isRegionName } from '../s3/region-cache.js';
import type { RegionCache } from '../s3/region-cache.js';
import { parseS3Error } from '../s3/s3-error-xml.js';
import type { ParsedS3Error } from '../s3/s3-error-xml.js';
import {
  RETRYABLE_NETWORK_CODES, RETRYABLE_STATUS, SKEW_CODES, THROTTLING_CODES, TRANSIENT_CODES, backoffMs,
} from '../s3/retry-policy.js';
import type { RetryBudget } from '../s3/retry-policy.js';
import { AMZ_CONTENT_SHA256, AMZ_DATE, AMZ_REGION_SET, AMZ_SECURITY_TOKEN, AUTHORIZATION, CONTENT_LENGTH, HOST } from '../sigv4/constants.js';
import { signRequest } from '../sigv4/signer.js';
import { signRequestV4a } from '../sigv4/sigv4a-signer.js';
import type { SignedRequest } from '../sigv4/signer.js';
import type { Credentials } from '../sigv4/types.js';
import { wirePath } from './request-target.js';
import type { RequestContext } from './context.js';
import { exchange } from './upstream-exchange.js';
import type { UpstreamResponse } from './upstream-exchange.js';

/** Error bodies up to this size are read (to learn regions, skew and mismatches) before replying. */
const MAX_ERROR_BODY = 64 * 1024;
const BUCKET_REGION = 'x-amz-bucket-region';

export interface ForwardSettings {
  readonly dispatcher: Dispatcher;
  readonly upstream: Upstream;
  /** Upstream to use for a region other than the configured one (AWS regional endpoints). */
  readonly upstreamForRegion: (region: string) => Upstream;
  readonly region: string;
  readonly service: string;
  /**
   * Sign with SigV4A (AWS4-ECDSA-P256-SHA256) for these regions (`*`: all) instead of SigV4. The
   * upstream is then one endpoint for all the regions (a Multi-Region Access Point): no per-bucket
   * region learning, no regional endpoints. Absent: SigV4, and nothing on its path changes.
   * Set PayloadSettings.sigv4a alike: a streamed body's length depends on the chunk signature width.
   */
  readonly sigv4a?: { readonly regionSet: readonly string[] } | undefined;
  readonly addressing: Addressing;
  readonly credentials: { current(): Credentials };
  readonly clock: ClockSkew;
  readonly regions: RegionCache;
  readonly budget: RetryBudget;
  readonly maxRetries: number;
  readonly onRetry?: (reason: string) => void;
  readonly onRegionRedirect?: () => void;
  /** An upstream answer named a region that is not a region name; it is ignored. */
  readonly onInvalidRegion?: (region: string) => void;
  readonly onSignatureMismatch?: (ctx: RequestContext, signed: SignedRequest, parsed: ParsedS3Error) => void;
  /** Each signature made (wired only at debug level, so it costs nothing otherwise). */
  readonly onSigned?: (ctx: RequestContext, signed: SignedRequest) => void;
}

/** The upstream's answer, headers known; `errorBody` holds a small error body already read. */
export interface UpstreamAnswer {
  readonly response: UpstreamResponse;
  readonly errorBody: Buffer | null;
}

/**
 * Signs and sends, with the S3 self-healing the AWS SDKs do: learn a bucket's region from a
 * redirect and re-sign for it, correct clock skew from the upstream Date, retry throttling, 5xx
 * and connection failures with backoff and a budget. Every retry needs a replayable body; a body
 * already streamed upstream is never sent twice.
 */
export async function forward(ctx: RequestContext, payload: PreparedPayload, s: ForwardSettings): Promise<UpstreamAnswer> {
  let redirected = false;
  let skewCorrected = false;
  for (let attempt = 0; ; attempt++) {
    const region = (ctx.bucket !== '' && s.sigv4a === undefined ? s.regions.get(ctx.bucket) : undefined) ?? s.region;
    const upstream = region === s.region ? s.upstream : s.upstreamForRegion(region);
    const endpoint = resolveEndpoint(upstream, ctx.bucket, s.addressing);
    ctx.region = region;
    // Generic SigV4 services get the normalised path the client sent (service-target.ts).
    const path = ctx.servicePath !== '' ? ctx.servicePath : wirePath(ctx.bucket, ctx.key, endpoint.virtualHosted);
    ctx.path = ctx.queryString === '' ? path : path + '?' + ctx.queryString;
    ctx.trace?.attemptStarted(attempt, region, endpoint.host);

    // The offset this signature used: a skew error is worth a retry only if the clock has moved
    // since, whether this response taught it or a concurrent one did.
    const signedOffset = s.clock.offsetMs;
    const { signed, headers } = sign(ctx, payload, s, region, endpoint.host, path);
    s.onSigned?.(ctx, signed);

    const sentAt = Date.now();
    const started = process.hrtime.bigint();
    let response: UpstreamResponse;
    try {
      response = await exchange(s.dispatcher, {
        origin: endpoint.origin,
        path: ctx.path,
        method: ctx.method as Dispatcher.HttpMethod,
        headers,
        body: payload.body(signed),
      }, ctx.abort);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      ctx.trace?.attemptFailed(ctx.abort.aborted ? 'aborted' : code);
      if (ctx.abort.aborted) throw new SignetError('ClientClosedRequest', 'client went away');
      if (RETRYABLE_NETWORK_CODES.has(code) && (await mayRetry(ctx, payload, s, attempt, false, code))) continue;
      throw toSignetError(err);
    }
    ctx.upstreamSeconds += Number(process.hrtime.bigint() - started) / 1e9;
    const h = response.headers;
    const date = h['date'];
    const age = h['age'];
    s.clock.observe(typeof date === 'string' ? date : undefined, age === undefined ? undefined : String(age), sentAt);
    const bucketRegion = validRegion(h[BUCKET_REGION], s.onInvalidRegion);
    if (ctx.bucket !== '' && bucketRegion !== undefined) s.regions.set(ctx.bucket, bucketRegion);

    const status = response.statusCode;
    if (status < 300 || status === 304) {
      ctx.trace?.attemptAnswered(status, '', h);
      s.budget.refund();
      // An error healed by a retry is not the request's outcome.
      ctx.errorCode = '';
      return { response, errorBody: null };
    }
    const errorBody = await readErrorBody(response);
    // Only S3 speaks S3 error XML; another service's errors pass through (minus any echo of signet's signature).
    const s3Rules = ctx.servicePath === '';
    const parsed = errorBody === null || errorBody.length === 0 || !s3Rules ? null : parseS3Error(errorBody.toString('utf8'));
    const code = parsed?.code ?? '';
    ctx.errorCode = code;
    ctx.trace?.attemptAnswered(status, code, h);
    // Before another attempt, an error body too large to have been read must be let go, or its
    // connection never returns to the pool.
    const release = (): void => {
      if (errorBody === null) response.body.destroy();
    };

    // Wrong region: S3 names the right one in a header or the body.
    const learned = bucketRegion ?? validRegion(parsed?.region, s.onInvalidRegion);
    if (ctx.bucket !== '' && s.sigv4a === undefined && learned !== undefined && learned !== region && !redirected &&
        (status === 301 || status === 307 || status === 400 || code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed')) {
      s.regions.set(ctx.bucket, learned);
      s.onRegionRedirect?.();
      if (payload.replayable) {
        redirected = true;
        retried(ctx, s, 'region');
        release();
        continue;
      }
    }
    // A HEAD error has no body to name RequestTimeTooSkewed; like the AWS SDKs, treat a 403 that
    // came with a clock correction as one.
    const skewed = SKEW_CODES.has(code) || (status === 403 && code === '' && s3Rules);
    if (skewed && s.clock.offsetMs !== signedOffset && !skewCorrected && payload.replayable) {
      skewCorrected = true;
      retried(ctx, s, 'clock-skew');
      release();
      continue;
    }
    if (code === 'SignatureDoesNotMatch' && parsed !== null) s.onSignatureMismatch?.(ctx, signed, parsed);
    const throttled = THROTTLING_CODES.has(code) || status === 429;
    if ((throttled || RETRYABLE_STATUS.has(status) || TRANSIENT_CODES.has(code)) &&
        (await mayRetry(ctx, payload, s, attempt, throttled, throttled ? 'throttled' : String(status)))) {
      release();
      continue;
    }
    if (errorBody === null) return { response, errorBody };
    // What S3 can echo of signet's request: the signature and the session token (never the secret).
    return { response, errorBody: clientSafeErrorBody(errorBody, parsed, [signed.signature, signed.securityToken ?? '']) };
  }
}

/**
 * Signs one attempt and returns the headers to send: the same object the signature was computed
 * over, plus what signing adds — so what is sent is exactly what was signed.
 */
function sign(ctx: RequestContext, payload: PreparedPayload, s: ForwardSettings, region: string, host: string, path: string): { signed: SignedRequest; headers: Record<string, string> } {
  const started = process.hrtime.bigint();
  const headers: Record<string, string> = { ...ctx.headers, ...payload.headers };
  headers[HOST] = host;
  if (payload.contentLength >= 0 && payload.strategy !== 'empty') headers[CONTENT_LENGTH] = String(payload.contentLength);
  const request = { method: ctx.method, path, query: ctx.query, headers };
  const signed = s.sigv4a === undefined
    ? signRequest(request, { credentials: s.credentials.current(), region, service: s.service, date: s.clock.now(), payloadHash: payload.payloadHash, query: ctx.queryString })
    : signRequestV4a(request, {
        credentials: s.credentials.current(), regionSet: s.sigv4a.regionSet, service: s.service, date: s.clock.now(),
        payloadHash: payload.payloadHash, query: ctx.queryString,
      });
  if (signed.regionSet !== undefined) headers[AMZ_REGION_SET] = signed.regionSet;
  headers[AMZ_DATE] = signed.amzDate;
  headers[AMZ_CONTENT_SHA256] = signed.payloadHash;
  if (signed.securityToken !== undefined) headers[AMZ_SECURITY_TOKEN] = signed.securityToken;
  headers[AUTHORIZATION] = signed.authorization;
  ctx.signingSeconds += Number(process.hrtime.bigint() - started) / 1e9;
  return { signed, headers };
}

/** Another attempt follows: counted on the request, in the metrics and on its trace. */
function retried(ctx: RequestContext, s: ForwardSettings, reason: string): void {
  ctx.retries++;
  s.onRetry?.(reason);
  ctx.trace?.retrying(reason);
}

async function mayRetry(ctx: RequestContext, payload: PreparedPayload, s: ForwardSettings, attempt: number, throttled: boolean, reason: string): Promise<boolean> {
  if (!payload.replayable || attempt >= s.maxRetries || ctx.abort.aborted) return false;
  if (!s.budget.tryAcquire(throttled ? 5 : 10)) return false;
  retried(ctx, s, reason);
  await ctx.abort.sleep(backoffMs(attempt, throttled));
  return !ctx.abort.aborted;
}

async function readErrorBody(response: UpstreamResponse): Promise<Buffer | null> {
  const length = Number(response.headers[CONTENT_LENGTH] ?? -1);
  if (length > MAX_ERROR_BODY) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > MAX_ERROR_BODY) {
      // Not an S3 error document: pass what we have through untouched.
      response.body.destroy();
      return Buffer.concat(chunks);
    }
  }
  return Buffer.concat(chunks);
}

/** A region from an upstream answer, or undefined when absent or not a region name. */
function validRegion(value: unknown, onInvalid: ((region: string) => void) | undefined): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (isRegionName(value)) return value;
  onInvalid?.(value);
  return undefined;
}
