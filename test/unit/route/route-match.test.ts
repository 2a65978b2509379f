import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from '../../../src/proxy/request-target.js';
import { afterPrefix, bucketOf, compileMatch, hostOf, routeMatches } from '../../../src/route/index.js';

const probe = (path: string, host = '', hostBucket = '') => ({ path, host, hostBucket });

describe('routeMatches', () => {
  it('matches everything when the route gives no condition', () => {
    const m = compileMatch({ buckets: [], hosts: [], pathPrefix: '' });
    expect(routeMatches(m, probe('/'))).toBe(true);
    expect(routeMatches(m, probe('/any/thing', 'h'))).toBe(true);
  });

  it('matches buckets by glob, from the path or from the Host (virtual-hosted)', () => {
    const m = compileMatch({ buckets: ['team-a-*', 'shared'], hosts: [], pathPrefix: '' });
    expect(routeMatches(m, probe('/team-a-logs/key'))).toBe(true);
    expect(routeMatches(m, probe('/shared'))).toBe(true);
    expect(routeMatches(m, probe('/team-b-logs/key'))).toBe(false);
    expect(routeMatches(m, probe('/', '', 'team-a-x'))).toBe(true);
    expect(routeMatches(m, probe('/team-a-x/key', '', 'other'))).toBe(false);
    // Decoded once, as the target parser reads it; a malformed escape names no bucket.
    expect(routeMatches(m, probe('/team-a-%41/k'))).toBe(true);
    expect(routeMatches(m, probe('/team-a-%zz/k'))).toBe(false);
  });

  it('needs every condition given to hold', () => {
    const m = compileMatch({ buckets: ['logs'], hosts: ['s3.team-a.internal'], pathPrefix: '/a' });
    expect(routeMatches(m, probe('/a/logs/k', 's3.team-a.internal'))).toBe(true);
    expect(routeMatches(m, probe('/a/logs/k', 's3.team-b.internal'))).toBe(false);
    expect(routeMatches(m, probe('/logs/k', 's3.team-a.internal'))).toBe(false);
    expect(routeMatches(m, probe('/a/other/k', 's3.team-a.internal'))).toBe(false);
  });

  it('ends a path prefix at a segment boundary', () => {
    expect(afterPrefix('/search', '/search')).toBe('/');
    expect(afterPrefix('/search/', '/search')).toBe('/');
    expect(afterPrefix('/search/idx/_doc', '/search')).toBe('/idx/_doc');
    expect(afterPrefix('/searching', '/search')).toBeNull();
    expect(afterPrefix('/other', '/search')).toBeNull();
    expect(afterPrefix('/x', '')).toBe('/x');
  });

  it('reads the Host without port, case or a trailing dot', () => {
    expect(hostOf('S3.Team-A.Internal:8080')).toBe('s3.team-a.internal');
    expect(hostOf('s3.team-a.internal.')).toBe('s3.team-a.internal');
    expect(hostOf('[::1]:8080')).toBe('[::1]');
    expect(hostOf('')).toBe('');
  });

  it('matches host globs', () => {
    const m = compileMatch({ buckets: [], hosts: ['*.team-a.internal'], pathPrefix: '' });
    expect(routeMatches(m, probe('/', 'gw.team-a.internal'))).toBe(true);
    expect(routeMatches(m, probe('/', 'team-a.internal'))).toBe(false);
  });

  it('never throws on any path, host or bucket a client can send', () => {
    const m = compileMatch({ buckets: ['a*'], hosts: ['h*'], pathPrefix: '/p' });
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (path, host, hb) => {
      const r = routeMatches(m, probe('/' + path, hostOf(host), hb));
      expect(typeof r).toBe('boolean');
      expect(typeof bucketOf('/' + path, hb)).toBe('string');
    }));
  });

  it('reads the bucket exactly as the target parser will: a %2F in the first segment ends the bucket', () => {
    // Else `/team-b%2F..%2Fteam-a` would match a `*-a` route and be forwarded to bucket team-b under that route's identity.
    expect(bucketOf('/team-b%2F..%2Fteam-a/k', '')).toBe('team-b');
    const m = compileMatch({ buckets: ['*-a'], hosts: [], pathPrefix: '' });
    expect(routeMatches(m, probe('/team-b%2F..%2Fteam-a/k'))).toBe(false);
    const segment = fc.stringMatching(/^(?:[a-z0-9./-]|%2[fF]|%2[eE]|%[46][0-9a-fA-F])*$/);
    fc.assert(fc.property(segment, fc.string(), (first, rest) => {
      const path = '/' + first + '/' + rest.replace(/[?#%]/g, '');
      let target: { bucket: string } | null = null;
      try {
        target = parseRequestTarget(path, '');
      } catch {
        return; // InvalidURI: refused before any route is used
      }
      expect(bucketOf(path, '')).toBe(target.bucket);
    }), { numRuns: 500 });
  });
});
