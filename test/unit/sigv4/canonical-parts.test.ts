import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalHeaders, canonicalHeaderValue, isSignableHeader } from '../../../src/sigv4/canonical-headers.js';
import { canonicalQuery } from '../../../src/sigv4/canonical-query.js';
import { canonicalUri } from '../../../src/sigv4/canonical-uri.js';

describe('canonicalQuery', () => {
  it('sorts by name then value and keeps bare parameters as name=', () => {
    expect(canonicalQuery([['b', '2'], ['a', '1'], ['a', '0'], ['acl', '']])).toBe('a=0&a=1&acl=&b=2');
  });
  it('orders a name before a longer name it prefixes', () => {
    expect(canonicalQuery([['a-b', '1'], ['a', '1']])).toBe('a=1&a-b=1');
  });
  it('sorts uppercase before lowercase (byte order)', () => {
    expect(canonicalQuery([['x', '1'], ['X-Amz-Date', '2']])).toBe('X-Amz-Date=2&x=1');
  });
  it('encodes slash, space and plus in values', () => {
    expect(canonicalQuery([['prefix', 'a/b c+d']])).toBe('prefix=a%2Fb%20c%2Bd');
  });
  it('drops an excluded parameter', () => {
    expect(canonicalQuery([['X-Amz-Signature', 'x'], ['a', '']], 'X-Amz-Signature')).toBe('a=');
  });
});

describe('canonicalUri', () => {
  it('keeps an S3 path verbatim', () => {
    expect(canonicalUri('/b/a//./../c', 's3')).toBe('/b/a//./../c');
  });
  it('normalises and double-encodes for other services', () => {
    expect(canonicalUri('/a/./b/../c%20d//e/', 'es')).toBe('/a/c%2520d/e/');
  });
  it('gives / for an empty path', () => {
    expect(canonicalUri('', 's3')).toBe('/');
    expect(canonicalUri('/', 'execute-api')).toBe('/');
  });
});

describe('canonical headers', () => {
  it('trims and collapses inner whitespace runs', () => {
    expect(canonicalHeaderValue('  a \t  b  c ')).toBe('a b c');
  });
  it('never signs hop-by-hop or proxy-rewritten headers', () => {
    for (const name of ['connection', 'keep-alive', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'user-agent', 'x-amzn-trace-id']) {
      expect(isSignableHeader(name)).toBe(false);
    }
    for (const name of ['host', 'x-amz-meta-a', 'content-type', 'content-md5', 'range', 'if-match', 'cache-control']) {
      expect(isSignableHeader(name)).toBe(true);
    }
  });
  it('sorts names and appends the signer-added headers', () => {
    const h = canonicalHeaders({ 'x-amz-meta-b': 'v', host: 'h', 'user-agent': 'curl' }, [['x-amz-date', 'd']]);
    expect(h.signedHeaders).toBe('host;x-amz-date;x-amz-meta-b');
    expect(h.block).toBe('host:h\nx-amz-date:d\nx-amz-meta-b:v\n');
  });
  it('orders any set of names as Array.prototype.sort does, each line with its own value', () => {
    const name = fc.stringMatching(/^[a-z0-9-]{1,12}$/).filter((n) => n !== 'connection' && isSignableHeader(n));
    fc.assert(fc.property(fc.uniqueArray(name, { maxLength: 24 }), fc.uniqueArray(fc.constantFrom('x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token')), (names, extraNames) => {
      const headers = Object.fromEntries(names.map((n) => [n, `v-${n}`]));
      const extra = extraNames.map((n) => [n, `e-${n}`] as const);
      const h = canonicalHeaders(headers, extra);
      const expected = [...new Set([...names, ...extraNames])].sort();
      expect(h.signedHeaders).toBe(expected.join(';'));
      expect(h.block).toBe(expected.map((n) => `${n}:${headers[n] ?? `e-${n}`}\n`).join(''));
    }));
  });
});
