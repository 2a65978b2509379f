import { describe, expect, it } from 'vitest';
import { readTarget } from '../../../src/proxy/route-target.js';
import type { RequestContext } from '../../../src/proxy/context.js';
import { compileMatch, RouteTable } from '../../../src/route/index.js';
import type { Route } from '../../../src/route/index.js';

const route = (name: string, m: { buckets?: string[]; hosts?: string[]; pathPrefix?: string }, generic = false): Route =>
  ({ name, generic, match: compileMatch({ buckets: m.buckets ?? [], hosts: m.hosts ?? [], pathPrefix: m.pathPrefix ?? '' }) }) as unknown as Route;

function ctxFor(url: string, method = 'GET', hostBucket = ''): RequestContext {
  return { req: { url }, method, headers: {}, hostBucket, bucket: '', key: '', query: [], queryString: '', operation: 'Other', route: null, routeName: '', servicePath: '' } as unknown as RequestContext;
}

const search = route('search', { pathPrefix: '/search' }, true);
const teamA = route('team-a', { buckets: ['team-a-*'] });
const byHost = route('b-host', { hosts: ['s3.team-b.internal'] });
const everything = route('api', {}, true);
const table = new RouteTable([search, teamA, byHost, everything], false);

describe('readTarget', () => {
  it('takes the first route whose conditions hold, in file order', () => {
    const a = ctxFor('/team-a-x/k?versionId=1');
    readTarget(a, table, 's3.team-b.internal');
    expect(a).toMatchObject({ route: teamA, routeName: 'team-a', bucket: 'team-a-x', key: 'k', operation: 'GetObject' });
    const b = ctxFor('/team-b-x/k');
    readTarget(b, table, 'S3.Team-B.internal:8443');
    expect(b).toMatchObject({ route: byHost, bucket: 'team-b-x', key: 'k' });
  });

  it('reads a generic route\'s target by the generic rules: prefix removed, path normalised, no bucket, op = method', () => {
    const c = ctxFor('/search/logs//x/../_doc/%2F1?refresh=true', 'PUT');
    readTarget(c, table, '');
    expect(c).toMatchObject({ route: search, servicePath: '/logs/_doc/%2F1', bucket: '', key: '', operation: 'PUT', queryString: 'refresh=true' });
    const abs = ctxFor('http://gw.example/search/x?y=1');
    readTarget(abs, table, '');
    expect(abs).toMatchObject({ route: search, servicePath: '/x', queryString: 'y=1' });
  });

  it('keeps signet\'s own endpoints out of every route, even a generic catch-all', () => {
    for (const url of ['/_signet/presign', '/_signet', '/_signet?x=1']) {
      const c = ctxFor(url, 'POST');
      readTarget(c, table, '');
      expect(c.route).toBeNull();
      expect(c.bucket).toBe('_signet');
    }
    // A bucket that only starts with the name is an ordinary request.
    const c = ctxFor('/_signetx/k');
    readTarget(c, table, '');
    expect(c.route).toBe(everything);
  });

  it('answers 404 NotFound when no route matches, naming no upstream', () => {
    const t = new RouteTable([teamA], false);
    expect(() => readTarget(ctxFor('/other/k'), t, '')).toThrow(expect.objectContaining({ code: 'NotFound', status: 404 }) as Error);
  });

  it('with the implicit route, matches nothing and reads S3 targets as before', () => {
    const only = route('default', {});
    const c = ctxFor('/b/k');
    readTarget(c, new RouteTable([only], true), '');
    expect(c).toMatchObject({ route: only, routeName: '', bucket: 'b', key: 'k' });
  });
});
