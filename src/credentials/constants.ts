// Named timing constants of the credential cache (Envoy keeps its REFRESH_GRACE_PERIOD and MAX_CACHE_JITTER the same way).

/** Refresh this long before expiration; the SDK's own chain uses the same 5 minutes. */
export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** Upper bound of the random jitter subtracted from the refresh time, so many replicas do not refresh together. */
export const MAX_JITTER_MS = 30 * 1000;
/** Jitter is also at most this share of the margin, so a short margin is not eaten by jitter. */
export const MAX_JITTER_SHARE_OF_MARGIN = 0.1;
/** Never schedule a refresh sooner than this: guards against a tight loop on short-lived credentials. */
export const MIN_REFRESH_DELAY_MS = 100;
/** First retry after a failed refresh, doubled on each further failure up to DEFAULT_RETRY_MAX_MS. */
export const DEFAULT_RETRY_BASE_MS = 1000;
export const DEFAULT_RETRY_MAX_MS = 30 * 1000;
/** Per-request timeout of the metadata endpoints (IMDS, container); the SDK default. */
export const METADATA_TIMEOUT_MS = 1000;
/** Characters of the access key id that may be logged: enough to tell AKIA (long-term) from ASIA (temporary). */
export const ACCESS_KEY_ID_PREFIX_LENGTH = 4;
