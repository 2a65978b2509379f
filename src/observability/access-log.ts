import { pino } from 'pino';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';

export interface AccessLog {
  readonly logger: Logger;
  /** Writes out whatever is buffered (at shutdown). */
  flush(): void;
}

/**
 * The one-line-per-request log on stdout. Lines are buffered (4 KiB) and written asynchronously,
 * and skip pino's redaction pass (their fields are fixed and carry no secret): a write(2) and a
 * redaction per request were ~11% of signet's CPU on small GETs. Event logs stay synchronous.
 */
export function createAccessLog(level: string): AccessLog {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  return {
    logger: createLogger({ level, redact: false, destination }),
    flush: () => {
      try {
        destination.flushSync();
      } catch {
        // stdout already closed: nothing left to save
      }
    },
  };
}
