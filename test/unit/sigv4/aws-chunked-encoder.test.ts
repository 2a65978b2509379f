import { createHash, createHmac } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createAwsChunkedEncoder } from '../../../src/sigv4/aws-chunked-encoder.js';
import { awsChunkedEncodedLength } from '../../../src/sigv4/aws-chunked-length.js';
import type { AwsChunkedMode, ChunkSigningContext } from '../../../src/sigv4/aws-chunked-wire.js';
import { SigV4Error } from '../../../src/sigv4/errors.js';
import {
  amzDate, run, scope, split, streamingBody, streamingContext, trailerBody, trailerContext, vectorObject,
} from './aws-chunked-fixtures.js';

/** A Writable that keeps every buffer it is given, as given. */
function recordingSink(): { seen: Buffer[]; sink: Writable } {
  const seen: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      seen.push(chunk);
      cb();
    },
  });
  return { seen, sink };
}

/**
 * A decoder written here from the format description alone (regexes, whole buffers), to check the
 * encoder against something that shares none of its code.
 */
function referenceDecode(body: Buffer, context?: ChunkSigningContext): { data: Buffer; trailers: string[] } {
  const text = body.toString('latin1');
  const parts: Buffer[] = [];
  let previous = context?.seedSignature ?? '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    const m = /^([0-9a-f]+)(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(text.slice(at, eol));
    if (m === null) throw new Error('bad chunk header');
    const size = parseInt(m[1] as string, 16);
    const data = body.subarray(eol + 2, eol + 2 + size);
    if (context !== undefined) {
      const sts = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous,
        createHash('sha256').update('').digest('hex'), createHash('sha256').update(data).digest('hex')].join('\n');
      previous = createHmac('sha256', context.signingKey).update(sts).digest('hex');
      if (m[2] !== previous) throw new Error('bad chunk signature');
    }
    if (size === 0) {
      at = eol + 2;
      break;
    }
    parts.push(data);
    if (text.slice(eol + 2 + size, eol + 4 + size) !== '\r\n') throw new Error('missing CRLF');
    at = eol + 4 + size;
  }
  const rest = text.slice(at);
  if (!rest.endsWith('\r\n')) throw new Error('missing final CRLF');
  const trailers = rest.split('\r\n').filter((line) => line !== '');
  return { data: Buffer.concat(parts), trailers };
}

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString('base64');
}

