import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { startOtlpReceiver } from '../../support/otlp-receiver.js';
import type { OtlpReceiver, ReceivedSpan } from '../../support/otlp-receiver.js';

// OTLP SpanKind and StatusCode as they travel.
const INTERNAL = 1;
const SERVER = 2;
const CLIENT = 3;
const UNSET = 0;
const ERROR = 2;

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
});

function tracingEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...extra };
}

/** The server span of the last request signet answered, and its children, once exported. */
async function lastTrace(h: Harness): Promise<{ server: ReceivedSpan; children: ReceivedSpan[]; log: Record<string, unknown> }> {
  await h.signet.tracer!.flush();
  const last = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request').at(-1)!;
  const server = receiver.spans.find((s) => s.kind === SERVER && s.attributes['signet.request_id'] === last.reqId);
  if (server === undefined) throw new Error(`no server span for ${String(last.reqId)}`);
  const children = receiver.spans.filter((s) => s.parentSpanId === server.spanId).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  return { server, children, log: last };
}

describe.each(['http/protobuf', 'http/json'] as const)('tracing over OTLP %s', (protocol) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ args: ['--tracing', '--multipart', 'off'], env: tracingEnv({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol, OTEL_SERVICE_NAME: 'signet-test' }) });
  });
  afterAll(async () => {
    await h.close();
  });

  it('sends a PUT as a server span S3.PutObject with a buffer span and one upstream attempt', async () => {
    const put = await rawRequest(h.url, { method: 'PUT', path: '/traced/hello.txt', headers: { 'content-length': 5 }, body: 'hello' });
    expect(put.status).toBe(200);
    const { server, children } = await lastTrace(h);
    expect(receiver.contentTypes.at(-1)).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
    expect(server.name).toBe('S3.PutObject');
    expect(server.parentSpanId).toBe('');
    expect(server.scope).toBe('signet');
    expect(server.resource['service.name']).toBe('signet-test');
    expect(server.attributes).toMatchObject({
      'http.request.method': 'PUT', 'http.response.status_code': 200, 'rpc.system': 'aws-api', 'rpc.service': 'S3',
      'rpc.method': 'PutObject', 'aws.s3.bucket': 'traced', 'aws.region': 'us-east-1', 'signet.payload': 'buffered',
      'signet.retries': 0, 'http.request.body.size': 5,
    });
    expect(server.attributes['aws.request_id']).toEqual(put.headers['x-amz-request-id']);
    expect(server.attributes['aws.extended_request_id']).toEqual(put.headers['x-amz-id-2']);
    // Keys can be personal data: not recorded without --trace-keys.
    expect(server.attributes).not.toHaveProperty('aws.s3.key');
    expect(server.attributes).not.toHaveProperty('url.path');
    expect(server.status.code).toBe(UNSET);
    expect(children.map((c) => [c.name, c.kind])).toEqual([['buffer request body', INTERNAL], ['PUT', CLIENT]]);
    const attempt = children[1]!;
    expect(attempt.traceId).toBe(server.traceId);
    expect(attempt.attributes).toMatchObject({ 'http.response.status_code': 200, 'signet.attempt.reason': 'initial', 'server.address': expect.any(String) });
    expect(attempt.attributes).not.toHaveProperty('http.request.resend_count');
    expect(attempt.startNs >= server.startNs && attempt.endNs <= server.endNs).toBe(true);
  });

  it('times every span of a request on one clock: each child starts and ends within its parent', async () => {
    // OTel JS starts each span at its own Date.now() (whole milliseconds); a child ending within a
    // millisecond of its parent could then be recorded ending after it. Many quick requests find it.
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const head = await rawRequest(h.url, { method: 'HEAD', path: '/traced/hello.txt' });
      ids.push(String(head.headers['x-amz-request-id']));
    }
    await h.signet.tracer!.flush();
    let checked = 0;
    for (const server of receiver.spans.filter((s) => s.kind === SERVER && s.name === 'S3.HeadObject')) {
      for (const child of receiver.spans.filter((s) => s.parentSpanId === server.spanId)) {
        expect(child.startNs >= server.startNs, `${child.name} starts before its parent`).toBe(true);
        expect(child.endNs <= server.endNs, `${child.name} ends after its parent by ${child.endNs - server.endNs} ns`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(60);
  });

  it('sends a GET as S3.GetObject, and logs its trace id on the access-log line with the request id', async () => {
    const get = await rawRequest(h.url, { path: '/traced/hello.txt' });
    expect(get.body.toString()).toBe('hello');
    const { server, children, log } = await lastTrace(h);
    expect(server.name).toBe('S3.GetObject');
    expect(server.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'rpc.method': 'GetObject', 'signet.payload': 'empty', 'http.response.body.size': 5 });
    expect(children.map((c) => c.name)).toEqual(['GET']);
    expect(log.traceId).toBe(server.traceId);
    expect(server.attributes['signet.request_id']).toBe(log.reqId);
  });

  it('spools a body of unknown length under a span of its own', async () => {
    const put = await rawRequest(h.url, { method: 'PUT', path: '/traced/chunked', headers: { 'transfer-encoding': 'chunked' }, body: [Buffer.from('abc'), Buffer.from('def')] });
    expect(put.status).toBe(200);
    const { server, children } = await lastTrace(h);
    expect(server.attributes['signet.payload']).toBe('spooled');
    expect(children.map((c) => c.name)).toEqual(['spool request body', 'PUT']);
    expect(children[0]!.attributes['signet.body.bytes']).toBe(6);
  });
});

