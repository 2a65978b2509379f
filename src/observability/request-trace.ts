/**
 * What the pipeline and the forwarder tell a traced request, in signet's own words: no
 * OpenTelemetry type appears here, so code on the request path compiles and runs without the OTel
 * packages, which are loaded (by `start-tracing.ts`) only when tracing is on. A request that is not
 * traced (tracing off, or not sampled) has `null` where its RequestTrace would be, and every hook is
 * a `ctx.trace?.x()` that costs one null check.
 */
import type { IncomingMessage } from 'node:http';
import type { TracingSettings } from '../config/tracing-env.js';

/** The request's outcome as the server span reports it; RequestContext has this shape. */
export interface RequestOutcome {
  readonly method: string;
  readonly operation: string;
  readonly bucket: string;
  readonly key: string;
  readonly status: number;
  readonly strategy: string;
  readonly retries: number;
  readonly region: string;
  readonly errorCode: string;
  readonly s3RequestId: string;
  readonly s3Id2: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** One sampled request: a server span and its children. */
export interface RequestTrace {
  /** W3C trace id (32 lower-case hex digits), for the access log. */
  readonly traceId: string;
  /** The body is about to be read (a spool or buffer span starts here if one is needed). */
  bodyStarted(): void;
  /** The body was read before signing: a child span for spooled and buffered bodies. */
  bodyRead(strategy: string, bytes: number): void;
  /** An upstream attempt starts (signing included); `attempt` counts from 0. */
  attemptStarted(attempt: number, region: string, host: string): void;
  /** The attempt got no response (connection error, timeout, client gone). */
  attemptFailed(code: string): void;
  /** The attempt's response headers arrived; `code` is S3's error code, '' when none. */
  attemptAnswered(status: number, code: string, headers: ResponseHeaders): void;
  /** Another attempt follows, and why: region, clock-skew, throttled, 503, ECONNRESET… */
  retrying(reason: string): void;
  /** The response is finished (or abandoned): the server span ends. */
  end(outcome: RequestOutcome): void;
}

export interface Tracer {
  /** A trace for this request, or null when it is not sampled (then nothing more is spent on it). */
  startRequest(req: IncomingMessage, requestId: string): RequestTrace | null;
  /** Sends what is batched (tests; admin). */
  flush(): Promise<void>;
  /** Flushes and stops the exporter (shutdown). */
  shutdown(): Promise<void>;
}

/** What the OTel side needs: the tracing settings as config reads them. */
export type TracerOptions = TracingSettings;
