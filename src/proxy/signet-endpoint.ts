import type { Logger } from 'pino';
import { parseDuration, parseSize } from '../config/units.js';
import { SignetError } from '../errors.js';
import { mintPostPolicy } from '../presign/post-policy.js';
import type { PostChecksumAlgorithm, PostPolicyRequest } from '../presign/post-policy.js';
import type { MintedPolicies } from '../presign/minted-policies.js';
import { parsePresignMethod } from '../presign/presign-spec.js';
import { presignUrl } from '../presign/presign-url.js';
import type { Route } from '../route/route.js';
import type { RouteTable } from '../route/route-table.js';
import { s3Operation } from '../s3/operation.js';
import { checkPolicy, versionIdOf } from './client-policy.js';
import type { ClientPolicy } from './client-policy.js';
import type { ClientGrant } from './client-grant.js';
import type { RequestContext } from './context.js';
import { checkRoutePolicy } from './route-policy.js';
import { endpointParams, isLoopback, record, requiredText, text } from './endpoint-request.js';
import type { EndpointParams } from './endpoint-request.js';

/** The path prefix no bucket can have (S3 bucket names never start with '_'). */
export const RESERVED_BUCKET = '_signet';
const DEFAULT_EXPIRES_SECONDS = 3600;
/** Parameters of /_signet/presign that are not signed query parameters of the URL. */
const PRESIGN_OWN = new Set(['method', 'bucket', 'key', 'expires', 'header', 'headers', 'query']);

export interface EndpointSettings {
  /** The routes: a presigned URL or form is signed by the route the bucket's requests take. */
  readonly routes: { current(): RouteTable };
  /** Gateway mode: the inbound verification; the endpoint then requires a signed client. */
  readonly admit?: ((ctx: RequestContext) => ClientGrant) | undefined;
  readonly minted: MintedPolicies;
  readonly logger: Logger;
  /** HTML served at /_signet/demo (signet demo only). */
  readonly demoPage?: string | undefined;
}

function bad(message: string): never {
  throw new SignetError('InvalidArgument', message, message);
}

function expires(p: EndpointParams): number {
  const v = text(p, 'expires');
  if (v === undefined) return DEFAULT_EXPIRES_SECONDS;
  const ms = parseDuration(v);
  if (ms === undefined || ms < 1000) bad(`expires: ${JSON.stringify(v)} is not a duration of at least 1s (900, 15m, 1h)`);
  return Math.floor(ms / 1000);
}

function size(p: EndpointParams, name: string): number | undefined {
  const v = text(p, name);
  if (v === undefined) return undefined;
  const n = parseSize(v);
  if (n === undefined) bad(`${name}: ${JSON.stringify(v)} is not a size (1048576, 10MiB)`);
  return n;
}


/**
 * Who may mint: in gateway mode a client signed with an inbound key (the same verification as any
 * proxied call); in sidecar mode only loopback, where the app beside signet is already trusted
 * with everything signet signs.
 */
function authorise(ctx: RequestContext, s: EndpointSettings): string {
  if (s.admit !== undefined) {
    return s.admit(ctx).accessKeyId;
  }
  if (!isLoopback(ctx.req.socket.remoteAddress)) throw new SignetError('AccessDenied', 'endpoint: not loopback and no inbound keys');
  return 'loopback';
}

/** The route a presign for this bucket signs with: S3 routes only, and one the client's policy names. */
function routeFor(ctx: RequestContext, s: EndpointSettings, p: EndpointParams): Route {
  const bucket = requiredText(p, 'bucket');
  const route = s.routes.current().forBucket(ctx.req.headers.host ?? '', bucket);
  if (route === null) throw new SignetError('NoSuchRoute', 'endpoint: no route for the bucket');
  if (route.generic) bad(`bucket ${JSON.stringify(bucket.slice(0, 64))} is served by route ${route.name}, which is not S3: nothing to presign`);
  if (ctx.clientPolicy !== null) checkRoutePolicy(ctx.clientPolicy, route);
  ctx.route = route;
  return route;
}

function presignAnswer(p: EndpointParams, route: Route): unknown {
  const query: Array<[string, string]> = Object.entries(record(p, 'query', '='));
  // GET form: the URL's own query parameters (uploadId, partNumber, response-*…) ride along flat.
  for (const [name, value] of Object.entries(p)) {
    if (PRESIGN_OWN.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'string' && typeof v !== 'number') bad(`${name} must be a string`);
      query.push([name, String(v)]);
    }
  }
  const r = presignUrl({
    method: parsePresignMethod(text(p, 'method') ?? 'GET'), bucket: requiredText(p, 'bucket'), key: text(p, 'key') ?? '',
    query, headers: { ...record(p, 'header', ':'), ...record(p, 'headers', ':') }, upstream: route.forward.upstream, addressing: route.forward.addressing,
    region: route.forward.region, service: route.forward.service, sigv4a: route.forward.sigv4a, credentials: route.credentials.current(), now: route.now(), expiresSeconds: expires(p),
  });
  return { url: r.url, method: r.method, headers: r.headers, expiresSeconds: r.expiresSeconds, expiresAt: r.expiresAt };
}

