import type { Config } from '../config/config.js';
import { formatListenAddress } from '../config/index.js';
import { aggregateMetrics, createClusterMetrics, createLogger, createMetrics } from '../observability/index.js';
import type { Logger } from '../observability/index.js';
import { startAdminServer } from '../server/admin.js';
import type { AdminServer, Readiness } from '../server/admin.js';
import { implicitRoute } from '../server/build-routes.js';
import { identityCache } from '../server/identity-cache.js';
import { openProxyWarning } from '../server/open-proxy-warning.js';
import { naming } from '../server/signet.js';
import { CredentialFeed } from './credential-feed.js';
import { MetricsGather } from './metrics-gather.js';
import { poolReadiness } from './pool-readiness.js';
import { DEFAULT_SOURCE } from './primary-link.js';
import { WorkerPool } from './worker-pool.js';
import type { WorkerState } from './worker-pool.js';

/** Beyond --shutdown-grace, what a worker's close may take: aborting multipart uploads (10 s), then a margin. */
const DRAIN_EXTRA_MS = 15_000;

export interface PrimaryOptions {
  readonly version: string;
}

/**
 * `signet serve --workers N`, the primary process: it serves the admin port and no request (it
 * holds the proxy socket for node:cluster's round-robin hand-off to the workers), owns the one
 * credential cache (one provider chain, one refresher: no N-fold STS or IMDS calls) and
 * pushes every set to the workers, aggregates their metrics, replaces a worker that dies, and
 * drains them all on SIGTERM. Returns an exit code when it cannot start (after one line on
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

  const cache = identityCache(implicitRoute(config), { config, logger, metrics }, {
    // Every successful fetch, the first included: one message per refresh to every worker.
    onCredentials: ({ source }) => pool.broadcast(feed.publish(DEFAULT_SOURCE, cache.current(), source)),
  });

  const workerReady = (s: WorkerState, nowMs: number): boolean =>
    s.listening !== null && !s.draining && feed.sources().every((id) => feed.valid(id, s.held.get(id), nowMs));
  const readyCount = (): number => {
    const now = Date.now();
    return pool.states().filter((s) => workerReady(s, now)).length;
  };
  const isReady = (): Readiness =>
    poolReadiness({ draining, credentials: cache.status(), readyWorkers: readyCount(), workers: config.workers, warning: openWarning });
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
    await cache.start();
  } catch (err) {
    cache.stop();
    await admin?.close();
    const message = (err as Error).message;
    logger.fatal({ err: message }, 'startup failed');
    console.error(`signet: ${message}`);
    return 2;
  }

  pool.start();
  installPrimarySignals(pool, logger, config, {
    draining: () => (draining = true),
    finished: async () => {
      cache.stop();
      await admin?.close();
    },
  });
  const failed = await startup;
  if (failed !== undefined) {
    cache.stop();
    await admin?.close();
    return failed;
  }
  logger.info({
    listen: pool.states()[0]?.listening ?? listen, admin: admin?.url ?? 'off', workers: config.workers, upstream: config.upstream.origin,
    region: config.region, payload: config.payload, credentials: cache.status().source,
  }, 'signet ready');
  return undefined;
}

interface PrimaryHooks {
  draining(): void;
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
  });
}
