import type { Config } from '../config/config.js';
import { formatListenAddress, loadRoutes } from '../config/index.js';
import type { RouteConfig } from '../config/index.js';
import { aggregateMetrics, createClusterMetrics, createLogger, createMetrics } from '../observability/index.js';
import type { Logger } from '../observability/index.js';
import { startAdminServer } from '../server/admin.js';
import type { AdminServer, Readiness } from '../server/admin.js';
import { implicitRoute } from '../server/build-routes.js';
import { openProxyWarning } from '../server/open-proxy-warning.js';
import type { Reloader } from '../server/reloader.js';
import { startRoutesReloader } from '../server/routes-reloader.js';
import { naming, waitForCredentials } from '../server/signet.js';
import { CredentialFeed } from './credential-feed.js';
import { MetricsGather } from './metrics-gather.js';
import { poolReadiness } from './pool-readiness.js';
import { PrimaryIdentities } from './primary-identities.js';
import { WorkerPool } from './worker-pool.js';
import type { WorkerState } from './worker-pool.js';

/** Beyond --shutdown-grace, what a worker's close may take: aborting multipart uploads (10 s), then a margin. */
const DRAIN_EXTRA_MS = 15_000;

export interface PrimaryOptions {
  readonly version: string;
}

/**
 * `signet serve --workers N`, the primary process: it serves the admin port and no request (it
 * holds the proxy socket for node:cluster's round-robin hand-off to the workers), owns one
 * credential cache per identity of the route table (one chain, one refresher each: no N-fold STS
 * or IMDS calls) and pushes every set to the workers, leads routes reloads, aggregates their
 * metrics, replaces a worker that dies, and drains them all on SIGTERM. Returns an exit code when it cannot start (after one line on
 * stderr), undefined once the workers serve.
 */
export async function runPrimary(config: Config, options: PrimaryOptions): Promise<number | undefined> {
  const logger = createLogger({ level: config.logLevel, worker: 0 });
  const metrics = createMetrics(undefined, { version: options.version });
  const poolMetrics = createClusterMetrics(metrics.registry);
  const feed = new CredentialFeed();
  const gather = new MetricsGather();
  const listen = formatListenAddress(config.listen);
  const openWarning = openProxyWarning(config);
  if (openWarning !== undefined) logger.warn({ listen }, openWarning);
  let draining = false;
  let started: (code: number | undefined) => void = () => undefined;
  const startup = new Promise<number | undefined>((resolve) => (started = resolve));

  const pool: WorkerPool = new WorkerPool(config.workers, logger, {
    message(state, message) {
      if (message.type === 'signet:hello') for (const set of feed.latest()) pool.send(state, set);
      else if (message.type === 'signet:metrics') gather.answer(message.id, message.metrics);
      else if (message.type === 'signet:listening' && pool.allListening()) {
        pool.started();
        started(undefined);
      }
    },
    startFailed(state, code, signal) {
      logger.fatal({ workerId: state.worker.id, code, signal }, 'a worker could not start; stopping');
      void pool.exitNow().then(() => started(code === null || code === 0 ? 1 : code));
    },
    restarting(state, restartInMs) {
      poolMetrics.workerRestarts.inc();
      logger.error({ workerId: state.worker.id, pid: state.worker.process.pid, slot: state.slot, code: state.worker.process.exitCode,
        signal: state.worker.process.signalCode, restartInMs }, 'worker exited unexpectedly; starting a new one');
    },
  });

  // One cache per identity of the route table; every successful fetch, the first included, is one
  // message to every worker.
  const identities = new PrimaryIdentities({ config, logger, metrics, feed, broadcast: (m) => pool.broadcast(m) });
  const routesOf = (routes: readonly RouteConfig[] | null): { routes: readonly RouteConfig[]; named: boolean } =>
    ({ routes: routes ?? [implicitRoute(config)], named: routes !== null });
  const first = routesOf(config.routes);

  const workerReady = (s: WorkerState, nowMs: number): boolean =>
    s.listening !== null && !s.draining && feed.sources().every((id) => feed.valid(id, s.held.get(id), nowMs));
  const readyCount = (): number => {
    const now = Date.now();
    return pool.states().filter((s) => workerReady(s, now)).length;
  };
  const isReady = (): Readiness =>
    poolReadiness({ draining, credentials: identities.status(), readyWorkers: readyCount(), workers: config.workers, warning: openWarning });
  // Scrapes that arrive while one is being gathered share its answer: a burst of /metrics calls
  // costs the workers one snapshot each, not one per call.
  let scrape: Promise<string> | null = null;
  const gatherText = async (): Promise<string> => {
    poolMetrics.workers.set(pool.states().length);
    poolMetrics.workersReady.set(readyCount());
    const fromWorkers = await gather.collect((id) => {
      let asked = 0;
      for (const s of pool.states()) {
        if (s.hello && pool.send(s, { type: 'signet:metrics-request', id })) asked++;
      }
      return asked;
    });
    return aggregateMetrics(await metrics.registry.getMetricsAsJSON(), fromWorkers).metrics();
  };
  const registry = {
    contentType: metrics.registry.contentType,
    metrics(): Promise<string> {
      scrape ??= gatherText().finally(() => (scrape = null));
      return scrape;
    },
  };

  let admin: AdminServer | null = null;
  try {
    if (config.adminListen !== null) {
      admin = await naming('--admin-listen', formatListenAddress(config.adminListen),
        startAdminServer({ host: config.adminListen.host, port: config.adminListen.port, metrics: { registry }, logger, isReady }));
    }
    // As one process: a source set up but down is waited for (not ready, retried); none at all is exit 2.
    await identities.adopt(first.routes, first.named, waitForCredentials, (err) => {
      logger.warn({ error: err.message }, 'starting without credentials: /readyz answers 503 and requests get 503 until the credential source answers');
    });
    identities.settle(first.routes, first.named);
  } catch (err) {
    identities.stop();
    await admin?.close();
    const message = (err as Error).message;
    logger.fatal({ err: message }, 'startup failed');
    console.error(`signet: ${message}`);
    return 2;
  }

  pool.start();
  const routesReloader = startPrimaryRoutesReloader(config, logger, metrics, identities, pool, routesOf);
  installPrimarySignals(pool, logger, config, {
    draining: () => (draining = true),
    reload: () => routesReloader?.reload(),
    finished: async () => {
      routesReloader?.close();
      identities.stop();
      await admin?.close();
    },
  });
  const failed = await startup;
  if (failed !== undefined) {
    routesReloader?.close();
    identities.stop();
    await admin?.close();
    return failed;
  }
  const credentials = identities.status();
  const line = {
    listen: pool.states()[0]?.listening ?? listen, admin: admin?.url ?? 'off', workers: config.workers, upstream: config.upstream.origin,
    region: config.region, payload: config.payload, credentials: credentials.source,
  };
  // As one process says it: a source down at start is waited for, and the workers answer 503 meanwhile.
  if (credentials.ready) logger.info(line, 'signet ready');
  else logger.warn(line, 'signet listening without credentials; not ready');
  return undefined;
}