describe('tracing: what each request shows', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ args: ['--tracing'], env: tracingEnv() });
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows a retried request as one attempt span per try, the failed one in error with the S3 code', async () => {
    h.s3.faults.nextResponses = [{ status: 503, code: 'SlowDown' }];
    const put = await rawRequest(h.url, { method: 'PUT', path: '/retry/a', headers: { 'content-length': 2 }, body: 'ok' });
    expect(put.status).toBe(200);
    const { server, children } = await lastTrace(h);
    const attempts = children.filter((c) => c.kind === CLIENT);
    expect(attempts.map((a) => [a.attributes['http.response.status_code'], a.attributes['signet.attempt.reason'], a.status.code])).toEqual([
      [503, 'initial', ERROR],
      [200, 'throttled', UNSET],
    ]);
    expect(attempts[0]!.attributes['error.type']).toBe('SlowDown');
    expect(attempts[0]!.status.message).toBe('SlowDown');
    expect(attempts[1]!.attributes['http.request.resend_count']).toBe(1);
    expect(server.attributes['signet.retries']).toBe(1);
    expect(server.events.map((e) => [e.name, e.attributes['signet.attempt.reason']])).toEqual([['retry', 'throttled']]);
    // Healed: the request itself succeeded.
    expect(server.status.code).toBe(UNSET);
    expect(server.attributes).not.toHaveProperty('error.type');
  });

  it('puts an S3 error passed through on the server span as error.type, in error only for a 5xx', async () => {
    expect((await rawRequest(h.url, { path: '/retry/missing' })).status).toBe(404);
    const notFound = await lastTrace(h);
    expect(notFound.server.attributes).toMatchObject({ 'http.response.status_code': 404, 'error.type': 'NoSuchKey' });
    expect(notFound.server.status.code).toBe(UNSET);
    expect(notFound.children[0]!.status).toEqual({ code: ERROR, message: 'NoSuchKey' });

    h.s3.faults.nextResponses = [{ status: 501, code: 'NotImplemented' }];
    expect((await rawRequest(h.url, { path: '/retry/a' })).status).toBe(501);
    const failed = await lastTrace(h);
    expect(failed.server.status).toEqual({ code: ERROR, message: 'NotImplemented' });
  });

  it('takes an incoming traceparent as the parent, keeps its tracestate, and sends neither to S3', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const mark = h.s3.requests.length;
    const res = await rawRequest(h.url, { path: '/retry/a', headers: { traceparent: `00-${traceId}-${parent}-01`, tracestate: 'vendor=opaque' } });
    expect(res.status).toBe(200);
    const { server, children, log } = await lastTrace(h);
    expect(server.traceId).toBe(traceId);
    expect(server.parentSpanId).toBe(parent);
    expect(server.traceState).toBe('vendor=opaque');
    expect(children[0]!.traceId).toBe(traceId);
    expect(log.traceId).toBe(traceId);
    const upstream = h.s3.requests.slice(mark);
    expect(upstream).toHaveLength(1);
    expect(upstream[0]!.headers).not.toHaveProperty('traceparent');
    expect(upstream[0]!.headers).not.toHaveProperty('tracestate');
  });

  it('ignores a malformed traceparent: the request starts a trace of its own', async () => {
    await rawRequest(h.url, { path: '/retry/a', headers: { traceparent: '00-zz-nothex-01' } });
    const { server } = await lastTrace(h);
    expect(server.parentSpanId).toBe('');
    expect(server.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('follows an unsampled parent (trace-flags 00): no span, no trace id in the log', async () => {
    await h.signet.tracer!.flush();
    const before = receiver.spans.length;
    await rawRequest(h.url, { path: '/retry/a', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-00' } });
    await h.signet.tracer!.flush();
    expect(receiver.spans.length).toBe(before);
    const last = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request').at(-1)!;
    expect(last).not.toHaveProperty('traceId');
  });
});

describe('tracing: region redirect', () => {
  let h: Harness;
  beforeAll(async () => {
    // signet believes us-west-2; the demo S3 lives in us-east-1 and names it in its 400.
    h = await startHarness({ args: ['--tracing', '--region', 'us-west-2'], env: tracingEnv() });
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows the attempt in the wrong region and the one re-signed for the bucket\'s region', async () => {
    const put = await rawRequest(h.url, { method: 'PUT', path: '/east/a.txt', headers: { 'content-length': 1 }, body: 'x' });
    expect(put.status).toBe(200);
    const { server, children } = await lastTrace(h);
    const attempts = children.filter((c) => c.kind === CLIENT);
    expect(attempts.map((a) => [a.attributes['aws.region'], a.attributes['http.response.status_code'], a.attributes['error.type'] ?? '', a.attributes['signet.attempt.reason']])).toEqual([
      ['us-west-2', 400, 'AuthorizationHeaderMalformed', 'initial'],
      ['us-east-1', 200, '', 'region'],
    ]);
    expect(server.attributes).toMatchObject({ 'aws.region': 'us-east-1', 'signet.retries': 1 });
    expect(server.status.code).toBe(UNSET);
  });
});

describe('tracing: a refused request (gateway mode)', () => {
  let h: Harness;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-trace-'));
    const keys = join(dir, 'keys');
    writeFileSync(keys, 'AKIDCLIENTEXAMPLE1 client-secret-key-example-0000000000000\n');
    h = await startHarness({ args: ['--tracing', '--trace-keys', '--inbound-keys', keys], env: tracingEnv() });
  });
  afterAll(async () => {
    await h.close();
  });

  it('ends the server span in error with the S3 code, with no upstream attempt', async () => {
    const mark = h.s3.requests.length;
    const res = await rawRequest(h.url, { path: '/private/report.pdf?X-Amz-Signature=secret' });
    expect(res.status).toBe(403);
    expect(h.s3.requests.length).toBe(mark);
    const { server, children } = await lastTrace(h);
    expect(server.status).toEqual({ code: ERROR, message: 'AccessDenied' });
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 403, 'error.type': 'AccessDenied', 'rpc.method': 'GetObject' });
    expect(children).toEqual([]);
    // --trace-keys: the key and the path, never the query (it can hold signatures).
    expect(server.attributes['aws.s3.key']).toBe('report.pdf');
    expect(server.attributes['url.path']).toBe('/private/report.pdf');
    expect(JSON.stringify(server, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('secret');
  });
});

describe('tracing: sampler off', () => {
  it('sends nothing with OTEL_TRACES_SAMPLER=always_off, and the access log has no trace id', async () => {
    const before = receiver.spans.length;
    const posts = receiver.contentTypes.length;
    const h = await startHarness({ args: ['--tracing'], env: tracingEnv({ OTEL_TRACES_SAMPLER: 'always_off' }) });
    try {
      expect((await rawRequest(h.url, { method: 'PUT', path: '/off/a', headers: { 'content-length': 1 }, body: 'x' })).status).toBe(200);
      expect((await rawRequest(h.url, { path: '/off/a', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } })).status).toBe(200);
      await h.signet.tracer!.flush();
      const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
      expect(lines).toHaveLength(2);
      for (const l of lines) expect(l).not.toHaveProperty('traceId');
    } finally {
      await h.close();
    }
    expect(receiver.spans.length).toBe(before);
    expect(receiver.contentTypes.length).toBe(posts);
  });
});
