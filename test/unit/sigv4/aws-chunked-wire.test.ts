import { describe, expect, it } from 'vitest';
import { awsChunkedContentSha256, awsChunkedModeOf } from '../../../src/sigv4/aws-chunked-wire.js';
import type { AwsChunkedMode } from '../../../src/sigv4/aws-chunked-wire.js';

describe('aws-chunked modes', () => {
  it('name each mode by its x-amz-content-sha256 value and read it back', () => {
    const expected: Record<AwsChunkedMode, string> = {
      signed: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'signed-trailer': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    };
    for (const [mode, value] of Object.entries(expected) as Array<[AwsChunkedMode, string]>) {
      expect(awsChunkedContentSha256(mode)).toBe(value);
      expect(awsChunkedModeOf(value)).toBe(mode);
    }
  });

  it('do not recognise non-streaming payload values', () => {
    expect(awsChunkedModeOf('UNSIGNED-PAYLOAD')).toBeUndefined();
    expect(awsChunkedModeOf('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBeUndefined();
  });
});