/**
 * Routes reload under --workers (README "Workers"): the primary follows the --config file and
 * SIGHUP as one process does, adopts the new table's identities (each new one fetched and pushed
 * to every worker first; a failure refuses the reload, counted and logged once), then tells the
 * workers to build their tables from the file, and stops the identities no route uses any more.
 * Without a routes: list at start, nothing is watched (as with one process).
 */
function startPrimaryRoutesReloader(
  config: Config, logger: Logger, metrics: ReturnType<typeof createMetrics>, identities: PrimaryIdentities, pool: WorkerPool,
  routesOf: (routes: readonly RouteConfig[] | null) => { routes: readonly RouteConfig[]; named: boolean },
): Reloader | null {
  const file = config.configFile;
  if (config.routes === null || file === undefined) return null;
  return startRoutesReloader(file, metrics, logger, {
    load: async () => {
      const next = routesOf(loadRoutes(file, config));
      await identities.adopt(next.routes, next.named);
      return next;
    },
    apply: (next) => {
      pool.broadcast({ type: 'signet:routes-reload' });
      identities.settle(next.routes, next.named);
      logger.info({ routes: next.routes.map((r) => r.name), workers: pool.states().length }, 'routes reloaded; the workers reload theirs');
    },
  });
}

interface PrimaryHooks {
  draining(): void;
  /** SIGHUP: the primary's own reload (routes), beside the signal passed on to the workers (keys). */
  reload(): Promise<void> | undefined;
  finished(): Promise<void>;
}

/**
 * SIGTERM/SIGINT: /readyz off at once, every worker drains (as one process does on SIGTERM), then
 * exit 0 (1 if a worker had to be killed or failed). A second signal: workers exit at once, and so
 * does the primary, with 1. SIGHUP is passed on to every worker.
 */
function installPrimarySignals(pool: WorkerPool, logger: Logger, config: Config, hooks: PrimaryHooks): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      void pool.exitNow().then(() => process.exit(1));
      return;
    }
    stopping = true;
    hooks.draining();
    logger.info({ signal, workers: pool.states().length }, 'shutting down: draining every worker');
    void pool.drain(config.shutdownGrace + DRAIN_EXTRA_MS).then(async (exits) => {
      await hooks.finished().catch(() => undefined);
      const clean = exits.every((e) => e.code === 0);
      if (clean) logger.info({}, 'shutdown complete');
      else logger.error({ exits }, 'shutdown complete; some workers did not exit cleanly');
      process.exit(clean ? 0 : 1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => {
    logger.info({ signal: 'SIGHUP', workers: pool.states().length }, 'passing the signal to every worker');
    pool.signal('SIGHUP');
    // Never thrown: a failed reload is reported by the reloader and the old routes stay.
    void hooks.reload()?.catch(() => undefined);
  });
}
