import type { Logger } from 'pino';
import type { Config, RouteConfig } from '../config/index.js';
import { CredentialCache, createCredentialChain, webIdentityFetcher } from '../credentials/index.js';
import type { CredentialFetcher } from '../credentials/index.js';
import { credentialEventsFor } from '../observability/index.js';
import type { CredentialEvents, Metrics } from '../observability/index.js';

/**
 * Where a route's credentials come from: its own profile / role / web identity, or (none given)
 * the top-level chain, which `fallback` replaces when given (the demo's keys, tests).
 */
export function routeFetcher(r: RouteConfig, config: Config, env: NodeJS.ProcessEnv | undefined, fallback?: CredentialFetcher): CredentialFetcher {
  const c = r.credentials;
  if (c === null) {
    return fallback ?? createCredentialChain({
      profile: config.profile, roleArn: config.roleArn, externalId: config.externalId,
      roleSessionName: config.roleSessionName, roleDurationSeconds: Math.round(config.roleDuration / 1000), region: config.region, env,
    });
  }
  if (c.webIdentity !== undefined) return webIdentityFetcher({ ...c.webIdentity, roleSessionName: config.roleSessionName, region: r.region });
  return createCredentialChain({
    profile: c.profile, roleArn: c.roleArn, externalId: c.externalId, roleSessionName: c.roleSessionName ?? config.roleSessionName,
    roleDurationSeconds: Math.round((c.roleDuration ?? config.roleDuration) / 1000), region: r.region, env,
  });
}

export interface IdentityCacheDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Replaces the default chain (the demo's keys, tests); routes with credentials of their own still use theirs. */
  readonly fetchCredentials?: CredentialFetcher | undefined;
  /** Where credential chains read AWS_* settings; process.env when absent. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/**
 * The credential cache of the identity `r` signs as (identityKey()): refreshed ahead of expiry,
 * logged under component "credentials" (with the route's name when it has credentials of its own),
 * counted in the metrics. A single process builds one per identity in RouteBuilder; with --workers
 * the primary alone does, and `also` hears every event too (to push each set to the workers).
 */
export function identityCache(r: RouteConfig, d: IdentityCacheDeps, also?: Partial<CredentialEvents>): CredentialCache {
  const counted = credentialEventsFor(d.metrics);
  return new CredentialCache({
    fetch: routeFetcher(r, d.config, d.env, d.fetchCredentials),
    refreshMarginMs: d.config.credentialsRefreshMargin,
    logger: d.logger.child(r.credentials === null ? { component: 'credentials' } : { component: 'credentials', route: r.name }),
    events: also === undefined ? counted : {
      onRefresh(result, seconds, source) {
        counted.onRefresh(result, seconds, source);
        also.onRefresh?.(result, seconds, source);
      },
      onCredentials(update) {
        counted.onCredentials(update);
        also.onCredentials?.(update);
      },
    },
  });
}
