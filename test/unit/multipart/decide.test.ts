import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multipartReason } from '../../../src/multipart/decide.js';
import type { MultipartFacts, MultipartPolicy } from '../../../src/multipart/decide.js';

const plain: MultipartFacts = { operation: 'PutObject', contentLength: -1, chunked: false, clientPayloadHash: 'UNSIGNED-PAYLOAD', contentEncoding: '' };
const auto: MultipartPolicy = { mode: 'auto', threshold: 100 };

const facts = fc.record({
  operation: fc.constantFrom('PutObject', 'UploadPart', 'GetObject', 'CopyObject', 'PostObject'),
  contentLength: fc.integer({ min: -1, max: 1000 }),
  chunked: fc.boolean(),
  clientPayloadHash: fc.constantFrom('UNSIGNED-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', ''),
  contentEncoding: fc.constantFrom('', 'gzip', 'aws-chunked', 'AWS-CHUNKED,gzip', 'gzip, aws-chunked'),
});
const policy = fc.record({ mode: fc.constantFrom('auto' as const, 'off' as const), threshold: fc.integer({ min: 0, max: 1000 }) });

describe('multipartReason', () => {
  it('unknown length goes multipart; a known length only above the threshold', () => {
    expect(multipartReason({ ...plain, chunked: true }, auto)).toBe('unknown-length');
    expect(multipartReason({ ...plain, contentLength: 100 }, auto)).toBeNull();
    expect(multipartReason({ ...plain, contentLength: 101 }, auto)).toBe('over-threshold');
  });

  it('leaves alone a body the client aws-chunks itself, any other operation, and everything with --multipart off', () => {
    expect(multipartReason({ ...plain, chunked: true, clientPayloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }, auto)).toBeNull();
    expect(multipartReason({ ...plain, chunked: true, contentEncoding: 'gzip,AWS-chunked' }, auto)).toBeNull();
    expect(multipartReason({ ...plain, chunked: true, operation: 'UploadPart' }, auto)).toBeNull();
    expect(multipartReason({ ...plain, chunked: true }, { ...auto, mode: 'off' })).toBeNull();
  });

  it('as a property: multipart exactly when every condition holds', () => {
    fc.assert(fc.property(facts, policy, (f, p) => {
      const own = f.clientPayloadHash.startsWith('STREAMING-') || f.contentEncoding.toLowerCase().includes('aws-chunked');
      const eligible = p.mode === 'auto' && f.operation === 'PutObject' && !own;
      const expected = !eligible ? null : f.chunked ? 'unknown-length' : f.contentLength > p.threshold ? 'over-threshold' : null;
      expect(multipartReason(f, p)).toBe(expected);
    }));
  });
});
