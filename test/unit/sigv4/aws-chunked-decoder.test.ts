import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createAwsChunkedDecoder } from '../../../src/sigv4/aws-chunked-decoder.js';
import type { AwsChunkedDecoderOptions } from '../../../src/sigv4/aws-chunked-decoder.js';
import { SigV4Error } from '../../../src/sigv4/errors.js';
import type { SigV4ErrorCode } from '../../../src/sigv4/errors.js';
import { run, split, streamingBody, streamingContext, trailerBody, trailerContext, vectorObject } from './aws-chunked-fixtures.js';

async function decode(body: Buffer | string, options: AwsChunkedDecoderOptions = {}, sizes = [1 << 20]) {
  const decoder = createAwsChunkedDecoder(options);
  const data = await run(decoder, split(Buffer.from(body), sizes));
  return { data, trailers: Object.fromEntries(decoder.trailers) };
}

async function failure(body: Buffer | string, options: AwsChunkedDecoderOptions = {}): Promise<SigV4ErrorCode> {
  const err = await decode(body, options).then(
    () => new Error('decoded without error'),
    (e: unknown) => e,
  );
  if (!(err instanceof SigV4Error)) throw err;
  return err.code;
}

const crc32b64 = (data: string): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString('base64');
};

describe('createAwsChunkedDecoder on the published vectors', () => {
  it('decodes and verifies the signed body fed one byte at a time', async () => {
    const { data, trailers } = await decode(streamingBody, { signed: streamingContext, expectedDecodedLength: 66560 }, [1]);
    expect(data.equals(vectorObject)).toBe(true);
    expect(trailers).toEqual({});
  });

  it('decodes and verifies the signed-trailer body fed one byte at a time, trailer checksum included', async () => {
    const options = { signed: trailerContext, expectedDecodedLength: 66560, trailer: 'x-amz-checksum-crc32c' };
    const { data, trailers } = await decode(trailerBody, options, [1]);
    expect(data.equals(vectorObject)).toBe(true);
    expect(trailers).toEqual({ 'x-amz-checksum-crc32c': 'sOO8/Q==' });
  });

  it('ignores chunk signatures when no signing context is given', async () => {
    const { data } = await decode(streamingBody, {}, [777]);
    expect(data.equals(vectorObject)).toBe(true);
  });

  it('refuses the body when one data byte changed', async () => {
    const tampered = Buffer.from(streamingBody);
    tampered[70_000 - 4000] = 0x62;
    expect(await failure(tampered, { signed: streamingContext })).toBe('SIGV4_CHUNK_SIGNATURE');
  });

  it('refuses the body under another seed signature', async () => {
    expect(await failure(streamingBody, { signed: trailerContext })).toBe('SIGV4_CHUNK_SIGNATURE');
  });

  it('refuses a wrong trailer signature and a changed trailer value', async () => {
    const options = { signed: trailerContext, trailer: 'x-amz-checksum-crc32c' };
    const badSignature = trailerBody.toString('latin1').replace('d81f82fc', 'd81f82fd');
    expect(await failure(Buffer.from(badSignature, 'latin1'), options)).toBe('SIGV4_CHUNK_SIGNATURE');
    const badValue = trailerBody.toString('latin1').replace('sOO8/Q==', 'sOO8/Q=A');
    expect(await failure(Buffer.from(badValue, 'latin1'), options)).toBe('SIGV4_CHUNK_SIGNATURE');
  });

  it('refuses signed trailers that carry no trailer signature', async () => {
    const text = trailerBody.toString('latin1');
    const unsigned = text.slice(0, text.indexOf('x-amz-trailer-signature')) + '\r\n';
    expect(await failure(Buffer.from(unsigned, 'latin1'), { signed: trailerContext, trailer: 'x-amz-checksum-crc32c' })).toBe(
      'SIGV4_CHUNK_SIGNATURE',
    );
  });
});

