import { SignetError } from '../errors.js';
import { afterPrefix } from '../route/route-match.js';
import type { RouteTable } from '../route/route-table.js';
import { s3Operation } from '../s3/operation.js';
import type { RequestContext } from './context.js';
import { parseRequestTarget } from './request-target.js';
import { parseServiceTarget } from './service-target.js';
import { RESERVED_BUCKET } from './signet-endpoint.js';

/** absolute-form (a client using signet as an HTTP proxy): the path and query only. */
function originForm(url: string): string {
  if (!url.startsWith('http://') && !url.startsWith('https://')) return url;
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash === -1 ? '/' : url.slice(slash);
}

/** The target with a route's path prefix taken off (the route matched, so the prefix is there). */
function withoutPrefix(url: string, prefix: string): string {
  const target = originForm(url);
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  return (afterPrefix(path, prefix) ?? path) + (q === -1 ? '' : target.slice(q));
}

/** /_signet/…: signet's own endpoints come before any route (a catch-all generic route included). */
function isReserved(url: string): boolean {
  const end = RESERVED_BUCKET.length + 1;
  return url.startsWith(RESERVED_BUCKET, 1) && url[0] === '/' && (url.length === end || url[end] === '/' || url[end] === '?');
}

/**
 * The target stage: picks the request's route and reads the target by that route's rules — S3
 * (bucket, key, operation) or generic (a normalised path; the operation is the method). No route
 * → 404 before the body is read and before any credentials are touched; signet's own endpoints
 * (/_signet/…) need none and pick theirs by the bucket they are asked about.
 */
export function readTarget(ctx: RequestContext, table: RouteTable, host: string): void {
  const url = ctx.req.url ?? '/';
  const route = table.single ?? (isReserved(url) ? null : table.pick(host, url, ctx.hostBucket));
  ctx.route = route;
  if (table.single === null && route !== null) ctx.routeName = route.name;
  if (route !== null && route.generic) {
    const target = parseServiceTarget(originForm(route.match.pathPrefix === '' ? url : withoutPrefix(url, route.match.pathPrefix)));
    ctx.servicePath = target.path;
    ctx.query = target.query;
    ctx.queryString = target.queryString;
    ctx.operation = ctx.method;
    return;
  }
  const target = parseRequestTarget(route === null || route.match.pathPrefix === '' ? url : withoutPrefix(url, route.match.pathPrefix), ctx.hostBucket);
  ctx.bucket = target.bucket;
  ctx.key = target.key;
  ctx.query = target.query;
  ctx.queryString = target.queryString;
  ctx.operation = s3Operation(ctx.method, ctx.bucket !== '', ctx.key !== '', ctx.query, ctx.headers);
  if (route === null && ctx.bucket !== RESERVED_BUCKET) throw new SignetError('NoSuchRoute', 'no route matches');
}
