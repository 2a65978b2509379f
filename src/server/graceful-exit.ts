import type { RunningSignet } from './signet.js';

export interface ExitLogger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
}

export interface GracefulExit {
  /** Readiness off, drain up to --shutdown-grace, close, exit 0 (1 if closing failed). Only the first call acts. */
  begin(cause: string): void;
  /** Cut every connection, flush the logs, exit 1. */
  now(cause: string): void;
  readonly began: boolean;
}

/**
 * How a serving process ends: a single process on its signals (SIGTERM/SIGINT drain, a second one
 * exits at once), a --workers worker when the primary tells it to.
 */
export function gracefulExit(
  running: RunningSignet,
  logger: ExitLogger,
  flush: () => void = () => undefined,
  afterClose: () => Promise<void> = async () => undefined,
): GracefulExit {
  let began = false;
  return {
    get began() {
      return began;
    },
    begin(cause) {
      if (began) return;
      began = true;
      logger.info({ signal: cause, inFlight: running.proxy.inFlight() }, 'shutting down: draining in-flight requests');
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
    },
    now(cause) {
      logger.warn({ signal: cause }, 'second signal: exiting now');
      running.proxy.destroy();
      flush();
      process.exit(1);
    },
  };
}
