import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAwsChunkedDecoder } from '../../../src/sigv4/aws-chunked-decoder.js';
import type { AwsChunkedDecoderOptions } from '../../../src/sigv4/aws-chunked-decoder.js';
import { createAwsChunkedEncoder } from '../../../src/sigv4/aws-chunked-encoder.js';
import { SigV4Error } from '../../../src/sigv4/errors.js';
import { run, split, trailerContext } from './aws-chunked-fixtures.js';

/** Resolves with the outcome; a hang rejects through run()'s deadline and fails the property. */
async function outcome(input: Buffer, options: AwsChunkedDecoderOptions, sizes: number[]): Promise<'ok' | SigV4Error> {
  try {
    await run(createAwsChunkedDecoder(options), split(input, sizes), 2000);
    return 'ok';
  } catch (err) {
    if (err instanceof SigV4Error) return err;
    throw err;
  }
}

const small: AwsChunkedDecoderOptions = { maxChunkSize: 4096, maxHeaderLineBytes: 128 };
const bytes = fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a));
const sizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 });

/** Random bytes drawn from the characters of the format, so that parsing gets far. */
const wireLike = fc
  .array(fc.constantFrom('0', '1', '5', 'a', 'F', ';', '=', ':', '\r', '\n', '\r\n', 'chunk-signature=', 'x-amz-checksum-crc32', 'z'), {
    maxLength: 120,
  })
  .map((parts) => Buffer.from(parts.join('')));

async function encodedSample(length: number): Promise<Buffer> {
  const encoder = createAwsChunkedEncoder({
    mode: 'signed-trailer', decodedLength: length, chunkSize: 64, trailer: 'crc32', signed: trailerContext,
  });
  return run(encoder, [Buffer.alloc(length, 'q')]);
}

describe('aws-chunked decoder under hostile input', () => {
  it('either decodes random bytes or fails with a SigV4Error, never hanging', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(bytes, wireLike), sizes, fc.boolean(), async (input, cuts, signed) => {
        const result = await outcome(input, { ...small, signed: signed ? trailerContext : undefined }, cuts);
        expect(result === 'ok' || result instanceof SigV4Error).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('fails on every truncation of a valid signed-trailer body', async () => {
    const body = await encodedSample(200);
    const options = { signed: trailerContext, trailer: 'x-amz-checksum-crc32', expectedDecodedLength: 200 };
    expect(await outcome(body, options, [17])).toBe('ok');
    for (let cut = 0; cut < body.length; cut++) {
      const result = await outcome(body.subarray(0, cut), options, [13]);
      expect(result, `cut at ${cut}`).toBeInstanceOf(SigV4Error);
    }
  });

  it('fails on any single changed byte of a valid signed-trailer body', async () => {
    const body = await encodedSample(150);
    const options = { signed: trailerContext, trailer: 'x-amz-checksum-crc32', expectedDecodedLength: 150 };
    await fc.assert(
      fc.asyncProperty(fc.nat(body.length - 1), fc.integer({ min: 1, max: 255 }), sizes, async (at, delta, cuts) => {
        const mutated = Buffer.from(body);
        mutated[at] = ((mutated[at] as number) + delta) & 0xff;
        const result = await outcome(mutated, options, cuts);
        // Hex case and whitespace around trailer values are the only changes the grammar forgives.
        if (result === 'ok') {
          const before = String.fromCharCode(body[at] as number);
          const after = String.fromCharCode(mutated[at] as number);
          expect(before.toLowerCase() === after.toLowerCase() || /\s/.test(after)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps its memory bounded: a 64 MiB chunk streams through without being gathered', async () => {
    const piece = Buffer.alloc(1 << 20, 'm');
    const size = 64 << 20;
    const decoder = createAwsChunkedDecoder({ expectedDecodedLength: size, maxChunkSize: size });
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let seen = 0;
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        seen += chunk.length;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
        cb();
      },
    });
    function* body(): Generator<Buffer> {
      yield Buffer.from(size.toString(16) + '\r\n');
      for (let i = 0; i < 64; i++) yield piece; // the same memory each time: a copy would show
      yield Buffer.from('\r\n0\r\n\r\n');
    }
    await pipeline(Readable.from(body()), decoder, sink);
    expect(seen).toBe(size);
    expect(peak).toBeLessThan(16 << 20);
  });
});
