import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { formatListenAddress, isLoopback } from '../config/index.js';
import { CredentialChainError } from '../credentials/index.js';
import type { CredentialFetcher, CredentialHolder } from '../credentials/index.js';
import { accessLogVia, createMetrics, labelCache, requestObserver, startTracing } from '../observability/index.js';
import type { AccessLog, Metrics, Tracer } from '../observability/index.js';
import { HashPool, spareCores } from '../payload/hash-pool.js';
import type { MultipartEvents } from '../multipart/index.js';
import { inboundAuth } from '../proxy/inbound-auth.js';
import { handleRequest } from '../proxy/pipeline.js';
import { postObjectRelay } from '../proxy/post-object-relay.js';
import { sideRoutes } from '../proxy/side-routes.js';
import { signetEndpoint } from '../proxy/signet-endpoint.js';
import { MintedPolicies } from '../presign/minted-policies.js';
import type { PipelineObserver, PipelineSettings } from '../proxy/pipeline.js';
import { RouteHolder } from '../route/index.js';
import type { RouteTable } from '../route/index.js';
import type { ClockSkew } from '../s3/clock-skew.js';
import type { RegionCache } from '../s3/region-cache.js';
import { S3_ERRORS } from '../errors.js';
import { startAdminServer } from './admin.js';
import { RouteBuilder } from './build-routes.js';
import { forwardHooks } from './forward-hooks.js';
import { startInboundKeys } from './inbound-keys.js';
import { startRoutesReload } from './routes-reload.js';
import type { AdminServer } from './admin.js';
import { startProxyServer } from './proxy-server.js';
import { createUpstreamAgent } from './upstream-agent.js';
import { openProxyWarning } from './open-proxy-warning.js';
import type { ListenerEvents, ProxyServer } from './proxy-server.js';

export interface SignetDeps {
  readonly logger: Logger;
  /** The per-request log (serve uses createAccessLog); lines go through `logger` when absent. */
  readonly accessLog?: AccessLog;
  /** Overrides the AWS credential chain (the demo hands in its generated keys). */
  readonly fetchCredentials?: CredentialFetcher;
  /** Where credential chains read AWS_* settings (profiles' files, STS endpoint); process.env when absent. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Credentials held for this process by someone else, by identity key (identityKey()): a --workers
   * worker's, pushed by the primary. Routes then build no caches of their own, and the routes follow
   * the primary's reloads instead of the --config file.
   */
  readonly credentialsFor?: (identity: string) => CredentialHolder;
  readonly version?: string;
  /** HTML served at /_signet/demo on the proxy listener (signet demo's upload page). */
  readonly demoPage?: string;
}

export interface RunningSignet {
  readonly proxy: ProxyServer;
  readonly admin: AdminServer | null;
  /** The first route's credentials (the only route's, without `routes:`). */
  readonly credentials: CredentialHolder;
  readonly metrics: Metrics;
  /** The first route's upstream clock and bucket regions. */
  readonly clock: ClockSkew;
  readonly regions: RegionCache;
  /** The route table requests are read through (README "Routes"). */
  readonly routes: RouteHolder;
  /**
   * Re-reads the `routes:` list of --config: a new table is built, its new identities fetched,
   * and only then swapped in (in-flight requests keep the route they started with). Throws one
   * line and keeps the old table when the file is bad or a new identity cannot be had.
   */
  reloadRoutes(): Promise<void>;
  /** null when tracing is off. */
  readonly tracer: Tracer | null;
  /** Threads hashing signed streaming chunks; null when no CPU is spare or --hash-offload off. */
  readonly hashPool: HashPool | null;
  draining: boolean;
  /** Re-reads what can change without a restart (--inbound-keys), even when unchanged: SIGHUP. */
  reload(): Promise<void>;
  /** Graceful: readiness off, drain up to --shutdown-grace, then close everything. */
  close(): Promise<void>;
}

