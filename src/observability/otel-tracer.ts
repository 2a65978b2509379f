/**
 * The OpenTelemetry side of tracing: the only module that imports the OTel packages, and it is
 * itself imported only by `start-tracing.ts`, dynamically, when tracing is on.
 *
 * Spans are parented explicitly (a context per request, made from the client's traceparent)
 * rather than through an async-hooks context manager: signet creates every span itself, so it
 * needs no ambient context, and AsyncLocalStorage would tax every await of every request.
 */
import type { IncomingMessage } from 'node:http';
import { DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, diag, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, Tracer as OtelTracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace';
import type { RequestOutcome, RequestTrace, ResponseHeaders, Tracer, TracerOptions } from './request-trace.js';
import * as A from './span-attributes.js';

export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

function sampler(o: TracerOptions): Sampler {
  switch (o.sampler) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return new TraceIdRatioBasedSampler(o.ratio);
    case 'parentbased_always_on': return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(o.ratio) });
    default: throw new Error(`unknown sampler ${o.sampler}`);
  }
}

/** Export failures go to signet's log, at most one line a minute: a collector down must not flood it. */
function routeDiagnostics(logger: WarnLogger): void {
  let last = 0;
  const warn = (message: string, ...args: unknown[]): void => {
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    const detail = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : '')).filter((a) => a !== '').join('; ');
    logger.warn({ component: 'tracing', detail }, `OpenTelemetry: ${message}`);
  };
  const quiet = (): void => undefined;
  diag.setLogger({ error: warn, warn, info: quiet, debug: quiet, verbose: quiet }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}

function headerText(v: string | string[] | undefined): string {
  return typeof v === 'string' ? v : '';
}

const propagator = new W3CTraceContextPropagator();

class OtelRequestTrace implements RequestTrace {
  readonly traceId: string;
  readonly #tracer: OtelTracer;
  readonly #span: Span;
  readonly #parent: Context;
  readonly #method: string;
  readonly #recordKeys: boolean;
  #bodyStart = 0;
  #attempt: Span | null = null;
  #nextReason = 'initial';
  #answered = false;
  /** Epoch ms at performance.now() = 0, read once per request (see `now`). */
  readonly #anchor: number;

  constructor(tracer: OtelTracer, span: Span, method: string, recordKeys: boolean, anchor: number) {
    this.#tracer = tracer;
    this.#anchor = anchor;
    this.#span = span;
    this.#parent = trace.setSpan(ROOT_CONTEXT, span);
    this.#method = method;
    this.#recordKeys = recordKeys;
    this.traceId = span.spanContext().traceId;
  }

