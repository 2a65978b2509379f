import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { CredentialCache, createCredentialChain } from '../credentials/index.js';
import type { CredentialFetcher } from '../credentials/index.js';
import { credentialEventsFor } from '../observability/index.js';
import type { CredentialEvents, Metrics } from '../observability/index.js';

/**
 * The credential cache `serve` runs: the AWS provider chain (or a fetcher handed in, the demo's
 * keys), refreshed ahead of expiry, logged under component "credentials", counted in `metrics`.
 * One per process, or with --workers one in the primary alone. `also` hears every event too.
 */
export function credentialCacheFor(config: Config, logger: Logger, metrics: Metrics, fetch?: CredentialFetcher, also?: Partial<CredentialEvents>): CredentialCache {
  const counted = credentialEventsFor(metrics);
  return new CredentialCache({
    fetch: fetch ?? createCredentialChain({
      profile: config.profile, roleArn: config.roleArn, externalId: config.externalId,
      roleSessionName: config.roleSessionName, roleDurationSeconds: Math.round(config.roleDuration / 1000), region: config.region,
    }),
    refreshMarginMs: config.credentialsRefreshMargin,
    logger: logger.child({ component: 'credentials' }),
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

