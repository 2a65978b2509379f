import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src/demo/range.js';
import { parseQuery } from '../../../src/demo/request-info.js';
import type { RequestInfo } from '../../../src/demo/request-info.js';
import { resolveAddress } from '../../../src/demo/route.js';

const at = (host: string, rawPath: string): RequestInfo => ({ method: 'GET', rawTarget: rawPath, rawPath, query: [], params: new Map(), headers: { host } });

describe('resolveAddress', () => {
  it.each([
    ['127.0.0.1:9000', '/bkt/a%20b/c', { bucket: 'bkt', key: 'a b/c' }],
    ['localhost:9000', '/bkt', { bucket: 'bkt', key: '' }],
    ['[::1]:9000', '/bkt/k', { bucket: 'bkt', key: 'k' }],
    ['s3.amazonaws.com', '/examplebucket/chunkObject.txt', { bucket: 'examplebucket', key: 'chunkObject.txt' }],
    ['my.dotted.bucket.localhost:9000', '/k', { bucket: 'my.dotted.bucket', key: 'k' }],
    ['examplebucket.s3.amazonaws.com', '/test%24file.text', { bucket: 'examplebucket', key: 'test$file.text' }],
    ['127.0.0.1', '/', { bucket: '', key: '' }],
  ])('reads Host %s and path %s', (host, path, expected) => {
    expect(resolveAddress(at(host, path))).toEqual(expected);
  });
});

describe('parseQuery', () => {
  it('decodes once, keeps a raw + literal and maps a bare name to ""', () => {
    expect(parseQuery('acl&prefix=a%2Fb+c&x=%252F')).toEqual([['acl', ''], ['prefix', 'a/b+c'], ['x', '%2F']]);
  });
});

describe('parseRange', () => {
  it('reads the three forms and clamps the end', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
  });

  it('ignores what it cannot parse and refuses ranges past the end', () => {
    expect(parseRange('items=0-1', 100)).toBeNull();
    expect(parseRange('bytes=5-1', 100)).toBeNull();
    expect(() => parseRange('bytes=100-', 100)).toThrow(/not satisfiable/);
  });
});
