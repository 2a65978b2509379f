import { defaultUpstreamUrl, parseUpstream } from '../config/index.js';
import type { Upstream } from '../s3/endpoint.js';

const AWS_REGIONAL_HOST = /^s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;

/** For a bucket found in another region: AWS default endpoints follow it; custom endpoints stay. */
export function regionalUpstream(upstream: Upstream): (region: string) => Upstream {
  const cache = new Map<string, Upstream>();
  return (region) => {
    if (!upstream.isAws || !AWS_REGIONAL_HOST.test(upstream.hostname)) return upstream;
    let u = cache.get(region);
    if (u === undefined) {
      // The region's default endpoint, on the scheme and port the operator configured.
      const url = new URL(defaultUpstreamUrl(region));
      url.protocol = upstream.protocol;
      url.port = String(upstream.port);
      const parsed = parseUpstream(url.origin);
      u = typeof parsed === 'string' ? upstream : parsed;
      cache.set(region, u);
    }
    return u;
  };
}