function postRequest(p: EndpointParams): PostPolicyRequest {
  const key = text(p, 'key');
  const prefix = text(p, 'prefix');
  if ((key === undefined) === (prefix === undefined)) bad('name exactly one of key (one object) or prefix (any key under it)');
  const opt = <K extends keyof PostPolicyRequest>(k: K, v: PostPolicyRequest[K] | undefined): Partial<PostPolicyRequest> => (v === undefined ? {} : { [k]: v });
  const metadata = record(p, 'metadata', ':');
  return {
    bucket: requiredText(p, 'bucket'), key: key ?? prefix ?? '', prefix: prefix !== undefined, expiresSeconds: expires(p),
    ...opt('minSize', size(p, 'minSize')), ...opt('maxSize', size(p, 'maxSize')),
    ...opt('contentTypePrefix', text(p, 'contentType')), ...opt('acl', text(p, 'acl')),
    ...opt('successActionStatus', text(p, 'successActionStatus') as PostPolicyRequest['successActionStatus']),
    ...opt('successActionRedirect', text(p, 'successActionRedirect')),
    ...opt('checksumAlgorithm', text(p, 'checksumAlgorithm')?.toUpperCase() as PostChecksumAlgorithm | undefined),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

function postAnswer(p: EndpointParams, s: EndpointSettings, route: Route, client: string): unknown {
  const policy = mintPostPolicy({
    ...postRequest(p), upstream: route.forward.upstream, addressing: route.forward.addressing, region: route.forward.region,
    service: route.forward.service, credentials: route.credentials.current(), now: route.now(),
  });
  s.minted.record(policy.fields['policy']!, policy.fields['x-amz-signature']!, { client, expiresAt: Date.parse(policy.expiresAt) }, Date.now());
  return { url: policy.url, fields: policy.fields, expiresAt: policy.expiresAt };
}

/**
 * A client with a policy mints only what it could do itself: a presigned URL is checked as the
 * request it presigns; a form upload as PutObject of its key, or of its prefix, which the key
 * patterns must allow as a whole (`uploads/*` allows the prefix `uploads/`).
 */
function checkMinted(policy: ClientPolicy, route: string, p: EndpointParams): void {
  const bucket = requiredText(p, 'bucket');
  if (route === 'presign-post') {
    checkPolicy(policy, { operation: 'PutObject', bucket, key: text(p, 'key') ?? text(p, 'prefix') ?? '', copySource: '', anyKey: true });
    return;
  }
  const key = text(p, 'key') ?? '';
  const query: Array<[string, string]> = Object.entries(record(p, 'query', '='));
  for (const [name, value] of Object.entries(p)) if (!PRESIGN_OWN.has(name) && typeof value === 'string') query.push([name, value]);
  const headers = Object.fromEntries(Object.entries({ ...record(p, 'header', ':'), ...record(p, 'headers', ':') }).map(([n, v]) => [n.toLowerCase(), v]));
  const method = parsePresignMethod(text(p, 'method') ?? 'GET');
  checkPolicy(policy, { operation: s3Operation(method, true, key !== '', query, headers), bucket, key, copySource: headers['x-amz-copy-source'] ?? '', versionId: versionIdOf(query) });
}

function sendJson(ctx: RequestContext, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  // The answer carries a session token and signatures: never cached anywhere on the way.
  ctx.res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), 'cache-control': 'no-store', 'x-amz-request-id': ctx.id });
  ctx.res.end(body);
  ctx.status = status;
  ctx.bytesOut = body.length;
}

/**
 * signet's own calls on the proxy listener, under /_signet/: `presign` (a presigned URL for any
 * call signet presigns) and `presign-post` (the url and fields of a browser upload), GET with
 * query parameters or POST with a JSON object; `demo` serves the demo page when there is one.
 */
export function signetEndpoint(s: EndpointSettings): (ctx: RequestContext) => Promise<void> {
  return async (ctx) => {
    ctx.operation = 'Other';
    const route = ctx.key;
    if (route === 'demo' && s.demoPage !== undefined && ctx.method === 'GET') {
      const body = Buffer.from(s.demoPage, 'utf8');
      ctx.res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length), 'cache-control': 'no-store' });
      ctx.res.end(body);
      ctx.status = 200;
      ctx.bytesOut = body.length;
      return;
    }
    if (route !== 'presign' && route !== 'presign-post') throw new SignetError('NoSuchEndpoint', `no endpoint /${RESERVED_BUCKET}/${route.slice(0, 32)}`);
    const client = authorise(ctx, s);
    if (ctx.req.headers.expect?.toLowerCase() === '100-continue') ctx.res.writeContinue();
    const params = await endpointParams(ctx.req, ctx.query, s.admit !== undefined);
    if (ctx.clientPolicy !== null) checkMinted(ctx.clientPolicy, route, params);
    const signer = routeFor(ctx, s, params);
    const answer = route === 'presign' ? presignAnswer(params, signer) : postAnswer(params, s, signer, client);
    s.logger.info({ reqId: ctx.id, endpoint: route, client, bucket: params['bucket'], method: params['method'] ?? (route === 'presign' ? 'GET' : 'POST') }, 'minted');
    sendJson(ctx, 200, answer);
  };
}
