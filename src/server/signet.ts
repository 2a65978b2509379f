import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { defaultUpstreamUrl, formatListenAddress, isLoopback, parseUpstream } from '../config/index.js';
import { CredentialCache, createCredentialChain } from '../credentials/index.js';
import type { CredentialFetcher } from '../credentials/index.js';
import { accessLogVia, credentialEventsFor, createMetrics, labelCache, requestObserver, startTracing } from '../observability/index.js';
import type { AccessLog, Metrics, Tracer } from '../observability/index.js';
import { MultipartService } from '../multipart/index.js';
import { HashPool, spareCores } from '../payload/hash-pool.js';
import type { MultipartEvents } from '../multipart/index.js';
import { inboundAuth } from '../proxy/inbound-auth.js';
import { loadInboundClients } from '../proxy/inbound-clients.js';
import { handleRequest } from '../proxy/pipeline.js';
import { postObjectRelay } from '../proxy/post-object-relay.js';
import { sideRoutes } from '../proxy/side-routes.js';
import { signetEndpoint } from '../proxy/signet-endpoint.js';
import { MintedPolicies } from '../presign/minted-policies.js';
import type { PipelineObserver, PipelineSettings } from '../proxy/pipeline.js';
import { ClockSkew } from '../s3/clock-skew.js';
import type { Upstream } from '../s3/endpoint.js';
import { RegionCache } from '../s3/region-cache.js';
import { RetryBudget } from '../s3/retry-policy.js';
import { diagnoseSignatureMismatch } from '../s3/signature-diagnosis.js';
import { redactCanonicalRequest, redactText } from '../s3/redact.js';
import type { RequestContext } from '../proxy/context.js';
import type { SignedRequest } from '../sigv4/signer.js';
import { S3_ERRORS } from '../errors.js';
import { startAdminServer } from './admin.js';
import type { AdminServer } from './admin.js';
import { startProxyServer } from './proxy-server.js';
import { createUpstreamAgent } from './upstream-agent.js';
import type { ListenerEvents, ProxyServer } from './proxy-server.js';

export interface SignetDeps {
  readonly logger: Logger;
  /** The per-request log (serve uses createAccessLog); lines go through `logger` when absent. */
  readonly accessLog?: AccessLog;
  /** Overrides the AWS credential chain (the demo hands in its generated keys). */
  readonly fetchCredentials?: CredentialFetcher;
  readonly version?: string;
  /** HTML served at /_signet/demo on the proxy listener (signet demo's upload page). */
  readonly demoPage?: string;
}

export interface RunningSignet {
  readonly proxy: ProxyServer;
  readonly admin: AdminServer | null;
  readonly credentials: CredentialCache;
  readonly metrics: Metrics;
  readonly clock: ClockSkew;
  readonly regions: RegionCache;
  /** null when tracing is off. */
  readonly tracer: Tracer | null;
  /** Threads hashing signed streaming chunks; null when no CPU is spare or --hash-offload off. */
  readonly hashPool: HashPool | null;
  draining: boolean;
  /** Graceful: readiness off, drain up to --shutdown-grace, then close everything. */
  close(): Promise<void>;
}

const AWS_REGIONAL_HOST = /^s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;

/** For a bucket found in another region: AWS default endpoints follow it; custom endpoints stay. */
export function regionalUpstream(upstream: Upstream): (region: string) => Upstream {
  const cache = new Map<string, Upstream>();
  return (region) => {
    if (!upstream.isAws || !AWS_REGIONAL_HOST.test(upstream.hostname)) return upstream;
    let u = cache.get(region);
    if (u === undefined) {
      // The region's default endpoint, on the scheme and port the operator configured.
      const url = new URL(defaultUpstreamUrl(region));
      url.protocol = upstream.protocol;
      url.port = String(upstream.port);
      const parsed = parseUpstream(url.origin);
      u = typeof parsed === 'string' ? upstream : parsed;
      cache.set(region, u);
    }
    return u;
  };
}

