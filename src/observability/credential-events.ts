/**
 * The hooks the credentials module calls, wired to the credential metrics, so credentials/
 * needs no knowledge of prom-client.
 */
import type { Metrics } from './metrics.js';

export type RefreshResult = 'success' | 'failure';

export interface CredentialEvents {
  onRefresh(result: RefreshResult, durationSeconds: number, source?: string): void;
  onCredentials(update: { readonly source: string; readonly expiration?: Date | undefined }): void;
}

export function credentialEventsFor(metrics: Metrics): CredentialEvents {
  let currentSource: string | undefined;
  return {
    onRefresh(result, durationSeconds) {
      metrics.credentialsRefreshes.labels(result).inc();
      metrics.credentialsRefreshDuration.observe(durationSeconds);
    },
    onCredentials({ source, expiration }) {
      // Static keys never expire: +Inf keeps "expires within N minutes" alerts quiet.
      metrics.credentialsExpiry.set(expiration === undefined ? Infinity : expiration.getTime() / 1000);
      if (source !== currentSource) {
        if (currentSource !== undefined) metrics.credentialsSourceInfo.labels(currentSource).set(0);
        metrics.credentialsSourceInfo.labels(source).set(1);
        currentSource = source;
      }
    },
  };
}
