import type { Upstream } from '../s3/endpoint.js';

/**
 * The upstream S3 endpoint, parsed once at startup (STYLE.md 9). It is fixed by configuration:
 * the client's Host header never chooses where a request goes.
 */
export interface UpstreamTarget extends Upstream {
  /** The origin as given, without a trailing slash: `https://s3.eu-west-1.amazonaws.com`. */
  readonly url: string;
}

export const CAPABILITIES = ['aws-chunked', 'unsigned-trailer', 'unsigned-payload'] as const;
export type Capability = (typeof CAPABILITIES)[number];

const AWS_HOST_RE = /(?:^|\.)amazonaws\.com(?:\.cn)?$/;

/** Returns the target, or a phrase saying what is wrong with the text. */
export function parseUpstream(text: string): UpstreamTarget | string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return 'is not a URL (expected http://host[:port] or https://host[:port])';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must use http or https';
  if (u.username !== '' || u.password !== '') return 'must not carry credentials';
  if (u.pathname !== '/' || u.search !== '' || u.hash !== '') return 'must have no path, query or fragment';
  const protocol = u.protocol;
  const port = u.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(u.port);
  return Object.freeze({
    url: u.origin,
    protocol,
    hostname: u.hostname,
    host: u.host,
    port,
    origin: u.origin,
    isAws: AWS_HOST_RE.test(u.hostname),
  });
}

/** The regional S3 endpoint; China regions live under amazonaws.com.cn. */
export function defaultUpstreamUrl(region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://s3.${region}.${suffix}`;
}

/**
 * What the upstream accepts besides a fully signed payload. Amazon S3 takes all forms; an
 * S3-compatible server may not, so the default for one is none (signet then hashes or spools).
 */
export function resolveCapabilities(
  given: readonly Capability[] | undefined,
  upstream: UpstreamTarget,
): ReadonlySet<Capability> {
  return frozenSet(given ?? (upstream.isAws ? CAPABILITIES : []));
}

/** Object.freeze does not stop Set#add; these overrides do. */
function frozenSet<T>(items: Iterable<T>): ReadonlySet<T> {
  const set = new Set(items);
  const refuse = (): never => {
    throw new TypeError('the configured set is read-only');
  };
  Object.defineProperties(set, { add: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(set);
}
