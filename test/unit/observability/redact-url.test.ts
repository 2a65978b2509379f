import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/observability/index.js';

describe('redactUrl', () => {
  it('leaves a URL without a query as it is', () => {
    expect(redactUrl('/bucket/Signature=x')).toBe('/bucket/Signature=x');
  });

  it('masks SigV4 presign and SigV2 secrets in any case', () => {
    expect(redactUrl('/b?x-amz-signature=abc&Expires=1&AWSAccessKeyId=AKIA&signature=def')).toBe(
      '/b?x-amz-signature=[REDACTED]&Expires=1&AWSAccessKeyId=[REDACTED]&signature=[REDACTED]',
    );
  });

  it('does not mistake a parameter that only ends in a secret name', () => {
    expect(redactUrl('/b?MySignature=keep&a=1')).toBe('/b?MySignature=keep&a=1');
  });
});