describe('createAwsChunkedEncoder', () => {
  it('produces the published STREAMING-AWS4-HMAC-SHA256-PAYLOAD body byte for byte', async () => {
    for (const sizes of [[vectorObject.length], [1000], [65537], [1, 7, 4096]]) {
      const encoder = createAwsChunkedEncoder({ mode: 'signed', decodedLength: 66560, signed: streamingContext });
      const out = await run(encoder, split(vectorObject, sizes));
      expect(out.equals(streamingBody)).toBe(true);
      expect(encoder.encodedLength).toBe(66824);
    }
  });

  it('produces the published PAYLOAD-TRAILER body with the crc32c trailer and its signature', async () => {
    const encoder = createAwsChunkedEncoder({
      mode: 'signed-trailer', decodedLength: 66560, trailer: 'crc32c', signed: trailerContext,
    });
    const out = await run(encoder, split(vectorObject, [3000]));
    expect(out.toString('latin1')).toBe(trailerBody.toString('latin1'));
  });

  it('writes unsigned-trailer bodies that an independent decoder reads back with a matching crc32', async () => {
    const data = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 31) & 0xff));
    const encoder = createAwsChunkedEncoder({ mode: 'unsigned-trailer', decodedLength: data.length, chunkSize: 8192, trailer: 'crc32' });
    const out = await run(encoder, split(data, [5000]));
    expect(out.subarray(0, 6).toString()).toBe('2000\r\n');
    const decoded = referenceDecode(out);
    expect(decoded.data.equals(data)).toBe(true);
    expect(decoded.trailers).toEqual([`x-amz-checksum-crc32:${crc32Base64(data)}`]);
  });

  it('emits exactly awsChunkedEncodedLength bytes for every mode around chunk boundaries', async () => {
    const chunkSize = 16;
    const lengths = [0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 2 * chunkSize, 2 * chunkSize + 1, 255, 256, 257];
    const cases: Array<{ mode: AwsChunkedMode; trailer?: 'crc32' | 'crc32c'; signed?: ChunkSigningContext }> = [
      { mode: 'signed', signed: streamingContext },
      { mode: 'signed-trailer', trailer: 'crc32', signed: trailerContext },
      { mode: 'unsigned-trailer', trailer: 'crc32c' },
    ];
    for (const c of cases) {
      for (const length of lengths) {
        const data = Buffer.alloc(length, 'x');
        const layout = { ...c, chunkSize, decodedLength: length };
        const out = await run(createAwsChunkedEncoder(layout), split(data, [7]));
        expect(out.length, `${c.mode} ${length}`).toBe(awsChunkedEncodedLength(length, layout));
        const decoded = referenceDecode(out, c.signed);
        expect(decoded.data.equals(data)).toBe(true);
      }
    }
  });

  it('also matches the length formula at the default 64 KiB chunk size', async () => {
    for (const length of [65535, 65536, 65537, 3 * 65536]) {
      const layout = { mode: 'signed' as const, decodedLength: length, signed: streamingContext };
      const out = await run(createAwsChunkedEncoder(layout), [Buffer.alloc(length, 1)]);
      expect(out.length).toBe(awsChunkedEncodedLength(length, layout));
      expect(referenceDecode(out, streamingContext).data.length).toBe(length);
    }
  });

  it('forwards signed chunk data without copying it', async () => {
    const input = Buffer.alloc(3 * 8192 + 5, 'z');
    const { seen, sink } = recordingSink();
    const encoder = createAwsChunkedEncoder({ mode: 'signed', decodedLength: input.length, chunkSize: 8192, signed: streamingContext });
    await pipeline(Readable.from([input]), encoder, sink);
    const dataPieces = seen.filter((b) => b.buffer === input.buffer);
    expect(dataPieces.map((b) => b.length)).toEqual([8192, 8192, 8192, 5]);
  });

  it('emits each unsigned chunk whole (size line, data and CRLF in one buffer), so downstream writes once per chunk', async () => {
    const input = Buffer.alloc(3 * 8192 + 5, 'z');
    const { seen, sink } = recordingSink();
    const encoder = createAwsChunkedEncoder({ mode: 'unsigned-trailer', trailer: 'crc32', decodedLength: input.length, chunkSize: 8192 });
    // Written in odd pieces: a chunk's data arrives split, and still leaves as one buffer.
    await pipeline(Readable.from([input.subarray(0, 1000), input.subarray(1000, 20000), input.subarray(20000)]), encoder, sink);
    const dataChunks = seen.slice(0, -1);
    expect(dataChunks.map((b) => /^([0-9a-f]+)\r\n/.exec(b.toString('latin1'))![1])).toEqual(['2000', '2000', '2000', '5']);
    for (const b of dataChunks) expect(b.subarray(-2).toString()).toBe('\r\n');
    expect(seen.at(-1)!.toString('latin1')).toMatch(/^0\r\nx-amz-checksum-crc32:[A-Za-z0-9+/]{6}==\r\n\r\n$/);
  });

  it('fails with SIGV4_CHUNK_LENGTH when the body is longer or shorter than announced', async () => {
    for (const written of [9, 11]) {
      const encoder = createAwsChunkedEncoder({ mode: 'unsigned-trailer', decodedLength: 10, trailer: 'crc32' });
      const failure = await run(encoder, [Buffer.alloc(written)]).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SigV4Error);
      expect((failure as SigV4Error).code).toBe('SIGV4_CHUNK_LENGTH');
    }
  });

  it('refuses a signed mode without a signing context, and a signing context without a signed mode', () => {
    expect(() => createAwsChunkedEncoder({ mode: 'signed', decodedLength: 1 })).toThrow(SigV4Error);
    expect(() =>
      createAwsChunkedEncoder({ mode: 'unsigned-trailer', trailer: 'crc32', decodedLength: 1, signed: streamingContext }),
    ).toThrow(SigV4Error);
  });
});