  /**
   * Every span of a request is timed on one clock. Left to itself, OTel JS 2.x starts each span at
   * its own Date.now() (millisecond steps) and adds performance.now() durations, so a child that
   * ends within a millisecond of its parent could be recorded ending after it.
   */
  #now(): number {
    return this.#anchor + performance.now();
  }

  bodyStarted(): void {
    this.#bodyStart = performance.now();
  }

  bodyRead(strategy: string, bytes: number): void {
    const name = strategy === 'spooled' ? A.SPAN_SPOOL : strategy === 'buffered' ? A.SPAN_BUFFER : '';
    if (name === '' || this.#bodyStart === 0) return;
    const span = this.#tracer.startSpan(name, {
      kind: SpanKind.INTERNAL, startTime: this.#anchor + this.#bodyStart, attributes: { [A.SIGNET_PAYLOAD]: strategy, [A.SIGNET_BODY_BYTES]: bytes },
    }, this.#parent);
    span.end(this.#now());
  }

  attemptStarted(attempt: number, region: string, host: string): void {
    this.#attempt?.end(this.#now());
    const attributes: Attributes = {
      [A.HTTP_REQUEST_METHOD]: this.#method,
      [A.SERVER_ADDRESS]: host,
      [A.AWS_REGION]: region,
      [A.RPC_SYSTEM]: A.RPC_SYSTEM_AWS,
      [A.RPC_SERVICE]: A.RPC_SERVICE_S3,
      [A.SIGNET_ATTEMPT_REASON]: this.#nextReason,
    };
    // Semantic conventions: only on resends.
    if (attempt > 0) attributes[A.HTTP_REQUEST_RESEND_COUNT] = attempt;
    this.#attempt = this.#tracer.startSpan(this.#method, { kind: SpanKind.CLIENT, attributes, startTime: this.#now() }, this.#parent);
  }

  attemptFailed(code: string): void {
    const span = this.#attempt;
    if (span === null) return;
    this.#attempt = null;
    span.setAttribute(A.ERROR_TYPE, code === '' ? 'network' : code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: code });
    span.end(this.#now());
  }

  attemptAnswered(status: number, code: string, headers: ResponseHeaders): void {
    const span = this.#attempt;
    if (span === null) return;
    this.#attempt = null;
    this.#answered = true;
    span.setAttribute(A.HTTP_RESPONSE_STATUS_CODE, status);
    const id = headerText(headers['x-amz-request-id']);
    if (id !== '') span.setAttribute(A.AWS_REQUEST_ID, id);
    const id2 = headerText(headers['x-amz-id-2']);
    if (id2 !== '') span.setAttribute(A.AWS_EXTENDED_REQUEST_ID, id2);
    // A client span is in error for any 4xx or 5xx (HTTP semantic conventions).
    if (status >= 400) {
      const type = code === '' ? String(status) : code;
      span.setAttribute(A.ERROR_TYPE, type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    }
    span.end(this.#now());
  }

  retrying(reason: string): void {
    this.#nextReason = reason;
    this.#span.addEvent('retry', { [A.SIGNET_ATTEMPT_REASON]: reason }, this.#now());
  }

  end(o: RequestOutcome): void {
    const span = this.#span;
    if (this.#attempt !== null) this.attemptFailed(o.errorCode === '' ? 'aborted' : o.errorCode);
    span.updateName(`${A.RPC_SERVICE_S3}.${o.operation}`);
    const attributes: Attributes = {
      [A.RPC_SYSTEM]: A.RPC_SYSTEM_AWS,
      [A.RPC_SERVICE]: A.RPC_SERVICE_S3,
      [A.RPC_METHOD]: o.operation,
      [A.HTTP_RESPONSE_STATUS_CODE]: o.status,
      [A.SIGNET_RETRIES]: o.retries,
      [A.HTTP_REQUEST_BODY_SIZE]: o.bytesIn,
      [A.HTTP_RESPONSE_BODY_SIZE]: o.bytesOut,
    };
    if (o.bucket !== '') attributes[A.AWS_S3_BUCKET] = o.bucket;
    if (o.key !== '' && this.#recordKeys) attributes[A.AWS_S3_KEY] = o.key;
    if (o.region !== '') attributes[A.AWS_REGION] = o.region;
    if (o.strategy !== '') attributes[A.SIGNET_PAYLOAD] = o.strategy;
    if (o.s3RequestId !== '') attributes[A.AWS_REQUEST_ID] = o.s3RequestId;
    if (o.s3Id2 !== '') attributes[A.AWS_EXTENDED_REQUEST_ID] = o.s3Id2;
    if (o.errorCode !== '') attributes[A.ERROR_TYPE] = o.errorCode;
    span.setAttributes(attributes);
    // A server span is in error for a 5xx, or when signet itself refused the request (no upstream
    // answer); an S3 4xx passed through is the client's outcome and is left unset (HTTP semantic
    // conventions), its code still in error.type and on the attempt span. A client that hung up
    // (499) is its own outcome, not signet's failure.
    if (o.status >= 500 || o.status === 0 || (o.status >= 400 && o.status !== 499 && !this.#answered)) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: o.errorCode === '' ? String(o.status) : o.errorCode });
    }
    span.end(this.#now());
  }
}

/** Only the exporter of the configured protocol is loaded. */
async function createExporter(o: TracerOptions): Promise<SpanExporter> {
  const { OTLPTraceExporter } = o.protocol === 'http/json'
    ? await import('@opentelemetry/exporter-trace-otlp-http')
    : await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: o.url });
}

export async function createOtelTracer(o: TracerOptions, info: { readonly version: string; readonly logger: WarnLogger }): Promise<Tracer> {
  routeDiagnostics(info.logger);
  const exporter = await createExporter(o);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [A.SERVICE_VERSION]: info.version }))
    .merge(resourceFromAttributes({ ...o.resource, [A.SERVICE_NAME]: o.serviceName }));
  const provider = new TracerProvider({
    resource,
    sampler: sampler(o),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...o.batch })],
  });
  const tracer = provider.getTracer('signet', info.version);
  const recordKeys = o.recordKeys;
  return {
    startRequest(req: IncomingMessage, requestId: string): RequestTrace | null {
      const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      const method = req.method ?? 'GET';
      const attributes: Attributes = {
        [A.HTTP_REQUEST_METHOD]: method,
        [A.SIGNET_REQUEST_ID]: requestId,
        [A.URL_SCHEME]: 'encrypted' in req.socket ? 'https' : 'http',
        [A.NETWORK_PROTOCOL_VERSION]: req.httpVersion,
      };
      const peer = req.socket.remoteAddress;
      if (peer !== undefined) attributes[A.CLIENT_ADDRESS] = peer;
      if (recordKeys) {
        // The path only: a presigned query holds signatures and credentials.
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        attributes[A.URL_PATH] = q < 0 ? url : url.slice(0, q);
      }
      // Named again once the operation is known; the sampler sees the generic name.
      const anchor = Date.now() - performance.now();
      const span = tracer.startSpan(A.RPC_SERVICE_S3, { kind: SpanKind.SERVER, attributes, startTime: anchor + performance.now() }, parent);
      if (!span.isRecording()) return null;
      return new OtelRequestTrace(tracer, span, method, recordKeys, anchor);
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
