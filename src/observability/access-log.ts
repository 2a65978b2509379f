import type { DestinationStream } from 'pino';
import { createLineSink } from './stdout-sink.js';

/** The fixed fields of one access-log line. */
export interface AccessRecord {
  readonly reqId: string;
  readonly method: string;
  readonly bucket: string;
  readonly op: string;
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly ms: number;
  readonly upstreamMs: number;
  readonly payload: string;
  readonly retries: number;
  readonly region: string;
  /** '' when the request succeeded. */
  readonly error: string;
  /** '' when S3 never answered. */
  readonly s3RequestId: string;
  readonly s3Id2: string;
  /** The W3C trace id of a traced, sampled request; '' otherwise. */
  readonly traceId: string;
  /** Gateway mode: the client's name (--inbound-keys), '' otherwise; never its key or secret. */
  readonly client?: string;
  /** Gateway routes: the route's name (README "Routes"), '' without a `routes:` list. */
  readonly route?: string;
}

export interface AccessLog {
  request(record: AccessRecord): void;
  /** Writes out whatever is buffered (at shutdown). */
  flush(): void;
}

// pino's numeric level for info; the access log writes at info and is off above it.
const INFO = 30;
const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/**
 * JSON string literal. Most values (methods, ids, operation names, regions) are plain ASCII with
 * nothing to escape; scanning for the few characters that need it is cheaper than
 * JSON.stringify, which handles everything else (pino's `_asString` does the same).
 */
function str(value: string): string {
  if (value.length > 64) return JSON.stringify(value);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 126) return JSON.stringify(value);
  }
  return '"' + value + '"';
}

/**
 * `time` as pino writes it (ISO 8601, ms), formatted once per millisecond: toISOString costs
 * ~1.6 µs here, and a busy proxy logs several lines in the same millisecond.
 */
function isoTimeCache(): () => string {
  let ms = -1;
  let iso = '';
  return () => {
    const now = Date.now();
    if (now !== ms) {
      ms = now;
      iso = new Date(now).toISOString();
    }
    return iso;
  };
}

/**
 * The one-line-per-request log. Same line shape as the event logger's (pino's `level`, `time`,
 * `service`, `msg`), built by concatenation because its fields are fixed: pino's generic
 * serialisation was ~9% of signet's CPU on small GETs. Nothing in an AccessRecord is a secret, so
 * no redaction pass is needed. Lines are buffered and written 4 KiB at a time, synchronously (one
 * write(2) per ~14 lines; async writes went through libuv's thread pool and cost more on a busy
 * core); the tail is flushed at shutdown, so a crash can lose at most the last 4 KiB.
 */
export function createAccessLog(level: string, destination?: DestinationStream, options: { readonly worker?: number } = {}): AccessLog {
  const enabled = (LEVELS[level] ?? INFO) <= INFO;
  // Fixed for the life of the process, so joined once.
  const service = options.worker === undefined ? '","service":"signet","reqId":' : `","service":"signet","worker":${options.worker},"reqId":`;
  const dest = destination ?? createLineSink({ fd: 1, minLength: 4096 });
  const isoTime = isoTimeCache();
  return {
    request(r: AccessRecord): void {
      if (!enabled) return;
      let line =
        '{"level":30,"time":"' + isoTime() + service + str(r.reqId) +
        ',"method":' + str(r.method) + ',"bucket":' + str(r.bucket) + ',"op":' + str(r.op) + ',"status":' + r.status +
        ',"bytesIn":' + r.bytesIn + ',"bytesOut":' + r.bytesOut + ',"ms":' + r.ms + ',"upstreamMs":' + r.upstreamMs +
        ',"payload":' + str(r.payload) + ',"retries":' + r.retries + ',"region":' + str(r.region);
      if (r.error !== '') line += ',"error":' + str(r.error);
      if (r.s3RequestId !== '') line += ',"s3RequestId":' + str(r.s3RequestId) + ',"s3Id2":' + str(r.s3Id2);
      if (r.traceId !== '') line += ',"traceId":' + str(r.traceId);
      if (r.client !== undefined && r.client !== '') line += ',"client":' + str(r.client);
      if (r.route !== undefined && r.route !== '') line += ',"route":' + str(r.route);
      dest.write(line + ',"msg":"request"}\n');
    },
    flush(): void {
      const d = dest as { flushSync?: () => void };
      try {
        d.flushSync?.();
      } catch {
        // stdout already closed: nothing left to save
      }
    },
  };
}

/** Access lines through an ordinary pino logger (doctor, and embedders without a fast path). */
export function accessLogVia(logger: { info(obj: object, msg: string): void }): AccessLog {
  return {
    request(r: AccessRecord): void {
      const { error, s3RequestId, s3Id2, traceId, client, ...rest } = r;
      logger.info({
        ...rest, ...(error !== '' ? { error } : {}), ...(s3RequestId !== '' ? { s3RequestId, s3Id2 } : {}), ...(traceId !== '' ? { traceId } : {}),
        ...(client !== undefined && client !== '' ? { client } : {}),
      }, 'request');
    },
    flush: () => undefined,
  };
}
