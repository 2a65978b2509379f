/**
 * `loadConfig(argv, env)`: reads SETTINGS, derives what depends on several settings (the default
 * upstream from the region, the upstream's capabilities), checks the rules that span settings,
 * and returns one frozen Config. Pure apart from reading the config file and checking that the
 * named files exist.
 */
import { availableParallelism, tmpdir } from 'node:os';
import type { Config } from './config.js';
import { ConfigError, quote } from './config-error.js';
import { formatListenAddress, isLoopback } from './listen-address.js';
import type { ListenAddress } from './listen-address.js';
import { loadRoutes } from './parse-routes.js';
import { readSettings } from './read-settings.js';
import { parseRegionSet } from './region-set.js';
import { SETTINGS } from './settings.js';
import { readTracingEnv } from './tracing-env.js';
import { defaultUpstreamUrl, parseUpstream, resolveCapabilities } from './upstream.js';
import type { Capability, UpstreamTarget } from './upstream.js';

/** Which upstream capability each fixed payload mode needs. */
const PAYLOAD_NEEDS: Readonly<Record<string, Capability | undefined>> = {
  streaming: 'aws-chunked',
  'unsigned-trailer': 'unsigned-trailer',
  unsigned: 'unsigned-payload',
};

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function parseSuffixes(text: string): readonly string[] {
  if (text.trim().toLowerCase() === 'none') return Object.freeze([]);
  const suffixes = text.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  for (const suffix of suffixes) {
    if (!HOST_NAME.test(suffix)) {
      throw new ConfigError(`--virtual-host-suffix: ${quote(suffix)} is not a host name (e.g. localhost or s3.signet.internal), nor none`);
    }
  }
  return Object.freeze(suffixes);
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const { values } = readSettings(SETTINGS, argv, env);
  const v = values as Record<string, unknown> & Omit<Config, 'upstream' | 'upstreamCapabilities' | 'spoolDir' | 'virtualHostSuffixes' | 'tracing' | 'regionSet' | 'workers'>;

  const region = v.region as string | undefined;
  if (region === undefined) {
    throw new ConfigError('--region: no region configured (set --region, SIGNET_REGION or AWS_REGION)');
  }
  const upstream = (values.upstream as UpstreamTarget | undefined) ?? defaultUpstream(region);
  const givenCapabilities = values.upstreamCapabilities as readonly Capability[] | undefined;
  // Any service but s3 takes the generic SigV4 rules: aws-chunked bodies and their trailers are S3's alone.
  if (v.service !== 's3' && givenCapabilities?.some((c) => c !== 'unsigned-payload') === true) {
    throw new ConfigError(`--upstream-capabilities: aws-chunked and unsigned-trailer are S3 forms; --service ${quote(v.service)} takes at most unsigned-payload`);
  }
  const capabilities = resolveCapabilities(givenCapabilities ?? (v.service === 's3' ? undefined : []), upstream);

  const needed = PAYLOAD_NEEDS[v.payload];
  if (needed !== undefined && !capabilities.has(needed)) {
    throw new ConfigError(
      `--payload: ${quote(v.payload)} needs upstream capability ${needed}, which ${upstream.origin} is not known to have (add it to --upstream-capabilities)`,
    );
  }
  if (v.tlsCert !== undefined && v.tlsKey === undefined) {
    throw new ConfigError(`--tls-cert: ${quote(v.tlsCert)} is set but --tls-key is not (give both or neither)`);
  }
  if (v.tlsKey !== undefined && v.tlsCert === undefined) {
    throw new ConfigError(`--tls-key: ${quote(v.tlsKey)} is set but --tls-cert is not (give both or neither)`);
  }
  if (v.externalId !== undefined && v.roleArn === undefined) {
    throw new ConfigError(`--external-id: ${quote(v.externalId)} is only used with --role-arn, which is not set`);
  }
  if (v.spoolMemory > v.maxSpool) {
    throw new ConfigError(`--spool-memory: ${v.spoolMemory} bytes is more than --max-spool (${v.maxSpool} bytes)`);
  }
  const virtualHostSuffixes = parseSuffixes(values.virtualHostSuffixes as string);
  const regionSet = parseRegionSet(values.regionSet as string | undefined, v.signingAlgorithm, region);
  if (v.adminListen !== null && sameAddress(v.adminListen, v.listen)) {
    throw new ConfigError(`--admin-listen: ${quote(formatListenAddress(v.adminListen))} is the address of --listen; pick another port or off`);
  }
  if (v.inboundKeys === undefined && !v.allowUnauthenticated && !isLoopback(v.listen.host)) {
    const at = formatListenAddress(v.listen);
    throw new ConfigError(
      `--listen ${at} is not loopback and --inbound-keys is not set: anyone who reaches the port would borrow signet's IAM identity; set --inbound-keys FILE, or --allow-unauthenticated to accept that`,
    );
  }

  const routes = v.configFile === undefined ? null : loadRoutes(v.configFile, {
    region, upstream, service: v.service, addressing: v.addressing, payload: v.payload, upstreamCapabilities: capabilities,
    signingAlgorithm: v.signingAlgorithm, regionSet,
  });

  return Object.freeze({
    listen: v.listen,
    adminListen: v.adminListen,
    region,
    upstream,
    service: v.service,
    signingAlgorithm: v.signingAlgorithm,
    regionSet,
    addressing: v.addressing,
    virtualHostSuffixes,
    payload: v.payload,
    upstreamCapabilities: capabilities,
    bufferLimit: v.bufferLimit,
    spoolDir: (values.spoolDir as string | undefined) ?? tmpdir(),
    spoolMemory: v.spoolMemory,
    maxSpool: v.maxSpool,
    chunkSize: v.chunkSize,
    hashOffload: v.hashOffload,
    multipart: v.multipart,
    multipartThreshold: v.multipartThreshold,
    partSize: v.partSize,
    multipartConcurrency: v.multipartConcurrency,
    profile: v.profile,
    roleArn: v.roleArn,
    externalId: v.externalId,
    roleSessionName: v.roleSessionName,
    roleDuration: v.roleDuration,
    credentialsRefreshMargin: v.credentialsRefreshMargin,
    connectTimeout: v.connectTimeout,
    headersTimeout: v.headersTimeout,
    bodyTimeout: v.bodyTimeout,
    maxRetries: v.maxRetries,
    logLevel: v.logLevel,
    shutdownGrace: v.shutdownGrace,
    workers: resolveWorkers(values.workers as number | 'auto'),
    tlsCert: v.tlsCert,
    tlsKey: v.tlsKey,
    upstreamCa: v.upstreamCa,
    upstreamInsecure: v.upstreamInsecure,
    maxHeaderSize: v.maxHeaderSize,
    maxConcurrent: v.maxConcurrent,
    clientHeaderTimeout: v.clientHeaderTimeout,
    clientIdleTimeout: v.clientIdleTimeout,
    clientBodyTimeout: v.clientBodyTimeout,
    maxConnections: v.maxConnections,
    inboundKeys: v.inboundKeys,
    tracing: readTracingEnv(values.tracingEnabled as boolean, values.traceKeys as boolean, env),
    allowUnauthenticated: v.allowUnauthenticated,
    configFile: v.configFile,
    routes,
  });
}

/** `auto`: one worker per CPU this process may use (cgroup and affinity limits included), within the flag's bounds. */
function resolveWorkers(value: number | 'auto'): number {
  return value === 'auto' ? Math.min(256, Math.max(1, availableParallelism())) : value;
}

function defaultUpstream(region: string): UpstreamTarget {
  const target = parseUpstream(defaultUpstreamUrl(region));
  // The region already passed its pattern check, so the URL it makes always parses.
  if (typeof target === 'string') throw new ConfigError(`--region: ${quote(region)} does not make a valid endpoint`);
  return target;
}

/** Port 0 means "any free port", so two listeners on port 0 never clash. */
function sameAddress(a: ListenAddress, b: ListenAddress): boolean {
  return a.port !== 0 && a.port === b.port && a.host === b.host;
}
