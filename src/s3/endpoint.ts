/** Where a request goes: fixed by configuration, never by the client's Host header. */
export interface Upstream {
  readonly protocol: 'http:' | 'https:';
  /** As in a URL: an IPv6 literal keeps its brackets. */
  readonly hostname: string;
  /** hostname plus `:port` when the port is not the scheme's default. */
  readonly host: string;
  /** Always a number: the explicit port or 443/80. */
  readonly port: number;
  /** e.g. https://s3.eu-west-1.amazonaws.com (no default port). */
  readonly origin: string;
  /** An Amazon endpoint (`*.amazonaws.com`, `*.amazonaws.com.cn`): it speaks every payload form. */
  readonly isAws: boolean;
}

export type Addressing = 'path' | 'virtual' | 'auto';

export interface ResolvedEndpoint {
  /** Origin undici connects to (its TLS name too). */
  readonly origin: string;
  /** The Host header sent and signed: includes a non-default port. */
  readonly host: string;
  readonly virtualHosted: boolean;
}

// DNS-compatible bucket names (no dots: a dotted name breaks the *.s3 wildcard certificate).
const VIRTUAL_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
// A Multi-Region Access Point alias (`mfzwi23gnjvgw.mrap`): dotted, but AWS serves
// `*.mrap.accesspoint.s3-global.amazonaws.com` and takes no path-style requests for it.
const MRAP_ALIAS = /^[a-z0-9]{1,63}\.mrap$/;

/**
 * Resolves the origin and Host for one bucket. `auto` uses virtual-hosted style on AWS for
 * DNS-compatible names (S3's preferred style; path style is deprecated there) and path style for
 * custom stores, which rarely have wildcard DNS. Off AWS, a virtual-hosted request still connects
 * to the configured host and only names the bucket in the Host header.
 */
export function resolveEndpoint(upstream: Upstream, bucket: string, addressing: Addressing): ResolvedEndpoint {
  const baseHost = upstream.host;
  const virtual =
    bucket !== '' &&
    (VIRTUAL_BUCKET.test(bucket) || MRAP_ALIAS.test(bucket)) &&
    (addressing === 'virtual' || (addressing === 'auto' && upstream.isAws));
  if (!virtual) return { origin: upstream.origin, host: baseHost, virtualHosted: false };
  const host = bucket + '.' + baseHost;
  return { origin: upstream.isAws ? `${upstream.protocol}//${host}` : upstream.origin, host, virtualHosted: true };
}