export { regionalUpstream } from './regional-upstream.js';

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
  const routeChildren = new Map<string, ReturnType<typeof metrics.routeRequests.labels>>();
  const byRoute = (key: string): ReturnType<typeof metrics.routeRequests.labels> => {
    let child = routeChildren.get(key);
    if (child === undefined) {
      const space = key.lastIndexOf(' ');
      child = metrics.routeRequests.labels(key.slice(0, space), key.slice(space + 1));
      routeChildren.set(key, child);
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
      // Bounded: route names come from the config file, and only a matched request has one.
      if (ctx.routeName !== '') byRoute(ctx.routeName + ' ' + statusClass(ctx.status)).inc();
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
export async function naming<T>(flag: string, address: string, listening: Promise<T>): Promise<T> {
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

/** Ready when not draining and every route's identity holds valid credentials (the first one missing is named). */
function readiness(table: RouteTable): { ready: boolean; reason?: string } {
  for (const route of table.routes) {
    const st = route.credentials.status();
    if (!st.ready) {
      const why = st.lastError ?? 'no valid credentials yet';
      return { ready: false, reason: table.single === null ? `route ${route.name}: ${why}` : why };
    }
  }
  return { ready: true };
}

/** Whether a failed first credential fetch is a source to wait for, rather than none at all (see CredentialChainError). */
export function waitForCredentials(err: unknown): boolean {
  const cause = (err as { cause?: unknown }).cause;
  return !(cause instanceof CredentialChainError) || cause.sourceConfigured;
}

/** Builds and starts everything `signet serve` runs, from one validated Config. */
export async function startSignet(config: Config, deps: SignetDeps): Promise<RunningSignet> {
  const { logger } = deps;
  const metrics = createMetrics(undefined, deps.version === undefined ? {} : { version: deps.version });
  // Gateway mode: keys are read before anything listens, so a bad file stops startup; later
  // changes (file, secretFile, SIGHUP) are reloaded in place.
  const keys = config.inboundKeys === undefined ? null : startInboundKeys(config.inboundKeys, logger, metrics);
  const admit = keys === null ? undefined : inboundAuth(keys.directory, { region: config.region }, undefined, {
    // Refusals only, so no label cache: prom-client's own lookup is cheap enough off the hot path.
    throttled: (client, reason) => metrics.clientThrottled.labels(client, reason).inc(),
  });
  const dispatcher = createUpstreamAgent(config);
  // Signed streaming hashes chunks beside the event loop where a core is spare (hash-pool.ts).
  const spare = config.hashOffload === 'off' ? 0 : spareCores();
  const hashPool = spare < 1 ? null : await new HashPool({
    threads: Math.min(spare, MAX_HASH_THREADS),
    adaptive: config.hashOffload === 'auto',
    onWorkerFailed: (err) => logger.warn({ err: err.message }, 'chunk hashing thread failed; hashing on the event loop for 30 s'),
  }).start();
  const builder = new RouteBuilder({
    config, logger, metrics, dispatcher, hooks: forwardHooks(metrics, logger), multipartEvents: multipartEvents(metrics),
    fetchCredentials: deps.fetchCredentials, env: deps.env, hashPool, credentialsFor: deps.credentialsFor,
  });
  const routes = new RouteHolder(builder.build(config.routes));
  let draining = false;
  const openWarning = openProxyWarning(config);
  if (openWarning !== undefined) logger.warn({ listen: formatListenAddress(config.listen) }, openWarning);
  const admin = config.adminListen === null ? null : await naming('--admin-listen', formatListenAddress(config.adminListen), startAdminServer({
    host: config.adminListen.host, port: config.adminListen.port, metrics, logger,
    isReady: () => {
      if (draining) return { ready: false, reason: 'draining' };
      const r = readiness(routes.current());
      if (!r.ready) return r;
      return openWarning === undefined ? { ready: true } : { ready: true, reason: openWarning };
    },
  }).catch(async (err: unknown) => {
    await dispatcher.close().catch(() => undefined);
    await hashPool?.close();
    throw err;
  }));
  // Nothing here can supply credentials: a configuration error, reported at once (exit 2). A source
  // that is set up but down (the Pod Identity agent not answering yet, STS unreachable) is
  // waited for instead: signet listens, /readyz says why it is not ready, requests get 503, and
  // the cache keeps retrying with backoff in the background. Every route's identity alike.
  try {
    await builder.start(routes.current(), waitForCredentials, (err) => {
      logger.warn({ error: err.message }, 'starting without credentials: /readyz answers 503 and requests get 503 until the credential source answers');
    });
  } catch (err) {
    keys?.reloader.close();
    await admin?.close();
    builder.stop();
    await dispatcher.close().catch(() => undefined);
    await hashPool?.close();
    throw err;
  }
  // Only with tracing on are the OpenTelemetry packages loaded at all.
  const tracer = config.tracing === null ? null : await startTracing(config.tracing, { version: deps.version ?? 'unknown', logger });
  // Browser uploads and presigned links are minted and relayed under the same identity and rules.
  const minted = new MintedPolicies();
  const side = sideRoutes(
    signetEndpoint({ routes, admit, minted, logger, demoPage: deps.demoPage }),
    postObjectRelay({ minted: admit === undefined ? null : minted, logger }),
  );
  const pipeline: PipelineSettings = {
    logger,
    accessLog: deps.accessLog ?? accessLogVia(logger),
    observer: pipelineObserver(metrics),
    virtualHostSuffixes: config.virtualHostSuffixes,
    ...(admit === undefined ? {} : { admit }),
    loopbackGuard: admit === undefined && isLoopback(config.listen.host),
    sideRoute: side,
    ...(tracer === null ? {} : { tracer }),
    routes,
  };
  const proxy = await naming('--listen', formatListenAddress(config.listen), startProxyServer({
    host: config.listen.host, port: config.listen.port, logger,
    handler: (req, res, release) => handleRequest(req, res, pipeline, release),
    maxConcurrent: config.maxConcurrent, maxHeaderSize: config.maxHeaderSize,
    headersTimeoutMs: config.clientHeaderTimeout, idleTimeoutMs: config.clientIdleTimeout,
    bodyTimeoutMs: config.clientBodyTimeout, maxConnections: config.maxConnections, events: listenerEvents(metrics),
    tls: config.tlsCert !== undefined && config.tlsKey !== undefined ? { certFile: config.tlsCert, keyFile: config.tlsKey } : undefined,
  }).catch(async (err: unknown) => {
    keys?.reloader.close();
    await admin?.close();
    builder.stop();
    await dispatcher.close().catch(() => undefined);
    await hashPool?.close();
    await tracer?.shutdown().catch(() => undefined);
    throw err;
  }));
  const first = routes.current().routes[0]!;
  // Watched (file change, SIGHUP) only when signet started with a routes: list; adding one to a
  // config that had none takes a restart.
  // A --workers worker watches nothing: its credentials come from the primary, which re-reads the
  // file, fetches and pushes new identities, and then tells it to reload (cluster/README.md).
  const routesReload = startRoutesReload(config, builder, routes, metrics, logger, deps.credentialsFor === undefined);
  const running: RunningSignet = {
    proxy, admin, metrics, tracer, routes, hashPool,
    credentials: first.credentials, clock: first.forward.clock, regions: first.forward.regions,
    get draining() { return draining; },
    set draining(v: boolean) { draining = v; },
    reloadRoutes: routesReload.now,
    reload: async () => {
      if (keys === null && routesReload.reloader === null) {
        logger.info({}, config.routes === null ? 'reload: nothing to reload (no --inbound-keys, no routes)' : 'reload: nothing to reload here (routes follow the primary)');
      }
      await keys?.reloader.reload();
      await routesReload.reloader?.reload();
    },
    async close() {
      draining = true;
      keys?.reloader.close();
      routesReload.reloader?.close();
      await proxy.shutdown(config.shutdownGrace);
      // Uploads cut off by the shutdown send AbortMultipartUpload: they need credentials and the pool.
      await builder.drain(MULTIPART_DRAIN_MS);
      builder.stop();
      await dispatcher.close().catch(() => undefined);
      await hashPool?.close();
      // The last spans go out before the process exits.
      await tracer?.shutdown().catch(() => undefined);
      await admin?.close();
    },
  };
  return running;
}
