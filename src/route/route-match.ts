import { Glob } from '../proxy/client-policy.js';

/** A route's conditions, compiled once when the table is built. */
export interface RouteMatcher {
  readonly buckets: readonly Glob[];
  readonly hosts: readonly Glob[];
  /** '' when the route has no path prefix. */
  readonly pathPrefix: string;
}

/** What a request offers to be matched on, read once per request. */
export interface RouteProbe {
  /** The Host header without its port, lower case ('' when absent). */
  readonly host: string;
  /** The request target's path as sent (still percent-encoded), without the query. */
  readonly path: string;
  /** The bucket the Host names under --virtual-host-suffix, '' otherwise. */
  readonly hostBucket: string;
}

export function compileMatch(m: { buckets: readonly string[]; hosts: readonly string[]; pathPrefix: string }): RouteMatcher {
  return Object.freeze({
    buckets: Object.freeze(m.buckets.map((b) => new Glob(b))),
    hosts: Object.freeze(m.hosts.map((h) => new Glob(h))),
    pathPrefix: m.pathPrefix,
  });
}

/** `Host: S3.Team-A.internal:8080` → `s3.team-a.internal`; an IPv6 literal keeps its brackets. */
export function hostOf(header: string): string {
  let h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  if (colon !== -1) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The path with the prefix taken off, or null when the prefix does not apply (it ends at a segment boundary). */
export function afterPrefix(path: string, prefix: string): string | null {
  if (prefix === '') return path;
  if (!path.startsWith(prefix)) return null;
  if (path.length === prefix.length) return '/';
  return path.charCodeAt(prefix.length) === 0x2f ? path.slice(prefix.length) : null;
}

/**
 * The bucket a path-style request names, or the Host's bucket. Read as the target parser reads it
 * (the path decoded once, then cut at the first `/`), so that a `%2F` cannot make the route see
 * one bucket and the forwarder another.
 */
export function bucketOf(path: string, hostBucket: string): string {
  if (hostBucket !== '') return hostBucket;
  const slash = path.indexOf('/', 1);
  const segment = slash === -1 ? path.slice(1) : path.slice(1, slash);
  if (!segment.includes('%')) return segment;
  try {
    const decoded = decodeURIComponent(segment);
    const cut = decoded.indexOf('/');
    return cut === -1 ? decoded : decoded.slice(0, cut);
  } catch {
    // The target parser answers InvalidURI for it; no bucket glob matches meanwhile.
    return '';
  }
}

function any(globs: readonly Glob[], value: string): boolean {
  for (const g of globs) if (g.test(value)) return true;
  return false;
}

/**
 * True when every condition the route gives holds. Pure; the bucket is read only when the route
 * names buckets, after the prefix is removed (`/team-a/bucket/key` under prefix `/team-a`).
 */
export function routeMatches(m: RouteMatcher, probe: RouteProbe): boolean {
  const rest = afterPrefix(probe.path, m.pathPrefix);
  if (rest === null) return false;
  if (m.hosts.length > 0 && !any(m.hosts, probe.host)) return false;
  if (m.buckets.length > 0 && !any(m.buckets, bucketOf(rest, probe.hostBucket))) return false;
  return true;
}
