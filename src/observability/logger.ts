/**
 * The pino logger: JSON lines, ISO time, `service: signet`, and secrets removed twice over:
 * `redact` censors known secret fields (paths compiled once, when the logger is made), and the
 * `req`/`url` serializers mask signatures and tokens inside query strings, which redact cannot
 * see because it never looks inside a string.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { AMZ_SECURITY_TOKEN } from '../sigv4/constants.js';
import { SSE_C_KEY_HEADERS } from '../s3/redact.js';
import { CENSOR_TEXT } from './censor.js';
import { redactUrl } from './redact-url.js';
import { createLineSink } from './stdout-sink.js';

export type { Logger } from 'pino';


const SECRET_FIELDS = ['authorization', 'secretAccessKey', 'sessionToken', 'signature', 'accessKeyId'];

/** Top level, one level down (`*.x`), and the request/response header maps that sit two down. */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  'req.headers.authorization',
  `req.headers["${AMZ_SECURITY_TOKEN}"]`,
  'res.headers["set-cookie"]',
  `["${AMZ_SECURITY_TOKEN}"]`,
  `*["${AMZ_SECURITY_TOKEN}"]`,
  ...SSE_C_KEY_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `["${h}"]`, `*["${h}"]`]),
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
]);

export interface LoggerOptions {
  readonly level: string;
  /** Where lines go; stdout when absent. Tests pass a stream that collects them. */
  readonly destination?: DestinationStream;
  /** With --workers: the process's worker id (0 for the primary), on every line. */
  readonly worker?: number;
}

interface RequestLike {
  readonly url?: unknown;
  readonly [key: string]: unknown;
}

const serializers = {
  req(req: RequestLike): unknown {
    if (req === null || typeof req !== 'object' || typeof req.url !== 'string') return req;
    return { ...req, url: redactUrl(req.url) };
  },
  url(url: unknown): unknown {
    return typeof url === 'string' ? redactUrl(url) : url;
  },
  err: pino.stdSerializers.err,
};

export function createLogger(options: LoggerOptions): Logger {
  const config = {
    level: options.level,
    base: options.worker === undefined ? { service: 'signet' } : { service: 'signet', worker: options.worker },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: CENSOR_TEXT },
    serializers,
  };
  // Event lines are rare: each is written at once, synchronously, through a sink that gives up on
  // a stdout nobody reads any more instead of spinning on it at exit.
  return pino(config, options.destination ?? createLineSink({ fd: 1 }));
}
