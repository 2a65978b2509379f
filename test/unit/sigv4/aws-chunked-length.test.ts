import { describe, expect, it } from 'vitest';
import { awsChunkedEncodedLength } from '../../../src/sigv4/aws-chunked-length.js';
import { SigV4Error } from '../../../src/sigv4/errors.js';

describe('awsChunkedEncodedLength', () => {
  it('gives the published Content-Length 66824 for 66560 bytes in signed mode', () => {
    expect(awsChunkedEncodedLength(66560, { mode: 'signed' })).toBe(66824);
  });

  it('adds the crc32c trailer and its signature in signed-trailer mode', () => {
    const tail = 'x-amz-checksum-crc32c:sOO8/Q==\r\n'.length + 'x-amz-trailer-signature:'.length + 64 + 2;
    expect(awsChunkedEncodedLength(66560, { mode: 'signed-trailer', trailer: 'crc32c' })).toBe(66824 + tail);
  });

  it('counts an empty body as the final chunk alone', () => {
    expect(awsChunkedEncodedLength(0, { mode: 'signed' })).toBe(86);
    expect(awsChunkedEncodedLength(0, { mode: 'unsigned-trailer', trailer: 'crc32' })).toBe(
      '0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'.length,
    );
  });

  it('frames unsigned chunks with the hex size alone', () => {
    // 10 bytes in chunks of 4: "4\r\n....\r\n" twice, "2\r\n..\r\n", "0\r\n", trailer, "\r\n".
    const expected = 2 * (3 + 4 + 2) + (3 + 2 + 2) + 3 + 'x-amz-checksum-crc32:AAAAAA==\r\n'.length + 2;
    expect(awsChunkedEncodedLength(10, { mode: 'unsigned-trailer', chunkSize: 4, trailer: 'crc32' })).toBe(expected);
  });

  it('refuses a trailer mode without a trailer, and a negative length', () => {
    expect(() => awsChunkedEncodedLength(1, { mode: 'unsigned-trailer' })).toThrow(SigV4Error);
    expect(() => awsChunkedEncodedLength(-1, { mode: 'signed' })).toThrow(SigV4Error);
    expect(() => awsChunkedEncodedLength(1, { mode: 'signed', chunkSize: 0 })).toThrow(SigV4Error);
  });
});
