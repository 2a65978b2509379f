import { describe, expect, it } from 'vitest';
import { aggregateMetrics, createClusterMetrics, createMetrics, credentialEventsFor, requestObserver } from '../../../src/observability/index.js';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('aggregateMetrics (--workers)', () => {
  it('sums the workers\' request metrics and takes credentials and the pool from the primary alone', async () => {
    const primary = createMetrics(undefined, { version: '9.9.9' });
    const pool = createClusterMetrics(primary.registry);
    pool.workers.set(2);
    pool.workerRestarts.inc();
    credentialEventsFor(primary).onRefresh('success', 0.02);
    credentialEventsFor(primary).onCredentials({ source: 'container', expiration: new Date(1_800_000_000_000) });
    // The primary serves no requests; a stray count of its own must not show.
    primary.requestsInFlight.inc(5);
    const w1 = createMetrics(undefined, { version: '9.9.9' });
    const w2 = createMetrics(undefined, { version: '9.9.9' });
    for (let i = 0; i < 3; i++) requestObserver(w1).observe('GET', 'GetObject', 200, 0.01);
    for (let i = 0; i < 4; i++) requestObserver(w2).observe('GET', 'GetObject', 200, 0.2);
    w1.requestsInFlight.inc(2);
    w2.requestsInFlight.inc(1);
    w1.connectionsOpen.inc(3);
    w2.connectionsOpen.inc(4);
    w1.clockSkew.set(1);
    w2.clockSkew.set(3);
    const text = await aggregateMetrics(await primary.registry.getMetricsAsJSON(), [await w1.registry.getMetricsAsJSON(), await w2.registry.getMetricsAsJSON()]).metrics();

    expect(sample(text, 'signet_requests_total{method="GET",operation="GetObject",status_class="2xx"}')).toBe(7);
    expect(sample(text, 'signet_request_duration_seconds_count{operation="GetObject"}')).toBe(7);
    expect(sample(text, 'signet_request_duration_seconds_bucket{le="0.01",operation="GetObject"}')).toBe(3);
    expect(sample(text, 'signet_requests_in_flight')).toBe(3);
    expect(sample(text, 'signet_connections_open')).toBe(7);
    expect(sample(text, 'signet_clock_skew_seconds')).toBe(2);
    expect(sample(text, 'signet_build_info{version="9.9.9",node="' + process.version + '"}')).toBe(1);
    expect(sample(text, 'signet_credentials_refreshes_total{result="success"}')).toBe(1);
    expect(sample(text, 'signet_credentials_expiry_timestamp_seconds')).toBe(1_800_000_000);
    expect(sample(text, 'signet_credentials_source_info{source="container"}')).toBe(1);
    expect(sample(text, 'signet_workers')).toBe(2);
    expect(sample(text, 'signet_worker_restarts_total')).toBe(1);
    // Three processes' memory adds up; the lag of their event loops is an average, not a sum.
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text.match(/^# TYPE signet_requests_total counter$/gm)).toHaveLength(1);
  });

  it('still answers with the primary\'s metrics when no worker answered', async () => {
    const primary = createMetrics();
    const text = await aggregateMetrics(await primary.registry.getMetricsAsJSON(), []).metrics();
    expect(text).toContain('signet_credentials_refreshes_total{result="success"} 0');
    expect(text).not.toContain('signet_requests_in_flight');
  });

  it('config reloads: routes from the primary (it alone reads them), --inbound-keys from each worker, the last success the oldest', async () => {
    const primary = createMetrics();
    primary.configReloads.labels('routes', 'success').inc(2);
    primary.configLastReloadSuccess.labels('routes').set(1_800_000_100);
    const w1 = createMetrics();
    const w2 = createMetrics();
    w1.configReloads.labels('inbound-keys', 'success').inc(1);
    w2.configReloads.labels('inbound-keys', 'success').inc(1);
    w1.configLastReloadSuccess.labels('inbound-keys').set(1_800_000_050);
    w2.configLastReloadSuccess.labels('inbound-keys').set(1_800_000_000);
    const text = await aggregateMetrics(await primary.registry.getMetricsAsJSON(), [await w1.registry.getMetricsAsJSON(), await w2.registry.getMetricsAsJSON()]).metrics();
    expect(sample(text, 'signet_config_reloads_total{source="routes",result="success"}')).toBe(2);
    expect(sample(text, 'signet_config_last_reload_success_timestamp_seconds{source="routes"}')).toBe(1_800_000_100);
    // Each worker reloads the keys file itself: one count per worker, and the worker that is behind sets the time.
    expect(sample(text, 'signet_config_reloads_total{source="inbound-keys",result="success"}')).toBe(2);
    expect(sample(text, 'signet_config_last_reload_success_timestamp_seconds{source="inbound-keys"}')).toBe(1_800_000_000);
  });
});
