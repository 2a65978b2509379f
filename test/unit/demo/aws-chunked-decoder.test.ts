import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder } from '../../../src/demo/aws-chunked-decoder.js';
import type { ChunkEvents } from '../../../src/demo/aws-chunked-decoder.js';
import { ChunkVerifier, hmacChunkCheck } from '../../../src/demo/chunk-verifier.js';
import { DemoError } from '../../../src/demo/demo-error.js';
import { EXAMPLE, STREAMING_VECTOR, TRAILER_VECTOR, vectorBody } from './vectors.js';

// The signing key for the example credentials, derived by hand (kDate → kRegion → kService → kSigning).
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const KEY = hmac(hmac(hmac(hmac('AWS4' + EXAMPLE.secretAccessKey, '20130524'), 'us-east-1'), 's3'), 'aws4_request');

interface Run {
  data: Buffer;
  trailers: Array<[string, string]>;
  verifier: ChunkVerifier;
}

function decode(body: Buffer, seed: string, pieceSize: number, signed = true, expectTrailers = false): Run {
  const verifier = new ChunkVerifier(hmacChunkCheck(KEY), EXAMPLE.amzDate, EXAMPLE.scope, seed);
  const out: Buffer[] = [];
  const trailers: Array<[string, string]> = [];
  const events: ChunkEvents = {
    chunkStart: (n, sig) => { if (signed) verifier.chunkStart(n, sig ?? ''); },
    data: (b) => { out.push(Buffer.from(b)); if (signed) verifier.data(b); },
    chunkEnd: () => { if (signed) verifier.chunkEnd(); },
    trailer: (name, value) => { trailers.push([name, value]); verifier.trailer(name, value); },
  };
  const decoder = new AwsChunkedDecoder(events, signed, expectTrailers);
  for (let i = 0; i < body.length; i += pieceSize) decoder.write(body.subarray(i, i + pieceSize));
  decoder.end();
  return { data: Buffer.concat(out), trailers, verifier };
}

describe('aws-chunked decoder and chunk-signature chain', () => {
  it('derives the published signing key', () => {
    expect(KEY.toString('hex')).toBe('dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378');
  });

  it.each([1, 7, 86, 4096, 70000])('accepts the published STREAMING-AWS4-HMAC-SHA256-PAYLOAD body fed in %i-byte pieces', (piece) => {
    const body = vectorBody(STREAMING_VECTOR.chunks);
    expect(body.length).toBe(66824);
    const run = decode(body, STREAMING_VECTOR.seed, piece);
    expect(run.data.length).toBe(66560);
    expect(run.data.equals(Buffer.alloc(66560, 'a'))).toBe(true);
  });

  it('accepts the published signed-trailer body and its trailer signature', () => {
    const body = vectorBody(TRAILER_VECTOR.chunks, [TRAILER_VECTOR.trailer, `x-amz-trailer-signature:${TRAILER_VECTOR.trailerSignature}`]);
    const run = decode(body, TRAILER_VECTOR.seed, 1000, true, true);
    expect(run.trailers).toEqual([['x-amz-checksum-crc32c', 'sOO8/Q=='], ['x-amz-trailer-signature', TRAILER_VECTOR.trailerSignature]]);
    expect(() => run.verifier.finishTrailer()).not.toThrow();
  });

  it('refuses a trailer whose value was changed after signing', () => {
    const body = vectorBody(TRAILER_VECTOR.chunks, ['x-amz-checksum-crc32c:AAAAAA==', `x-amz-trailer-signature:${TRAILER_VECTOR.trailerSignature}`]);
    const run = decode(body, TRAILER_VECTOR.seed, 1000, true, true);
    expect(() => run.verifier.finishTrailer()).toThrow(/does not match/);
  });

  it('refuses a body with one data byte changed, naming SignatureDoesNotMatch', () => {
    const body = vectorBody(STREAMING_VECTOR.chunks);
    body[66000] = 'b'.charCodeAt(0);
    let caught: unknown;
    try { decode(body, STREAMING_VECTOR.seed, 8192); } catch (err) { caught = err; }
    expect(caught).toBeInstanceOf(DemoError);
    expect((caught as DemoError).code).toBe('SignatureDoesNotMatch');
    expect((caught as DemoError).status).toBe(403);
  });

  it('refuses chunks chained from a different seed signature', () => {
    expect(() => decode(vectorBody(STREAMING_VECTOR.chunks), TRAILER_VECTOR.seed, 65536)).toThrow(/does not match/);
  });

  it('refuses a body cut before the final chunk', () => {
    const body = vectorBody(STREAMING_VECTOR.chunks);
    expect(() => decode(body.subarray(0, 66000), STREAMING_VECTOR.seed, 4096)).toThrow(/terminated unexpectedly/);
  });

  it('refuses data not followed by CRLF and bytes after the end', () => {
    const body = vectorBody(STREAMING_VECTOR.chunks);
    const broken = Buffer.from(body);
    broken[5 + 83 + 65536] = 0x41;
    expect(() => decode(broken, STREAMING_VECTOR.seed, 4096)).toThrow(/CRLF/);
    expect(() => decode(Buffer.concat([body, Buffer.from('x')]), STREAMING_VECTOR.seed, 4096)).toThrow(/after the final chunk/);
  });

  it('refuses a non-final signed chunk smaller than 8 KiB', () => {
    const verifier = new ChunkVerifier(hmacChunkCheck(KEY), EXAMPLE.amzDate, EXAMPLE.scope, STREAMING_VECTOR.seed);
    verifier.chunkStart(100, 'x'.repeat(64));
    expect(() => verifier.chunkStart(100, 'x'.repeat(64))).toThrow(/8192/);
  });

  it('decodes the unsigned-trailer form the SDKs send (no chunk-signature, trailer after the 0 chunk)', () => {
    const body = Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n');
    const run = decode(body, '', 3, false, true);
    expect(run.data.toString()).toBe('hello');
    expect(run.trailers).toEqual([['x-amz-checksum-crc32', 'NhCmhg==']]);
  });

  it('never reports framing bytes as data', () => {
    const run = decode(vectorBody(STREAMING_VECTOR.chunks), STREAMING_VECTOR.seed, 333);
    expect(createHash('sha256').update(run.data).digest('hex')).toBe(createHash('sha256').update(Buffer.alloc(66560, 'a')).digest('hex'));
    expect(run.data.includes('chunk-signature')).toBe(false);
  });
});
