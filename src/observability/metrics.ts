/**
 * Every metric signet exports, on a Registry of its own (not prom-client's global one, so tests
 * can make as many as they like). Labels stay low-cardinality: method, S3 operation, status
 * class; never bucket or key.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metric } from 'prom-client';
import { TallyCounter, TallyGauge, TallyHistogram } from './tally-metrics.js';

/** Seconds, from 1 ms to 30 s: a cache hit on loopback up to a slow multi-GB transfer. */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Signing takes tens of microseconds (protocol.md §5c); 1 µs to 10 ms. */
export const SIGNING_BUCKETS: readonly number[] = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 1e-2];
/** Credential fetches: STS, IMDS, container endpoints; 10 ms to 30 s. */
export const REFRESH_BUCKETS: readonly number[] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsOptions {
  /** For signet_build_info; the CLI passes the package version. */
  readonly version?: string;
}

export type Metrics = ReturnType<typeof defineMetrics>;

export function createMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}): Metrics {
  collectDefaultMetrics({ register: registry });
  const metrics = defineMetrics(registry);
  metrics.buildInfo.labels(options.version ?? 'unknown', process.version).set(1);
  // Known at startup, so the series exist (at 0) before the first event.
  for (const result of ['success', 'failure']) metrics.credentialsRefreshes.labels(result).inc(0);
  metrics.requestsInFlight.set(0);
  metrics.connectionsOpen.set(0);
  metrics.connectionsRejected.inc(0);
  for (const phase of ['headers', 'body']) metrics.clientTimeouts.labels(phase).inc(0);
  metrics.spoolBytes.set(0);
  return metrics;
}

/** A per-request metric (tally-metrics.ts), registered beside prom-client's own. */
function tally<T extends { readonly name: string }>(registry: Registry, metric: T): T {
  registry.registerMetric(metric as unknown as Metric);
  return metric;
}

