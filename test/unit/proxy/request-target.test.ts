import { describe, expect, it } from 'vitest';
import { bucketFromHost, parseRequestTarget, wirePath } from '../../../src/proxy/request-target.js';

describe('bucketFromHost', () => {
  const suffixes = ['localhost', 's3.signet.internal'];
  it('takes the labels before a configured suffix, any port and case', () => {
    expect(bucketFromHost('my-bucket.localhost:8080', suffixes)).toBe('my-bucket');
    expect(bucketFromHost('My.Dotted.Bucket.S3.Signet.Internal', suffixes)).toBe('my.dotted.bucket');
  });
  it('names no bucket for the bare suffix, other hosts, IP literals or when disabled', () => {
    expect(bucketFromHost('localhost:8080', suffixes)).toBe('');
    expect(bucketFromHost('notlocalhost', suffixes)).toBe('');
    expect(bucketFromHost('127.0.0.1:8080', suffixes)).toBe('');
    expect(bucketFromHost('[::1]:8080', suffixes)).toBe('');
    expect(bucketFromHost('b.localhost', [])).toBe('');
  });
});

describe('parseRequestTarget', () => {
  it('splits bucket and key path-style, decoding once and keeping a raw + as a plus', () => {
    expect(parseRequestTarget('/bkt/a+b%20c//d')).toMatchObject({ bucket: 'bkt', key: 'a+b c//d' });
  });
  it('takes the whole path as the key when the Host named the bucket', () => {
    expect(parseRequestTarget('/dir/key', 'vb')).toMatchObject({ bucket: 'vb', key: 'dir/key' });
  });
  it('drops client auth parameters and form-decodes the query', () => {
    const t = parseRequestTarget('/bkt?prefix=a+b&X-Amz-Signature=x&Signature=y&acl');
    expect(t.query).toEqual([['prefix', 'a b'], ['acl', '']]);
    expect(t.queryString).toBe('acl=&prefix=a%20b');
  });
  it('accepts an absolute-form target and keeps only its path', () => {
    expect(parseRequestTarget('http://proxy.example:8080/bkt/k?x=1')).toMatchObject({ bucket: 'bkt', key: 'k' });
  });
  it('encodes the wire path once, path-style or virtual-hosted', () => {
    expect(wirePath('bkt', 'a b/ü', false)).toBe('/bkt/a%20b/%C3%BC');
    expect(wirePath('bkt', 'a b', true)).toBe('/a%20b');
    expect(wirePath('', '', false)).toBe('/');
  });
});
