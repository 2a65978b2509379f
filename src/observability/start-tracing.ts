/**
 * Loads the OpenTelemetry packages, on demand. With tracing off this function is never called, so
 * not one OTel module is read, parsed or kept in memory, and the request path only ever sees a
 * `null` tracer (test/integration/tracing/off.test.ts checks that nothing was loaded).
 */
import type { Tracer, TracerOptions } from './request-trace.js';
import type { WarnLogger } from './otel-tracer.js';

export async function startTracing(options: TracerOptions, info: { readonly version: string; readonly logger: WarnLogger }): Promise<Tracer> {
  const { createOtelTracer } = await import('./otel-tracer.js');
  return createOtelTracer(options, info);
}
