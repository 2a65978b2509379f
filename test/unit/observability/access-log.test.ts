import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAccessLog } from '../../../src/observability/access-log.js';
import type { AccessRecord } from '../../../src/observability/access-log.js';

function collector() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      cb();
    },
  });
  return { lines, stream: stream as unknown as Parameters<typeof createAccessLog>[1] };
}

const record: AccessRecord = {
  reqId: 'ABCDEF0123456789', method: 'PUT', bucket: 'bkt', op: 'PutObject', status: 200, bytesIn: 21, bytesOut: 0,
  ms: 3.2, upstreamMs: 2.1, payload: 'buffered', retries: 0, region: 'us-east-1', error: '', s3RequestId: 'R1', s3Id2: 'id2/+=',
  traceId: '',
};

describe('access log', () => {
  it('writes one JSON line per request in the event logger\'s shape', () => {
    const { lines, stream } = collector();
    createAccessLog('info', stream).request(record);
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!);
    expect(parsed).toMatchObject({ level: 30, service: 'signet', msg: 'request', method: 'PUT', status: 200, s3RequestId: 'R1', s3Id2: 'id2/+=' });
    expect(Date.parse(parsed.time)).not.toBeNaN();
    expect(parsed).not.toHaveProperty('error');
    expect(parsed).not.toHaveProperty('traceId');
  });

  it('puts the trace id of a traced request on the same line as signet\'s request id', () => {
    const { lines, stream } = collector();
    createAccessLog('info', stream).request({ ...record, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ reqId: 'ABCDEF0123456789', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('escapes whatever a client put in a bucket name or method', () => {
    const { lines, stream } = collector();
    const nasty = 'a"b\\c\n\u0001ü' + 'x'.repeat(80);
    createAccessLog('info', stream).request({ ...record, bucket: nasty, method: 'G"T', error: 'SlowDown', s3RequestId: '' });
    const parsed = JSON.parse(lines[0]!);
    expect(parsed.bucket).toBe(nasty);
    expect(parsed.method).toBe('G"T');
    expect(parsed.error).toBe('SlowDown');
    expect(parsed).not.toHaveProperty('s3RequestId');
  });

  it('writes nothing above info', () => {
    const { lines, stream } = collector();
    createAccessLog('warn', stream).request(record);
    createAccessLog('silent', stream).request(record);
    expect(lines).toEqual([]);
  });
});

describe('access log in a worker process', () => {
  it('names the worker on every line, after the service', () => {
    const { lines, stream } = collector();
    createAccessLog('info', stream, { worker: 3 }).request(record);
    const parsed = JSON.parse(lines[0]!);
    expect(parsed).toMatchObject({ service: 'signet', worker: 3, reqId: 'ABCDEF0123456789' });
  });

  it('has no worker field in a single process', () => {
    const { lines, stream } = collector();
    createAccessLog('info', stream).request(record);
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('worker');
  });
});
