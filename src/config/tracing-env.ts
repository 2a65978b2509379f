/**
 * The standard OpenTelemetry variables (the SDK environment specification), read the way every
 * OTel SDK reads them, into plain values: the trace SDK signet loads does not read the sampler
 * variables itself (sdk-node does), and reading them here keeps a mistake a startup error.
 * Pure: `env` is an argument.
 */
import { ConfigError, quote } from './config-error.js';

export type SamplerKind =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export const SAMPLERS: readonly SamplerKind[] = [
  'always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio',
];

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingSettings {
  readonly sampler: SamplerKind;
  /** For the *traceidratio samplers, 0..1. */
  readonly ratio: number;
  /** Where spans are POSTed: the full OTLP/HTTP traces URL. */
  readonly url: string;
  readonly protocol: OtlpProtocol;
  /** Object keys (and url.path, which holds them) as span attributes: off by default, keys can be personal data. */
  readonly recordKeys: boolean;
  /** OTEL_SERVICE_NAME, then service.name from OTEL_RESOURCE_ATTRIBUTES, then `signet`. */
  readonly serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, decoded. */
  readonly resource: Readonly<Record<string, string>>;
  /** The batch span processor's OTEL_BSP_* settings. */
  readonly batch: {
    readonly scheduledDelayMillis: number;
    readonly exportTimeoutMillis: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
  };
}

/** The spec's default when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is unset. */
const DEFAULT_ENDPOINT = 'http://localhost:4318';
const TRACES_PATH = 'v1/traces';

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function httpUrl(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${name}: ${quote(text)} is not a URL (e.g. http://otel-collector:4318)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name}: ${quote(text)} must be an http:// or https:// URL (OTLP over HTTP)`);
  }
  return url.href;
}

/** Spec: the per-signal variable is used as is; the generic one gets `v1/traces` appended. */
export function tracesUrl(env: NodeJS.ProcessEnv): string {
  const traces = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces !== undefined) return httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces);
  const base = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const href = base === undefined ? DEFAULT_ENDPOINT : httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', base);
  return href.endsWith('/') ? href + TRACES_PATH : href + '/' + TRACES_PATH;
}

function protocol(env: NodeJS.ProcessEnv): OtlpProtocol {
  const name = value(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const p = value(env, name) ?? 'http/protobuf';
  if (p === 'http/protobuf' || p === 'http/json') return p;
  throw new ConfigError(`${name}: ${quote(p)} is not supported; signet exports OTLP over HTTP: http/protobuf (the default) or http/json`);
}

function sampler(env: NodeJS.ProcessEnv): { sampler: SamplerKind; ratio: number } {
  const text = (value(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  const kind = SAMPLERS.find((s) => s === text);
  if (kind === undefined) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER: ${quote(text)} is not one of ${SAMPLERS.join(', ')}`);
  }
  const arg = value(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (!kind.endsWith('traceidratio') || arg === undefined) return { sampler: kind, ratio: 1 };
  const ratio = /^(\d+(\.\d*)?|\.\d+)$/.test(arg) ? Number(arg) : Number.NaN;
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG: ${quote(arg)} is not a ratio between 0 and 1 (e.g. 0.01 for 1%)`);
  }
  return { sampler: kind, ratio };
}

/** `key1=value1,key2=value2`, values percent-encoded (W3C Baggage octets); a bad pair is an error, not a silent drop. */
export function parseResourceAttributes(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined) return out;
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (key === '') throw new ConfigError(`OTEL_RESOURCE_ATTRIBUTES: ${quote(pair)} is not key=value`);
    let v: string;
    try {
      v = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new ConfigError(`OTEL_RESOURCE_ATTRIBUTES: the value of ${quote(key)} is not valid percent-encoding`);
    }
    out[key] = v;
  }
  return out;
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = value(env, name);
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) throw new ConfigError(`${name}: ${quote(text)} is not a positive whole number`);
  return Number(text);
}

/**
 * The tracing settings when `--tracing` is on, or null when tracing stays off: the flag is off,
 * or the standard kill switches say so (OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none).
 */
export function readTracingEnv(enabled: boolean, recordKeys: boolean, env: NodeJS.ProcessEnv): TracingSettings | null {
  if (!enabled) return null;
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  const exporter = value(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase() ?? 'otlp';
  if (exporter === 'none') return null;
  if (exporter !== 'otlp') {
    throw new ConfigError(`OTEL_TRACES_EXPORTER: ${quote(exporter)} is not supported; signet exports otlp (or none to switch tracing off)`);
  }
  const resource = parseResourceAttributes(value(env, 'OTEL_RESOURCE_ATTRIBUTES'));
  const serviceName = value(env, 'OTEL_SERVICE_NAME') ?? resource['service.name'] ?? 'signet';
  // The spec's defaults, which the trace SDK signet loads no longer reads from the environment.
  const maxQueueSize = count(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048);
  const batch = Object.freeze({
    scheduledDelayMillis: count(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000),
    exportTimeoutMillis: count(env, 'OTEL_BSP_EXPORT_TIMEOUT', 30000),
    maxQueueSize,
    maxExportBatchSize: Math.min(count(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512), maxQueueSize),
  });
  return Object.freeze({
    ...sampler(env), url: tracesUrl(env), protocol: protocol(env), recordKeys, serviceName, resource: Object.freeze(resource), batch,
  });
}
