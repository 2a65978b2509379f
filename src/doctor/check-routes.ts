import type { Config, RouteConfig } from '../config/index.js';
import type { CredentialFetcher } from '../credentials/index.js';
import { routeFetcher } from '../server/identity-cache.js';
import { createUpstreamAgent } from '../server/upstream-agent.js';
import { checkCredentials, checkIdentity } from './check-identity.js';
import { checkRegion } from './check-region.js';
import { checkRoundTrip } from './check-round-trip.js';
import { checkUpstream } from './check-upstream.js';
import { skipped } from './types.js';
import type { CheckResult } from './types.js';

/** The bucket to try on an S3 route: --bucket when the route would take it, else one the route names outright. */
function bucketFor(route: RouteConfig, given: string | undefined): string | undefined {
  const globs = route.match.buckets;
  if (given !== undefined && (globs.length === 0 || globs.some((g) => g === given || g.includes('*') || g.includes('?')))) return given;
  return globs.find((g) => !g.includes('*') && !g.includes('?'));
}

/** The settings of one route, as the top-level ones of a one-route signet: the round trip then runs that route's path. */
function asSingle(config: Config, r: RouteConfig): Config {
  return {
    ...config, routes: null, upstream: r.upstream, region: r.region, service: r.service, addressing: r.addressing,
    payload: r.payload, upstreamCapabilities: r.upstreamCapabilities,
  };
}

const named = (route: string, r: CheckResult): CheckResult => ({ ...r, name: `${route}: ${r.name}` });

/**
 * `signet doctor` for a gateway with routes: for every route its credentials and identity, its
 * upstream (reach, TLS, clock), and for S3 routes the bucket's region and a signed HEAD through
 * signet's own pipeline. Identities shared by several routes are fetched once per route: the
 * doctor says which route failed, not which cache.
 */
export async function diagnoseRoutes(config: Config, routes: readonly RouteConfig[], bucket: string | undefined, env: NodeJS.ProcessEnv, fetch?: CredentialFetcher): Promise<CheckResult[]> {
  const dispatcher = createUpstreamAgent(config);
  const results: CheckResult[] = [];
  try {
    for (const r of routes) {
      const chain = routeFetcher(r, config, env, fetch);
      let source = '';
      const creds = await checkCredentials(async () => {
        const got = await chain();
        source = got.source;
        return got;
      });
      const upstream = await checkUpstream(r.upstream, dispatcher);
      const date = new Date(Date.now() + upstream.offsetMs);
      const identity = await checkIdentity(creds.credentials, r.region, env, dispatcher, date);
      const checks = [creds.result, identity, upstream.reach, upstream.clock];
      if (r.service === 's3') {
        const single = asSingle(config, r);
        const b = bucketFor(r, bucket);
        checks.push(await checkRegion(b, single, creds.credentials, dispatcher, date));
        checks.push(await checkRoundTrip(b, single, creds.credentials, source));
      } else {
        checks.push(skipped('round trip', `service ${r.service} is not S3: checked are its credentials and endpoint`));
      }
      for (const c of checks) results.push(named(r.name, c));
    }
    return results;
  } finally {
    await dispatcher.close();
  }
}
