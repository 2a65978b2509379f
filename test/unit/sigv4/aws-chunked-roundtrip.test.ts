import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAwsChunkedDecoder } from '../../../src/sigv4/aws-chunked-decoder.js';
import { createAwsChunkedEncoder } from '../../../src/sigv4/aws-chunked-encoder.js';
import type { AwsChunkedMode } from '../../../src/sigv4/aws-chunked-wire.js';
import { checksumTrailerName } from '../../../src/sigv4/trailer-checksum.js';
import { run, split, trailerContext } from './aws-chunked-fixtures.js';

const modes: AwsChunkedMode[] = ['signed', 'signed-trailer', 'unsigned-trailer'];

describe('aws-chunked encoder → decoder', () => {
  it('returns the original bytes and a verified trailer for every mode, length, chunk size and split', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...modes),
        fc.constantFrom('crc32' as const, 'crc32c' as const),
        fc.nat(3000),
        fc.integer({ min: 1, max: 700 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 5 }),
        async (mode, algorithm, length, chunkSize, writeSizes, readSizes) => {
          const data = randomBytes(length);
          const signed = mode === 'unsigned-trailer' ? undefined : trailerContext;
          const trailer = mode === 'signed' ? undefined : algorithm;
          const encoder = createAwsChunkedEncoder({ mode, decodedLength: length, chunkSize, trailer, signed });
          const encoded = await run(encoder, split(data, writeSizes));
          expect(encoded.length).toBe(encoder.encodedLength);
          const decoder = createAwsChunkedDecoder({
            signed,
            expectedDecodedLength: length,
            trailer: trailer === undefined ? undefined : checksumTrailerName(trailer),
          });
          const decoded = await run(decoder, split(encoded, readSizes));
          expect(decoded.equals(data)).toBe(true);
          expect([...decoder.trailers.keys()]).toEqual(trailer === undefined ? [] : [checksumTrailerName(trailer)]);
        },
      ),
      { numRuns: 400 },
    );
  });
});