function pipelineObserver(metrics: Metrics): PipelineObserver {
  const requests = requestObserver(metrics);
  const strategy = labelCache(metrics.payloadStrategy);
  const upstreamError = labelCache(metrics.upstreamErrors);
  const clientChildren = new Map<string, ReturnType<typeof metrics.clientRequests.labels>>();
  const byClient = (key: string): ReturnType<typeof metrics.clientRequests.labels> => {
    let child = clientChildren.get(key);
    if (child === undefined) {
      const space = key.lastIndexOf(' ');
      child = metrics.clientRequests.labels(key.slice(0, space), key.slice(space + 1));
      clientChildren.set(key, child);
    }
    return child;
  };
  return {
    started: () => metrics.requestsInFlight.inc(),
    finished(ctx, seconds) {
      metrics.requestsInFlight.dec();
      requests.observe(ctx.method, ctx.operation, ctx.status, seconds);
      if (ctx.upstreamSeconds > 0) requests.upstream(ctx.operation, ctx.upstreamSeconds);
      if (ctx.signingSeconds > 0) metrics.signingDuration.observe(ctx.signingSeconds);
      if (ctx.bytesIn > 0) metrics.requestBytes.inc(ctx.bytesIn);
      if (ctx.bytesOut > 0) metrics.responseBytes.inc(ctx.bytesOut);
      if (ctx.strategy !== '') strategy(ctx.strategy).inc();
      // Bounded: client names come from the keys file, and only a verified client has one.
      if (ctx.clientName !== '') byClient(ctx.clientName + ' ' + statusClass(ctx.status)).inc();
      if (ctx.status === S3_ERRORS.ClientClosedRequest.status) metrics.clientClosedRequests.inc();
      else if (ctx.errorCode !== '') upstreamError(ctx.errorCode).inc();
    },
  };
}

function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

function listenerEvents(metrics: Metrics): ListenerEvents {
  const timeouts = labelCache(metrics.clientTimeouts);
  return {
    connectionOpened: () => metrics.connectionsOpen.inc(),
    connectionClosed: () => metrics.connectionsOpen.dec(),
    connectionRejected: () => metrics.connectionsRejected.inc(),
    clientTimeout: (phase) => timeouts(phase).inc(),
  };
}

function multipartEvents(metrics: Metrics): MultipartEvents {
  const aborted = labelCache(metrics.multipartAborted);
  return {
    started: () => metrics.multipartStarted.inc(),
    completed: () => metrics.multipartCompleted.inc(),
    aborted: (reason) => aborted(reason).inc(),
    abortFailed: () => metrics.multipartAbortFailures.inc(),
    part: () => metrics.multipartParts.inc(),
    partRetry: () => metrics.multipartPartRetries.inc(),
  };
}

/** One upload keeps one hashing thread busy at about the event loop's pace; more threads serve concurrent uploads. */
const MAX_HASH_THREADS = 4;

/** Longest a shutdown waits, after the listener has drained, for multipart uploads to be aborted. */
const MULTIPART_DRAIN_MS = 10_000;

/** A listener that cannot bind fails with one line naming its flag, as a bad value would. */
async function naming<T>(flag: string, address: string, listening: Promise<T>): Promise<T> {
  try {
    return await listening;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new Error(`${flag}: ${address} is already in use`);
    if (code === 'EACCES') throw new Error(`${flag}: not allowed to listen on ${address}`);
    if (code === 'EADDRNOTAVAIL') throw new Error(`${flag}: ${address} is not an address of this machine`);
    throw err;
  }
}