describe('createAwsChunkedDecoder on unsigned bodies', () => {
  const body = `5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:${crc32b64('hello world')}\r\n\r\n`;
  const options = { trailer: 'x-amz-checksum-crc32', expectedDecodedLength: 11 };

  it('decodes a body split into two pieces at every byte boundary', async () => {
    for (let cut = 1; cut < body.length; cut++) {
      const decoder = createAwsChunkedDecoder(options);
      const data = await run(decoder, [Buffer.from(body.slice(0, cut)), Buffer.from(body.slice(cut))]);
      expect(data.toString()).toBe('hello world');
      expect(decoder.trailers.get('x-amz-checksum-crc32')).toBe(crc32b64('hello world'));
    }
  });

  it('accepts chunk extensions, upper-case hex and whitespace before the extension', async () => {
    const { data } = await decode('A ;foo=bar;baz\r\n0123456789\r\n0\r\n\r\n');
    expect(data.toString()).toBe('0123456789');
  });

  it('accepts a blank line between the final chunk and the trailers', async () => {
    const late = body.replace('0\r\n', '0\r\n\r\n');
    const { trailers } = await decode(late, options);
    expect(trailers['x-amz-checksum-crc32']).toBe(crc32b64('hello world'));
  });

  it('verifies sha256 and sha1 trailers and passes crc64nvme through unverified', async () => {
    const sha256 = createHash('sha256').update('hello world').digest('base64');
    const sha1 = createHash('sha1').update('hello world').digest('base64');
    const tail = (line: string) => `5\r\nhello\r\n6\r\n world\r\n0\r\n${line}\r\n\r\n`;
    await expect(decode(tail(`x-amz-checksum-sha256:${sha256}`), { trailer: 'x-amz-checksum-sha256' })).resolves.toBeDefined();
    await expect(decode(tail(`x-amz-checksum-sha1:${sha1}`), { trailer: 'x-amz-checksum-sha1' })).resolves.toBeDefined();
    expect(await failure(tail(`x-amz-checksum-sha256:${sha1}`), { trailer: 'x-amz-checksum-sha256' })).toBe('SIGV4_CHECKSUM_MISMATCH');
    const { trailers } = await decode(tail('x-amz-checksum-crc64nvme:AAAAAAAAAAA='), { trailer: 'x-amz-checksum-crc64nvme' });
    expect(trailers).toEqual({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' });
  });

  it('pushes chunk data on before the rest of the chunk has arrived', async () => {
    const decoder = createAwsChunkedDecoder();
    decoder.write(Buffer.from('10\r\nabc'));
    const [first] = (await once(decoder, 'data')) as [Buffer];
    expect(first.toString()).toBe('abc');
    decoder.destroy();
  });

  const cases: Array<[string, string, AwsChunkedDecoderOptions, SigV4ErrorCode]> = [
    ['a size that is not hex', 'zz\r\n', {}, 'SIGV4_CHUNK_MALFORMED'],
    ['an empty size line', '\r\n', {}, 'SIGV4_CHUNK_MALFORMED'],
    ['a line ended by LF alone', '3\nabc\r\n0\r\n\r\n', {}, 'SIGV4_CHUNK_MALFORMED'],
    ['data not followed by CRLF', '3\r\nabcX\r\n0\r\n\r\n', {}, 'SIGV4_CHUNK_MALFORMED'],
    ['garbage after the size', '3x\r\nabc\r\n0\r\n\r\n', {}, 'SIGV4_CHUNK_MALFORMED'],
    ['bytes after the end', '0\r\n\r\nx:y\r\n\r\nmore', {}, 'SIGV4_CHUNK_MALFORMED'],
    ['a trailer that is not name:value', '0\r\nnovalue\r\n\r\n', {}, 'SIGV4_CHUNK_MALFORMED'],
    ['a chunk over the size limit', '401\r\n', { maxChunkSize: 1024 }, 'SIGV4_CHUNK_TOO_LARGE'],
    ['a size of many hex digits', 'f'.repeat(40) + '\r\n', {}, 'SIGV4_CHUNK_TOO_LARGE'],
    ['a header line over the limit', '1;' + 'x'.repeat(100) + '\r\n', { maxHeaderLineBytes: 64 }, 'SIGV4_CHUNK_TOO_LARGE'],
    ['an empty body', '', {}, 'SIGV4_CHUNK_TRUNCATED'],
    ['a body cut inside the data', '3\r\nab', {}, 'SIGV4_CHUNK_TRUNCATED'],
    ['a body without the final chunk', '3\r\nabc\r\n', {}, 'SIGV4_CHUNK_TRUNCATED'],
    ['a body without the closing blank line', '3\r\nabc\r\n0\r\n', {}, 'SIGV4_CHUNK_TRUNCATED'],
    ['more data than announced', '3\r\nabc\r\n3\r\nabc\r\n0\r\n\r\n', { expectedDecodedLength: 4 }, 'SIGV4_CHUNK_LENGTH'],
    ['less data than announced', '3\r\nabc\r\n0\r\n\r\n', { expectedDecodedLength: 4 }, 'SIGV4_CHUNK_LENGTH'],
    ['a chunk without a signature in signed mode', '3\r\nabc\r\n0\r\n\r\n', { signed: streamingContext }, 'SIGV4_CHUNK_MALFORMED'],
    ['a checksum that does not match', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n', { trailer: 'x-amz-checksum-crc32' }, 'SIGV4_CHECKSUM_MISMATCH'],
    ['a checksum trailer that was not announced', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n', {}, 'SIGV4_CHUNK_MALFORMED'],
    ['an announced trailer that never came', '3\r\nabc\r\n0\r\n\r\n', { trailer: 'x-amz-checksum-crc32' }, 'SIGV4_CHUNK_MALFORMED'],
    ['too many trailers', '0\r\n' + Array.from({ length: 17 }, (_, i) => `t${i}:v\r\n`).join('') + '\r\n', {}, 'SIGV4_CHUNK_TOO_LARGE'],
  ];
  for (const [what, input, opts, code] of cases) {
    it(`fails with ${code} on ${what}`, async () => {
      expect(await failure(input, opts)).toBe(code);
    });
  }

  it('refuses an endless header line after reading no more than the line limit', async () => {
    const decoder = createAwsChunkedDecoder({ maxHeaderLineBytes: 4096 });
    let accepted = 0;
    const error = await new Promise<unknown>((resolve) => {
      decoder.on('error', resolve);
      const piece = Buffer.alloc(100, '1');
      const pump = (): void => {
        while (!decoder.destroyed && accepted < 1_000_000) {
          accepted += piece.length;
          if (!decoder.write(piece)) return void decoder.once('drain', pump);
        }
      };
      pump();
    });
    expect((error as SigV4Error).code).toBe('SIGV4_CHUNK_TOO_LARGE');
    expect(accepted).toBeLessThanOrEqual(4096 + 200);
  });
});
