import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { connectToPrimary } from './cluster/primary-link.js';
import { runPrimary } from './cluster/primary.js';
import { WORKER_MARK } from './cluster/worker-pool.js';
import { ConfigError, helpText, loadConfig, wantsHelp } from './config/index.js';
import type { Config } from './config/index.js';
import { createAccessLog, createLogger } from './observability/index.js';
import type { CredentialFetcher } from './credentials/index.js';
import { startSignet } from './server/signet.js';
import { minorCollector, startBodyMemoryGovernor } from './server/body-memory.js';
import { primeMalloc } from './server/prime-malloc.js';
import type { RunningSignet } from './server/signet.js';
import { gracefulExit } from './server/graceful-exit.js';
import type { ExitLogger } from './server/graceful-exit.js';

const USAGE = `signet — a SigV4 signing reverse proxy for Amazon S3

Usage: signet <command> [flags]

Commands:
  serve     run the proxy (signet serve --help lists every flag)
  demo      run the proxy in front of an embedded local S3 that verifies every signature
  doctor    check credentials, identity, endpoint, clock, bucket region and a signed round trip
            (signet doctor [--bucket NAME] [--json] [serve flags…]; exit 0 only when all pass)
  presign   print a presigned URL for s3://bucket/key (any method, multipart calls, signed
            headers), signed with serve's credentials
  presign-post  print the url and form fields of a browser upload (S3 POST policy) as JSON
  version   print the version

Docs: README.md`;

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage. */
export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    case 'version':
    case '--version':
      console.log(`signet ${version()} (node ${process.version})`);
      return 0;
    case 'serve':
      return serve(rest);
    case 'demo': {
      const { runDemo } = await import('./demo-command.js');
      return runDemo(rest);
    }
    case 'doctor': {
      const { runDoctor } = await import('./doctor/command.js');
      return runDoctor(rest);
    }
    case 'presign': {
      const { presignCommand } = await import('./presign/command.js');
      return presignCommand(rest);
    }
    case 'presign-post': {
      const { presignPostCommand } = await import('./presign/command.js');
      return presignPostCommand(rest);
    }
    default:
      console.error(`signet: unknown command ${JSON.stringify(command)} (try: signet --help)`);
      return 2;
  }
}

async function serve(argv: string[]): Promise<number | undefined> {
  if (wantsHelp(argv)) {
    console.log(helpText());
    return 0;
  }
  const launched = await launch(argv, process.env);
  return typeof launched === 'number' ? launched : undefined;
}

export interface LaunchOptions {
  /** Credentials other than the AWS chain's (the demo's generated keys). */
  readonly fetchCredentials?: CredentialFetcher;
  /** Whatever else the process started, released when signet stops or fails to start. */
  readonly release?: () => Promise<void>;
  /** The demo's upload page, served at /_signet/demo. */
  readonly demoPage?: string;
}

/**
 * Config → loggers → a running signet with signal handling: the one start-up path of `serve` and
 * `demo`. Returns the exit code when it cannot start (2: bad configuration, a port taken, no
 * credentials), after one line on stderr.
 */
export async function launch(argv: string[], env: NodeJS.ProcessEnv, options: LaunchOptions = {}): Promise<RunningSignet | number | undefined> {
  let config: Config;
  try {
    config = loadConfig(argv, env);
  } catch (err) {
    await options.release?.();
    if (err instanceof ConfigError) {
      console.error(`signet: ${err.message}`);
      return 2;
    }
    throw err;
  }
  // --workers N: this process is the primary (admin port, credentials, the workers) or, forked by it, a worker.
  // Only a process our primary forked is a worker (a later edit of the config file cannot turn it
  // into something else); under another cluster manager (pm2) signet runs as it is started.
  const role = cluster.isWorker && env[WORKER_MARK] === '1' ? 'worker' : config.workers === 1 ? 'single' : 'primary';
  if (role === 'primary' && cluster.isWorker) {
    console.error('signet: --workers: this process is already a cluster worker of another manager; use --workers 1 and let it start the processes');
    return 2;
  }
  if (role !== 'single' && options.fetchCredentials !== undefined) {
    await options.release?.();
    console.error('signet: --workers: signet demo runs as one process (use signet serve for workers)');
    return 2;
  }
  if (role === 'primary') return runPrimary(config, { version: version() });
  const worker = role === 'worker' ? cluster.worker?.id : undefined;
  const logger = createLogger({ level: config.logLevel, ...(worker === undefined ? {} : { worker }) });
  const accessLog = createAccessLog(config.logLevel, undefined, worker === undefined ? {} : { worker });
  const link = role === 'worker' ? connectToPrimary(logger) : null;
  if (config.upstreamInsecure) {
    logger.warn({ upstream: config.upstream.origin }, 'UPSTREAM TLS VERIFICATION IS OFF (--upstream-insecure): anyone on the path can read and alter traffic');
  }
  let running: RunningSignet;
  try {
    // A worker has no admin port (the primary serves it) and signs with what the primary pushes.
    running = await startSignet(link === null ? config : { ...config, adminListen: null }, {
      logger, accessLog, version: version(),
      ...(link === null ? {} : { credentialsFor: link.credentialsFor }),
      ...(options.fetchCredentials ? { fetchCredentials: options.fetchCredentials } : {}),
      ...(options.demoPage !== undefined ? { demoPage: options.demoPage } : {}),
    });
  } catch (err) {
    await options.release?.();
    logger.fatal({ err: (err as Error).message }, 'startup failed');
    console.error(`signet: ${(err as Error).message}`);
    // The IPC channel would keep a worker alive; the primary reads the exit code.
    if (link !== null) process.exit(2);
    return 2;
  }
  const started = {
    listen: running.proxy.url, admin: running.admin?.url ?? 'off', upstream: config.upstream.origin, region: config.region,
    payload: config.payload, credentials: running.credentials.status().source,
    tracing: config.tracing === null ? 'off' : `${config.tracing.protocol} ${config.tracing.url} sampler=${config.tracing.sampler}${config.tracing.sampler.endsWith('ratio') ? ':' + config.tracing.ratio : ''}`,
  };
  if (running.credentials.ready()) logger.info(started, 'signet ready');
  else logger.warn(started, 'signet listening without credentials; not ready');
  primeMalloc(minorCollector());
  const governor = startBodyMemoryGovernor();
  const afterClose = async (): Promise<void> => {
    governor?.stop();
    await options.release?.();
  };
  if (link === null) installSignalHandlers(running, logger, accessLog.flush, afterClose);
  else link.serve(running, gracefulExit(running, logger, accessLog.flush, afterClose));
  return running;
}

/**
 * SIGTERM/SIGINT: readiness off at once, drain, exit 0; a second signal exits at once.
 * SIGHUP: reload --inbound-keys and the routes: list (the daemon convention); it never stops signet, even while draining.
 */
export function installSignalHandlers(
  running: RunningSignet,
  logger: ExitLogger,
  flush: () => void = () => undefined,
  afterClose: () => Promise<void> = async () => undefined,
): void {
  const exit = gracefulExit(running, logger, flush, afterClose);
  const onSignal = (signal: NodeJS.Signals): void => (exit.began ? exit.now(signal) : exit.begin(signal));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => {
    if (exit.began) return;
    running.reload().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'reload failed'));
  });
}
