import { CLIENT_AUTH_QUERY_PARAMS } from '../sigv4/constants.js';
import { canonicalQuery } from '../sigv4/canonical-query.js';
import { uriEncodePath } from '../sigv4/uri-encode.js';
import { SignetError } from '../errors.js';

/** The client's request target, decoded once and re-encoded by the S3 rule. */
export interface RequestTarget {
  /** Decoded bucket name ('' for the service root: ListBuckets). */
  readonly bucket: string;
  /** Decoded object key ('' when the request addresses the bucket). */
  readonly key: string;
  /** Decoded query pairs the client sent, minus any auth parameters of its own. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** The canonical query: sent on the wire and signed, so the two cannot differ. */
  readonly queryString: string;
}

/**
 * Parses `req.url` without `new URL()` (which would remove `.`/`..` segments and so rename S3
 * keys). Path: percent-decoded exactly once; a raw `+` is a literal plus (RFC 3986; S3's
 * historical reading of `+` as a space applies to form-encoded queries, not to keys here).
 * Query: form-style, so a raw `+` is a space, as S3 reads it.
 */
export function parseRequestTarget(rawUrl: string, hostBucket = ''): RequestTarget {
  let target = rawUrl;
  if (target.startsWith('http://') || target.startsWith('https://')) {
    // absolute-form (a client configured with signet as an HTTP proxy): keep path and query only
    const slash = target.indexOf('/', target.indexOf('//') + 2);
    target = slash === -1 ? '/' : target.slice(slash);
  }
  if (target[0] !== '/') throw new SignetError('InvalidURI', `request target does not start with '/': ${target.slice(0, 64)}`);
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const path = decode(rawPath, false);
  const query = q === -1 ? [] : parseQuery(target.slice(q + 1));
  const queryString = canonicalQuery(query);
  // Virtual-hosted style: the Host named the bucket, so the whole path is the key.
  if (hostBucket !== '') return { bucket: hostBucket, key: path.slice(1), query, queryString };
  const slash = path.indexOf('/', 1);
  const bucket = slash === -1 ? path.slice(1) : path.slice(1, slash);
  const key = slash === -1 ? '' : path.slice(slash + 1);
  return { bucket, key, query, queryString };
}

function decode(value: string, plusIsSpace: boolean): string {
  const v = plusIsSpace && value.includes('+') ? value.replaceAll('+', ' ') : value;
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    throw new SignetError('InvalidURI', 'malformed percent-encoding or invalid UTF-8 in the request target');
  }
}

/** Form-style query pairs, decoded once, minus any auth parameters of the client's own. */
export function parseQuery(raw: string): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq === -1 ? part : part.slice(0, eq), true);
    if (CLIENT_AUTH_QUERY_PARAMS.has(name)) continue;
    pairs.push([name, eq === -1 ? '' : decode(part.slice(eq + 1), true)]);
  }
  return pairs;
}

/**
 * The bucket a client names in its Host header (`my-bucket.localhost:8080` under suffix
 * `localhost`), or '' for path-style requests. The Host only ever names the bucket: the upstream
 * is fixed by configuration.
 */
export function bucketFromHost(host: string, suffixes: readonly string[]): string {
  if (suffixes.length === 0 || host === '') return '';
  let name = host;
  if (name.startsWith('[')) return ''; // an IPv6 literal names no bucket
  const colon = name.lastIndexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  name = name.toLowerCase();
  for (const suffix of suffixes) {
    if (name.length > suffix.length + 1 && name.endsWith(suffix) && name[name.length - suffix.length - 1] === '.') {
      return name.slice(0, name.length - suffix.length - 1);
    }
  }
  return '';
}

/** The S3-encoded wire path for a bucket and key under path-style or virtual-hosted addressing. */
export function wirePath(bucket: string, key: string, virtualHosted: boolean): string {
  try {
    if (bucket === '') return '/';
    if (virtualHosted) return '/' + uriEncodePath(key);
    return '/' + uriEncodePath(bucket) + (key === '' ? '' : '/' + uriEncodePath(key));
  } catch {
    throw new SignetError('InvalidURI', 'the object key is not valid UTF-8');
  }
}
