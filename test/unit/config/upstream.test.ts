import { describe, expect, it } from 'vitest';
import { defaultUpstreamUrl, parseUpstream, resolveCapabilities } from '../../../src/config/upstream.js';
import type { UpstreamTarget } from '../../../src/config/upstream.js';

function target(url: string): UpstreamTarget {
  const t = parseUpstream(url);
  if (typeof t === 'string') throw new Error(t);
  return t;
}

describe('parseUpstream', () => {
  it('fills in the default port and marks Amazon hosts', () => {
    expect(target('https://s3.eu-west-1.amazonaws.com')).toEqual({
      url: 'https://s3.eu-west-1.amazonaws.com',
      protocol: 'https:',
      hostname: 's3.eu-west-1.amazonaws.com',
      host: 's3.eu-west-1.amazonaws.com',
      port: 443,
      origin: 'https://s3.eu-west-1.amazonaws.com',
      isAws: true,
    });
  });

  it('keeps an explicit port in host and reads a local server as not Amazon', () => {
    const t = target('http://127.0.0.1:9000/');
    expect(t.port).toBe(9000);
    expect(t.host).toBe('127.0.0.1:9000');
    expect(t.url).toBe('http://127.0.0.1:9000');
    expect(t.isAws).toBe(false);
  });

  it('does not take a look-alike host for Amazon', () => {
    expect(target('https://s3.amazonaws.com.evil.example').isAws).toBe(false);
    expect(target('https://notamazonaws.com').isAws).toBe(false);
    expect(target('https://s3.cn-north-1.amazonaws.com.cn').isAws).toBe(true);
  });

  it.each([
    ['not a url', 'is not a URL'],
    ['ftp://host', 'http or https'],
    ['https://user:pw@host', 'credentials'],
    ['https://host/bucket', 'no path'],
    ['https://host/?x=1', 'no path, query'],
  ])('rejects %j', (url, problem) => {
    expect(parseUpstream(url)).toContain(problem);
  });
});

describe('defaultUpstreamUrl', () => {
  it('uses the regional endpoint, and amazonaws.com.cn for China regions', () => {
    expect(defaultUpstreamUrl('us-east-2')).toBe('https://s3.us-east-2.amazonaws.com');
    expect(defaultUpstreamUrl('cn-northwest-1')).toBe('https://s3.cn-northwest-1.amazonaws.com.cn');
  });
});

describe('resolveCapabilities', () => {
  it('gives Amazon upstreams every capability and others none unless told', () => {
    expect([...resolveCapabilities(undefined, target('https://s3.amazonaws.com'))]).toEqual([
      'aws-chunked',
      'unsigned-trailer',
      'unsigned-payload',
    ]);
    expect(resolveCapabilities(undefined, target('http://127.0.0.1:9000')).size).toBe(0);
    expect([...resolveCapabilities(['aws-chunked'], target('http://127.0.0.1:9000'))]).toEqual(['aws-chunked']);
  });

  it('returns a set that cannot be changed', () => {
    const set = resolveCapabilities([], target('http://127.0.0.1:9000')) as Set<string>;
    expect(() => set.add('aws-chunked')).toThrow(TypeError);
    expect(() => set.clear()).toThrow(TypeError);
    expect(set.size).toBe(0);
  });
});