/** Builds and starts everything `signet serve` runs, from one validated Config. */
export async function startSignet(config: Config, deps: SignetDeps): Promise<RunningSignet> {
  const { logger } = deps;
  // Gateway mode: keys are read once, before anything listens, so a bad file stops startup.
  const admit = config.inboundKeys === undefined ? undefined : inboundAuth(loadInboundClients(config.inboundKeys), { region: config.region });
  const metrics = createMetrics(undefined, deps.version === undefined ? {} : { version: deps.version });
  const credentials = new CredentialCache({
    fetch: deps.fetchCredentials ?? createCredentialChain({
      profile: config.profile, roleArn: config.roleArn, externalId: config.externalId,
      roleSessionName: config.roleSessionName, roleDurationSeconds: Math.round(config.roleDuration / 1000), region: config.region,
    }),
    refreshMarginMs: config.credentialsRefreshMargin,
    logger: logger.child({ component: 'credentials' }),
    events: credentialEventsFor(metrics),
  });
  let draining = false;
  // The operator accepted an open proxy (--allow-unauthenticated); say so where probes and people look.
  const openWarning = config.inboundKeys === undefined && !isLoopback(config.listen.host)
    ? `warning: ${formatListenAddress(config.listen)} is not loopback and --inbound-keys is not set (--allow-unauthenticated): anyone who reaches it signs with signet's IAM identity`
    : undefined;
  if (openWarning !== undefined) logger.warn({ listen: formatListenAddress(config.listen) }, openWarning);
  const admin = config.adminListen === null ? null : await naming('--admin-listen', formatListenAddress(config.adminListen), startAdminServer({
    host: config.adminListen.host, port: config.adminListen.port, metrics, logger,
    isReady: () => {
      if (draining) return { ready: false, reason: 'draining' };
      const st = credentials.status();
      if (!st.ready) return { ready: false, reason: st.lastError ?? 'no valid credentials yet' };
      return openWarning === undefined ? { ready: true } : { ready: true, reason: openWarning };
    },
  }));
  try {
    await credentials.start();
  } catch (err) {
    await admin?.close();
    credentials.stop();
    throw err;
  }
  const clock = new ClockSkew(Date.now, (offset) => {
    metrics.clockSkew.set(offset);
    if (Math.abs(offset) > 60) logger.warn({ clockSkewSeconds: offset }, 'local clock differs from S3 by more than a minute; signing with the corrected time');
  });
  const regions = new RegionCache();
  // Only with tracing on are the OpenTelemetry packages loaded at all.
  const tracer = config.tracing === null ? null : await startTracing(config.tracing, { version: deps.version ?? 'unknown', logger });
  let invalidRegionLogged = false;
  const dispatcher = createUpstreamAgent(config);
  const retryReason = labelCache(metrics.retries);
  const mismatchLogAt = { last: 0 };
  // Browser uploads and presigned links are minted and relayed under the same identity and rules.
  const minted = new MintedPolicies();
  const side = sideRoutes(
    signetEndpoint({
      credentials, upstream: config.upstream, addressing: config.addressing, region: config.region, service: config.service,
      now: () => clock.now(), admit, minted, logger, demoPage: deps.demoPage,
    }),
    postObjectRelay({
      dispatcher, upstream: config.upstream, upstreamForRegion: regionalUpstream(config.upstream), region: config.region,
      addressing: config.addressing, regions, minted: admit === undefined ? null : minted, logger,
    }),
  );
  // Signed streaming hashes chunks beside the event loop where a core is spare (hash-pool.ts).
  const spare = config.hashOffload === 'off' ? 0 : spareCores();
  const hashPool = spare < 1 ? null : await new HashPool({
    threads: Math.min(spare, MAX_HASH_THREADS),
    adaptive: config.hashOffload === 'auto',
    onWorkerFailed: (err) => logger.warn({ err: err.message }, 'chunk hashing thread failed; hashing on the event loop for 30 s'),
  }).start();
  const settings: PipelineSettings = {
    logger,
    accessLog: deps.accessLog ?? accessLogVia(logger),
    observer: pipelineObserver(metrics),
    virtualHostSuffixes: config.virtualHostSuffixes,
    ...(admit === undefined ? {} : { admit }),
    loopbackGuard: admit === undefined && isLoopback(config.listen.host),
    sideRoute: side,
    ...(tracer === null ? {} : { tracer }),
    payload: {
      mode: config.payload, bufferLimit: config.bufferLimit, capabilities: config.upstreamCapabilities,
      chunkSize: config.chunkSize, spoolDir: config.spoolDir, spoolMemory: config.spoolMemory, maxSpool: config.maxSpool,
      onSpoolBytes: (delta) => metrics.spoolBytes.inc(delta),
      ...(hashPool === null ? {} : { hashPool }),
    },
    forward: {
      dispatcher, upstream: config.upstream, upstreamForRegion: regionalUpstream(config.upstream), region: config.region,
      service: config.service, addressing: config.addressing, credentials, clock, regions,
      budget: new RetryBudget(), maxRetries: config.maxRetries,
      onRetry: (reason) => retryReason(reason).inc(),
      onRegionRedirect: () => metrics.regionRedirects.inc(),
      onInvalidRegion: (region) => {
        // Once per process: an upstream that lies about regions would otherwise flood the log.
        if (invalidRegionLogged) return;
        invalidRegionLogged = true;
        logger.warn({ region: JSON.stringify(region).slice(0, 80) }, 'upstream named a region that is not a region name; ignored');
      },
      // At debug level, what signet signed, line for line (session token and SSE-C keys masked): the first
      // thing to compare when a store rejects signatures without saying why. Decided once here.
      ...(logger.isLevelEnabled('debug')
        ? {
            onSigned: (ctx: RequestContext, signed: SignedRequest) =>
              logger.debug({
                reqId: ctx.id, region: ctx.region, signedHeaders: signed.signedHeaders,
                canonicalRequest: redactText(redactCanonicalRequest(signed.canonicalRequest), [signed.securityToken ?? '']),
                stringToSign: signed.stringToSign,
              }, 'signed'),
          }
        : {}),
      onSignatureMismatch: (ctx, signed, parsed) => {
        metrics.signatureMismatch.inc();
        // One warning per 10 s at most: a misconfiguration would otherwise flood the log.
        const now = Date.now();
        if (now - mismatchLogAt.last < 10_000) return;
        mismatchLogAt.last = now;
        const diagnosis = diagnoseSignatureMismatch(signed, parsed);
        logger.warn({ reqId: ctx.id, op: ctx.operation, summary: diagnosis.summary, differences: diagnosis.differences },
          'S3 answered SignatureDoesNotMatch');
      },
    },
  };
  const multipart = config.multipart === 'off' ? null : new MultipartService({
    mode: config.multipart, threshold: config.multipartThreshold, partSize: config.partSize, concurrency: config.multipartConcurrency,
  }, settings.forward, multipartEvents(metrics), logger);
  const pipeline: PipelineSettings = multipart === null ? settings : { ...settings, multipart };
  const proxy = await naming('--listen', formatListenAddress(config.listen), startProxyServer({
    host: config.listen.host, port: config.listen.port, logger,
    handler: (req, res) => handleRequest(req, res, pipeline),
    maxConcurrent: config.maxConcurrent, maxHeaderSize: config.maxHeaderSize,
    headersTimeoutMs: config.clientHeaderTimeout, idleTimeoutMs: config.clientIdleTimeout,
    bodyTimeoutMs: config.clientBodyTimeout, maxConnections: config.maxConnections, events: listenerEvents(metrics),
    tls: config.tlsCert !== undefined && config.tlsKey !== undefined ? { certFile: config.tlsCert, keyFile: config.tlsKey } : undefined,
  }).catch(async (err: unknown) => {
    await admin?.close();
    credentials.stop();
    await dispatcher.close().catch(() => undefined);
    await hashPool?.close();
    await tracer?.shutdown().catch(() => undefined);
    throw err;
  }));
  const running: RunningSignet = {
    proxy, admin, credentials, metrics, clock, regions, tracer, hashPool,
    get draining() { return draining; },
    set draining(v: boolean) { draining = v; },
    async close() {
      draining = true;
      await proxy.shutdown(config.shutdownGrace);
      // Uploads cut off by the shutdown send AbortMultipartUpload: they need credentials and the pool.
      await multipart?.drain(MULTIPART_DRAIN_MS);
      credentials.stop();
      await dispatcher.close().catch(() => undefined);
      await hashPool?.close();
      // The last spans go out before the process exits.
      await tracer?.shutdown().catch(() => undefined);
      await admin?.close();
    },
  };
  return running;
}
