import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { parseResourceAttributes, readTracingEnv, tracesUrl } from '../../../src/config/tracing-env.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('did not throw');
}

describe('tracing settings from the standard OTEL_* variables', () => {
  it('is off unless --tracing is given, whatever the environment says', () => {
    expect(readTracingEnv(false, false, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBeNull();
    expect(loadConfig(['--region', 'us-east-1'], {}).tracing).toBeNull();
  });

  it('takes the specification defaults when only --tracing is given', () => {
    expect(readTracingEnv(true, false, {})).toEqual({
      sampler: 'parentbased_always_on', ratio: 1, url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', recordKeys: false,
      serviceName: 'signet', resource: {},
      batch: { scheduledDelayMillis: 5000, exportTimeoutMillis: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 },
    });
    expect(loadConfig(['--region', 'us-east-1', '--tracing', '--trace-keys'], {}).tracing).toMatchObject({ recordKeys: true });
    expect(loadConfig(['--region', 'us-east-1'], { SIGNET_TRACING: 'true' }).tracing).not.toBeNull();
  });

  it('appends v1/traces to the generic endpoint and uses the per-signal one as it is', () => {
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318' })).toBe('http://otel:4318/v1/traces');
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example/base/' })).toBe('https://otel.example/base/v1/traces');
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' })).toBe('http://b:4318/custom');
  });

  it('reads the sampler and its ratio', () => {
    expect(readTracingEnv(true, false, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' })).toMatchObject({ sampler: 'parentbased_traceidratio', ratio: 0.01 });
    expect(readTracingEnv(true, false, { OTEL_TRACES_SAMPLER: 'always_off' })).toMatchObject({ sampler: 'always_off' });
    expect(readTracingEnv(true, false, { OTEL_TRACES_SAMPLER: 'TraceIdRatio' })).toMatchObject({ sampler: 'traceidratio', ratio: 1 });
  });

  it('honours the standard switches that turn tracing off', () => {
    expect(readTracingEnv(true, false, { OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(readTracingEnv(true, false, { OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('names the service from OTEL_SERVICE_NAME, then OTEL_RESOURCE_ATTRIBUTES', () => {
    expect(readTracingEnv(true, false, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,k8s.pod.name=p%2C1' })).toMatchObject({
      serviceName: 'from-attrs', resource: { 'service.name': 'from-attrs', 'k8s.pod.name': 'p,1' },
    });
    expect(readTracingEnv(true, false, { OTEL_SERVICE_NAME: 'gw', OTEL_RESOURCE_ATTRIBUTES: 'service.name=x' })).toMatchObject({ serviceName: 'gw' });
    expect(parseResourceAttributes('a=1, b = two ,,')).toEqual({ a: '1', b: 'two' });
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER: "sometimes" is not one of always_on'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG: "1.5" is not a ratio between 0 and 1'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }, 'OTEL_TRACES_SAMPLER_ARG: "half" is not a ratio'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported; signet exports OTLP over HTTP'],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" is not supported'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" must be an http:// or https:// URL'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "not a url" is not a URL'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER: "zipkin" is not supported'],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'novalue' }, 'OTEL_RESOURCE_ATTRIBUTES: "novalue" is not key=value'],
    [{ OTEL_BSP_SCHEDULE_DELAY: '-1' }, 'OTEL_BSP_SCHEDULE_DELAY: "-1" is not a positive whole number'],
  ])('refuses %o at startup with a one-line message', (env, expected) => {
    expect(message(() => readTracingEnv(true, false, env))).toContain(expected);
  });
});