function defineMetrics(registry: Registry) {
  const registers = [registry];
  // The ones moved by every request are tallies (tally-metrics.ts says why); the rest prom-client's.
  return {
    registry,
    requestsTotal: tally(registry, new TallyCounter({
      name: 'signet_requests_total',
      help: 'Requests answered, by method, S3 operation and status class (2xx, 4xx…).',
      labelNames: ['method', 'operation', 'status_class'] as const,
    })),
    requestDuration: tally(registry, new TallyHistogram({
      name: 'signet_request_duration_seconds',
      help: 'Time from request received to response finished, by S3 operation.',
      labelNames: ['operation'] as const,
      buckets: LATENCY_BUCKETS,
    })),
    upstreamDuration: tally(registry, new TallyHistogram({
      name: 'signet_upstream_duration_seconds',
      help: 'Time from sending a request upstream to its response headers, by S3 operation.',
      labelNames: ['operation'] as const,
      buckets: LATENCY_BUCKETS,
    })),
    requestBytes: tally(registry, new TallyCounter({ name: 'signet_request_bytes_total', help: 'Request body bytes received from clients.' })),
    responseBytes: tally(registry, new TallyCounter({ name: 'signet_response_bytes_total', help: 'Response body bytes sent to clients.' })),
    requestsInFlight: tally(registry, new TallyGauge({ name: 'signet_requests_in_flight', help: 'Requests being handled now.' })),
    connectionsOpen: new Gauge({ name: 'signet_connections_open', help: 'Client connections open on the proxy listener now.', registers }),
    connectionsRejected: new Counter({
      name: 'signet_connections_rejected_total',
      help: 'Client connections closed as they arrived because --max-connections were open.',
      registers,
    }),
    clientTimeouts: new Counter({
      name: 'signet_client_timeouts_total',
      help: 'Clients cut off for slowness: headers not complete within --client-header-timeout, or a body silent for --client-body-timeout.',
      labelNames: ['phase'] as const,
      registers,
    }),
    signingDuration: tally(registry, new TallyHistogram({
      name: 'signet_signing_duration_seconds',
      help: 'Time to compute one request signature (headers only, not the payload hash).',
      buckets: SIGNING_BUCKETS,
    })),
    payloadStrategy: tally(registry, new TallyCounter({
      name: 'signet_payload_strategy_total',
      help: 'Requests by the payload strategy chosen (buffered, streaming, spooled, unsigned…).',
      labelNames: ['strategy'] as const,
    })),
    spoolBytes: new Gauge({ name: 'signet_spool_bytes', help: 'Bytes held in spools (memory and temp files) now.', registers }),
    multipartStarted: new Counter({
      name: 'signet_multipart_uploads_started_total',
      help: 'PutObjects converted to multipart uploads (CreateMultipartUpload answered).',
      registers,
    }),
    multipartCompleted: new Counter({
      name: 'signet_multipart_uploads_completed_total',
      help: 'Converted multipart uploads completed.',
      registers,
    }),
    multipartAborted: new Counter({
      name: 'signet_multipart_uploads_aborted_total',
      help: 'Converted multipart uploads aborted, by reason (client-gone, part-failed, digest-mismatch, complete-failed, too-large, shutdown, error).',
      labelNames: ['reason'] as const,
      registers,
    }),
    multipartAbortFailures: new Counter({
      name: 'signet_multipart_abort_failures_total',
      help: 'AbortMultipartUpload calls that failed: uploads that may hold parts until a lifecycle rule removes them.',
      registers,
    }),
    multipartParts: new Counter({ name: 'signet_multipart_parts_total', help: 'Parts uploaded by converted multipart uploads.', registers }),
    multipartPartRetries: new Counter({
      name: 'signet_multipart_part_retries_total',
      help: 'UploadPart attempts repeated after a retryable failure.',
      registers,
    }),
    upstreamErrors: new Counter({
      name: 'signet_upstream_errors_total',
      help: 'Upstream failures without a response, by error code (UND_ERR_CONNECT_TIMEOUT…).',
      labelNames: ['code'] as const,
      registers,
    }),
    clientRequests: new Counter({
      name: 'signet_client_requests_total',
      help: 'Gateway mode: requests by client name (from --inbound-keys, never the key) and status class.',
      labelNames: ['client', 'status_class'] as const,
      registers,
    }),
    routeRequests: new Counter({
      name: 'signet_route_requests_total',
      help: 'Gateway routes: requests by route name (from the routes: list of --config) and status class.',
      labelNames: ['route', 'status_class'] as const,
      registers,
    }),
    clientThrottled: new Counter({
      name: 'signet_client_throttled_total',
      help: 'Gateway mode: requests refused with 503 SlowDown by a client\'s limits, by client name and reason (concurrency, rate).',
      labelNames: ['client', 'reason'] as const,
      registers,
    }),
    configReloads: new Counter({
      name: 'signet_config_reloads_total',
      help: 'Reloads of a configuration file without restart, by source (inbound-keys) and result (success, failure).',
      labelNames: ['source', 'result'] as const,
      registers,
    }),
    configLastReloadSuccess: new Gauge({
      name: 'signet_config_last_reload_success_timestamp_seconds',
      help: 'When a configuration source was last loaded successfully (at startup or by a reload), Unix seconds.',
      labelNames: ['source'] as const,
      // --workers: each worker reloads --inbound-keys itself; the one furthest behind is the answer.
      aggregator: 'min',
      registers,
    }),
    clientClosedRequests: new Counter({
      name: 'signet_client_closed_requests_total',
      help: 'Requests whose client hung up before the response was complete (status 499, counted in the 4xx class).',
      registers,
    }),
    retries: new Counter({
      name: 'signet_retries_total',
      help: 'Upstream attempts repeated, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    regionRedirects: new Counter({
      name: 'signet_region_redirects_total',
      help: 'Requests re-signed for the bucket region the upstream named.',
      registers,
    }),
    clockSkew: new Gauge({
      name: 'signet_clock_skew_seconds',
      help: 'Upstream clock minus local clock, from the last response Date header.',
      // --workers: each worker measures the same upstream clock.
      aggregator: 'average',
      registers,
    }),
    credentialsExpiry: new Gauge({
      name: 'signet_credentials_expiry_timestamp_seconds',
      help: 'Unix time at which the current credentials expire (+Inf when they do not).',
      registers,
    }),
    credentialsRefreshes: new Counter({
      name: 'signet_credentials_refreshes_total',
      help: 'Credential fetches, by result (success, failure).',
      labelNames: ['result'] as const,
      registers,
    }),
    credentialsRefreshDuration: new Histogram({
      name: 'signet_credentials_refresh_duration_seconds',
      help: 'Time to fetch credentials from the provider chain.',
      buckets: [...REFRESH_BUCKETS],
      registers,
    }),
    credentialsSourceInfo: new Gauge({
      name: 'signet_credentials_source_info',
      help: 'Where the credentials come from: 1 for the current source, 0 for earlier ones.',
      labelNames: ['source'] as const,
      registers,
    }),
    signatureMismatch: new Counter({
      name: 'signet_signature_mismatch_total',
      help: 'SignatureDoesNotMatch answers from the upstream (a signing bug or a rewriting middlebox).',
      registers,
    }),
    buildInfo: new Gauge({
      name: 'signet_build_info',
      help: 'Always 1; the labels carry the signet version and the Node.js version.',
      labelNames: ['version', 'node'] as const,
      // --workers: 1, not the number of processes.
      aggregator: 'first',
      registers,
    }),
  };
}
