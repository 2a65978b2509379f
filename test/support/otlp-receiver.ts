/**
 * An OTLP/HTTP trace receiver on 127.0.0.1, the way a collector is one: POST /v1/traces, in
 * either encoding the specification allows (application/x-protobuf, decoded here by a small
 * reader of opentelemetry-proto's trace messages, or application/json). Spans come out as plain
 * objects, ids in hex.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AttributeValue = string | number | boolean | null;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Record<string, AttributeValue>;
  readonly events: Array<{ name: string; attributes: Record<string, AttributeValue> }>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: { code: number; message: string };
  readonly resource: Record<string, AttributeValue>;
  readonly scope: string;
}

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Content types of the POSTs received. */
  readonly contentTypes: string[];
  close(): Promise<void>;
}

// ---- protobuf wire format (just what trace.proto uses) ----

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly end = buf.length) {}
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  /** [field number, wire type, value]: a varint, a sub-reader for length-delimited, or raw bytes. */
  *fields(): Generator<[number, number, bigint | Buffer]> {
    while (this.pos < this.end) {
      const tag = Number(this.varint());
      const field = tag >>> 3;
      const wire = tag & 7;
      if (wire === 0) yield [field, wire, this.varint()];
      else if (wire === 1) {
        yield [field, wire, this.buf.readBigUInt64LE(this.pos)];
        this.pos += 8;
      } else if (wire === 5) {
        yield [field, wire, BigInt(this.buf.readUInt32LE(this.pos))];
        this.pos += 4;
      } else if (wire === 2) {
        const len = Number(this.varint());
        yield [field, wire, this.buf.subarray(this.pos, this.pos + len)];
        this.pos += len;
      } else throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

function messages(buf: Buffer): Generator<[number, number, bigint | Buffer]> {
  return new Reader(buf).fields();
}

function anyValue(buf: Buffer): AttributeValue {
  for (const [f, , v] of messages(buf)) {
    if (f === 1) return (v as Buffer).toString('utf8');
    if (f === 2) return v === 1n;
    if (f === 3) return Number(BigInt.asIntN(64, v as bigint));
    if (f === 4) {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v as bigint);
      return b.readDoubleLE(0);
    }
  }
  return null;
}

function keyValues(list: Buffer[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list) {
    let key = '';
    let value: AttributeValue = null;
    for (const [f, , v] of messages(kv)) {
      if (f === 1) key = (v as Buffer).toString('utf8');
      if (f === 2) value = anyValue(v as Buffer);
    }
    out[key] = value;
  }
  return out;
}

function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const [f, , rs] of messages(body)) {
    if (f !== 1) continue;
    let resource: Record<string, AttributeValue> = {};
    const scopeSpans: Buffer[] = [];
    for (const [g, , v] of messages(rs as Buffer)) {
      if (g === 1) resource = keyValues([...messages(v as Buffer)].filter(([h]) => h === 1).map(([, , x]) => x as Buffer));
      if (g === 2) scopeSpans.push(v as Buffer);
    }
    for (const ss of scopeSpans) {
      let scope = '';
      for (const [g, , v] of messages(ss)) {
        if (g === 1) for (const [h, , x] of messages(v as Buffer)) if (h === 1) scope = (x as Buffer).toString('utf8');
        if (g !== 2) continue;
        const s = {
          traceId: '', spanId: '', parentSpanId: '', traceState: '', name: '', kind: 0, startNs: 0n, endNs: 0n,
          attributes: [] as Buffer[], events: [] as ReceivedSpan['events'], status: { code: 0, message: '' },
        };
        for (const [h, , x] of messages(v as Buffer)) {
          switch (h) {
            case 1: s.traceId = (x as Buffer).toString('hex'); break;
            case 2: s.spanId = (x as Buffer).toString('hex'); break;
            case 3: s.traceState = (x as Buffer).toString('utf8'); break;
            case 4: s.parentSpanId = (x as Buffer).toString('hex'); break;
            case 5: s.name = (x as Buffer).toString('utf8'); break;
            case 6: s.kind = Number(x); break;
            case 7: s.startNs = x as bigint; break;
            case 8: s.endNs = x as bigint; break;
            case 9: s.attributes.push(x as Buffer); break;
            case 11: {
              let name = '';
              const attrs: Buffer[] = [];
              for (const [e, , y] of messages(x as Buffer)) {
                if (e === 2) name = (y as Buffer).toString('utf8');
                if (e === 3) attrs.push(y as Buffer);
              }
              s.events.push({ name, attributes: keyValues(attrs) });
              break;
            }
            case 15:
              for (const [e, , y] of messages(x as Buffer)) {
                if (e === 2) s.status.message = (y as Buffer).toString('utf8');
                if (e === 3) s.status.code = Number(y);
              }
              break;
          }
        }
        spans.push({ ...s, attributes: keyValues(s.attributes), resource, scope });
      }
    }
  }
  return spans;
}

// ---- OTLP/JSON ----

interface JsonKeyValue { key: string; value: Record<string, unknown> }

function jsonValue(v: Record<string, unknown>): AttributeValue {
  if ('stringValue' in v) return v.stringValue as string;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  return null;
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list ?? []) out[kv.key] = jsonValue(kv.value);
  return out;
}

/** OTLP/JSON ids are hex (the spec); base64 is accepted too, as some exporters once sent it. */
function jsonId(id: unknown, hexLength: number): string {
  if (typeof id !== 'string' || id === '') return '';
  return id.length === hexLength && /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

function decodeJson(body: Buffer): ReceivedSpan[] {
  const doc = JSON.parse(body.toString('utf8')) as {
    resourceSpans?: Array<{ resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: Array<{ scope?: { name?: string }; spans?: Array<Record<string, unknown>> }> }>;
  };
  const spans: ReceivedSpan[] = [];
  for (const rs of doc.resourceSpans ?? []) {
    const resource = jsonAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const status = (s.status ?? {}) as { code?: number; message?: string };
        spans.push({
          traceId: jsonId(s.traceId, 32), spanId: jsonId(s.spanId, 16), parentSpanId: jsonId(s.parentSpanId, 16),
          traceState: (s.traceState as string | undefined) ?? '', name: s.name as string, kind: Number(s.kind ?? 0),
          startNs: BigInt(s.startTimeUnixNano as string | number), endNs: BigInt(s.endTimeUnixNano as string | number),
          attributes: jsonAttributes(s.attributes as JsonKeyValue[] | undefined),
          events: ((s.events ?? []) as Array<{ name: string; attributes?: JsonKeyValue[] }>).map((e) => ({ name: e.name, attributes: jsonAttributes(e.attributes) })),
          status: { code: Number(status.code ?? 0), message: status.message ?? '' },
          resource, scope: ss.scope?.name ?? '',
        });
      }
    }
  }
  return spans;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const type = req.headers['content-type'] ?? '';
      contentTypes.push(type);
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = Buffer.concat(chunks);
        spans.push(...(type.startsWith('application/json') ? decodeJson(body) : decodeProtobuf(body)));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
        return;
      }
      // An empty ExportTraceServiceResponse: a full success in either encoding.
      if (type.startsWith('application/json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
