import { readFileSync } from 'node:fs';
import { ConfigError, helpText, loadConfig, wantsHelp } from './config/index.js';
import type { Config } from './config/index.js';
import { createAccessLog, createLogger } from './observability/index.js';
import type { CredentialFetcher } from './credentials/index.js';
import { startSignet } from './server/signet.js';
import { startBodyMemoryGovernor } from './server/body-memory.js';
import type { RunningSignet } from './server/signet.js';

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
export async function launch(argv: string[], env: NodeJS.ProcessEnv, options: LaunchOptions = {}): Promise<RunningSignet | number> {
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
  const logger = createLogger({ level: config.logLevel });
  const accessLog = createAccessLog(config.logLevel);
  if (config.upstreamInsecure) {
    logger.warn({ upstream: config.upstream.origin }, 'UPSTREAM TLS VERIFICATION IS OFF (--upstream-insecure): anyone on the path can read and alter traffic');
  }
  let running: RunningSignet;
  try {
    running = await startSignet(config, {
      logger, accessLog, version: version(),
      ...(options.fetchCredentials ? { fetchCredentials: options.fetchCredentials } : {}),
      ...(options.demoPage !== undefined ? { demoPage: options.demoPage } : {}),
    });
  } catch (err) {
    await options.release?.();
    logger.fatal({ err: (err as Error).message }, 'startup failed');
    console.error(`signet: ${(err as Error).message}`);
    return 2;
  }
  const started = {
    listen: running.proxy.url, admin: running.admin?.url ?? 'off', upstream: config.upstream.origin, region: config.region,
    payload: config.payload, credentials: running.credentials.status().source,
    tracing: config.tracing === null ? 'off' : `${config.tracing.protocol} ${config.tracing.url} sampler=${config.tracing.sampler}${config.tracing.sampler.endsWith('ratio') ? ':' + config.tracing.ratio : ''}`,
  };
  if (running.credentials.ready()) logger.info(started, 'signet ready');
  else logger.warn(started, 'signet listening without credentials; not ready');
  const governor = startBodyMemoryGovernor();
  installSignalHandlers(running, logger, accessLog.flush, async () => {
    governor?.stop();
    await options.release?.();
  });
  return running;
}

/**
 * SIGTERM/SIGINT: readiness off at once, drain, exit 0; a second signal exits at once.
 * SIGHUP: reload --inbound-keys and the routes: list (the daemon convention); it never stops signet, even while draining.
 */
export function installSignalHandlers(
  running: RunningSignet,
  logger: { info(o: object, m: string): void; warn(o: object, m: string): void },
  flush: () => void = () => undefined,
  afterClose: () => Promise<void> = async () => undefined,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      running.proxy.destroy();
      flush();
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, inFlight: running.proxy.inFlight() }, 'shutting down: draining in-flight requests');
    running.close().then(afterClose).then(
      () => {
        // Every request's line goes out before the line that says it is over.
        flush();
        logger.info({}, 'shutdown complete');
        flush();
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => {
    if (stopping) return;
    running.reload().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'reload failed'));
  });
}
