import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, credentialEventsFor, labelCache, requestObserver } from '../../../src/observability/index.js';
import { METRIC_NAMES } from '../../support/metric-names.js';

const NAMES = METRIC_NAMES;

describe('createMetrics', () => {
  it('registers exactly the signet metrics, each with HELP, beside the process metrics', async () => {
    const m = createMetrics();
    const text = await m.registry.metrics();
    const signet = m.registry.getMetricsAsArray().map((x) => x.name).filter((n) => n.startsWith('signet_'));
    expect(signet.sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('keeps each instance on its own registry, so several can coexist', async () => {
    const a = createMetrics();
    const b = createMetrics(new Registry(), { version: '1.2.3' });
    a.regionRedirects.inc();
    expect(await a.registry.metrics()).toContain('signet_region_redirects_total 1');
    expect(await b.registry.metrics()).toContain('signet_region_redirects_total 0');
    expect(await b.registry.metrics()).toContain(`signet_build_info{version="1.2.3",node="${process.version}"} 1`);
  });

  it('shows every label after values are observed', async () => {
    const m = createMetrics();
    const observer = requestObserver(m);
    observer.observe('GET', 'GetObject', 206, 0.012);
    observer.observe('PUT', 'PutObject', 503, 2);
    observer.observe('BREW', 'Unknown', 400, 0.001);
    observer.upstream('GetObject', 0.004);
    m.requestBytes.inc(100);
    m.responseBytes.inc(2048);
    m.requestsInFlight.inc();
    m.signingDuration.observe(0.00003);
    labelCache(m.payloadStrategy)('streaming').inc();
    m.spoolBytes.set(4096);
    labelCache(m.upstreamErrors)('UND_ERR_CONNECT_TIMEOUT').inc();
    labelCache(m.retries)('connect').inc();
    m.clockSkew.set(-1.5);
    m.signatureMismatch.inc();
    const text = await m.registry.metrics();
    for (const line of [
      'signet_requests_total{method="GET",operation="GetObject",status_class="2xx"} 1',
      'signet_requests_total{method="PUT",operation="PutObject",status_class="5xx"} 1',
      'signet_requests_total{method="OTHER",operation="Unknown",status_class="4xx"} 1',
      'signet_request_duration_seconds_bucket{le="0.025",operation="GetObject"} 1',
      'signet_request_duration_seconds_bucket{le="30",operation="PutObject"} 1',
      'signet_upstream_duration_seconds_count{operation="GetObject"} 1',
      'signet_request_bytes_total 100',
      'signet_response_bytes_total 2048',
      'signet_requests_in_flight 1',
      'signet_signing_duration_seconds_bucket{le="0.00005"} 1',
      'signet_payload_strategy_total{strategy="streaming"} 1',
      'signet_spool_bytes 4096',
      'signet_upstream_errors_total{code="UND_ERR_CONNECT_TIMEOUT"} 1',
      'signet_retries_total{reason="connect"} 1',
      'signet_clock_skew_seconds -1.5',
      'signet_signature_mismatch_total 1',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('uses latency buckets from 1 ms to 30 s and signing buckets from 1 µs to 10 ms', async () => {
    const m = createMetrics();
    m.requestDuration.labels('GetObject').observe(1);
    m.signingDuration.observe(1);
    const text = await m.registry.metrics();
    expect(text).toContain('signet_request_duration_seconds_bucket{le="0.001",operation="GetObject"} 0');
    expect(text).toContain('signet_request_duration_seconds_bucket{le="30",operation="GetObject"} 1');
    expect(text).toContain('signet_signing_duration_seconds_bucket{le="0.000001"} 0');
    expect(text).toContain('signet_signing_duration_seconds_bucket{le="0.01"} 0');
  });

  it('hands back the same cached child for the same labels', () => {
    const m = createMetrics();
    const strategy = labelCache(m.payloadStrategy);
    expect(strategy('buffered')).toBe(strategy('buffered'));
  });
});

describe('credentialEventsFor', () => {
  it('counts refreshes by result and times them', async () => {
    const m = createMetrics();
    const events = credentialEventsFor(m);
    events.onRefresh('success', 0.2, 'sts');
    events.onRefresh('failure', 1.5, 'sts');
    events.onRefresh('success', 0.1, 'sts');
    const text = await m.registry.metrics();
    expect(text).toContain('signet_credentials_refreshes_total{result="success"} 2');
    expect(text).toContain('signet_credentials_refreshes_total{result="failure"} 1');
    expect(text).toContain('signet_credentials_refresh_duration_seconds_count 3');
  });

  it('shows both refresh results at zero before the first refresh', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toContain('signet_credentials_refreshes_total{result="failure"} 0');
  });

  it('sets the expiry time and marks only the current source with 1', async () => {
    const m = createMetrics();
    const events = credentialEventsFor(m);
    events.onCredentials({ source: 'env' });
    let text = await m.registry.metrics();
    expect(text).toContain('signet_credentials_expiry_timestamp_seconds +Inf');
    expect(text).toContain('signet_credentials_source_info{source="env"} 1');

    events.onCredentials({ source: 'web-identity', expiration: new Date('2030-01-01T00:00:00Z') });
    text = await m.registry.metrics();
    expect(text).toContain('signet_credentials_expiry_timestamp_seconds 1893456000');
    expect(text).toContain('signet_credentials_source_info{source="env"} 0');
    expect(text).toContain('signet_credentials_source_info{source="web-identity"} 1');
  });
});
