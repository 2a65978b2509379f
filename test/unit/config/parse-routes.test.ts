import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadRoutes, parseRoutes, parseUpstream } from '../../../src/config/index.js';
import type { RouteDefaults, UpstreamTarget } from '../../../src/config/index.js';

const upstream = parseUpstream('https://s3.us-east-1.amazonaws.com') as UpstreamTarget;
const DEFAULTS: RouteDefaults = {
  region: 'us-east-1', upstream, service: 's3', addressing: 'auto', payload: 'auto', upstreamCapabilities: new Set(['aws-chunked', 'unsigned-trailer', 'unsigned-payload']),
  signingAlgorithm: 'sigv4', regionSet: [],
};
let dir: string;
let token: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-routes-config-'));
  token = join(dir, 'token');
  writeFileSync(token, 'eyJ...');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (yaml: string) => parseRoutes(yaml, 'gw.yaml', DEFAULTS);
function error(yaml: string): string {
  try {
    parse(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('parseRoutes', () => {
  it('returns null for a config without routes (signet serve as before)', () => {
    expect(parse('region: eu-west-1\n')).toBeNull();
    expect(parse('')).toBeNull();
  });

  it('reads a complete route and fills what it leaves out from the top-level settings', () => {
    const routes = parse([
      'routes:',
      '  - name: team-a',
      '    match: { buckets: ["team-a-*"], hosts: ["s3.team-a.internal"], pathPrefix: /a/ }',
      '    upstream: https://s3.eu-west-1.amazonaws.com',
      '    region: eu-west-1',
      '    addressing: path',
      '    payload: signed',
      '    upstreamCapabilities: none',
      '    credentials: { profile: team-a, roleArn: "arn:aws:iam::111122223333:role/x", externalId: ext, sessionName: gw, duration: 30m }',
      '  - name: search',
      '    match: { path-prefix: /search }',
      '    upstream: https://search-x.eu-west-1.es.amazonaws.com',
      '    service: es',
      '  - name: rest',
    ].join('\n'))!;
    expect(routes.map((r) => r.name)).toEqual(['team-a', 'search', 'rest']);
    const [a, search, rest] = routes as [typeof routes[0], typeof routes[0], typeof routes[0]];
    expect(a).toMatchObject({
      match: { buckets: ['team-a-*'], hosts: ['s3.team-a.internal'], pathPrefix: '/a' },
      region: 'eu-west-1', service: 's3', addressing: 'path', payload: 'signed',
      credentials: { profile: 'team-a', roleArn: 'arn:aws:iam::111122223333:role/x', externalId: 'ext', roleSessionName: 'gw', roleDuration: 1_800_000 },
    });
    expect(a.upstream.origin).toBe('https://s3.eu-west-1.amazonaws.com');
    expect([...a.upstreamCapabilities]).toEqual([]);
    // A generic service never takes aws-chunked bodies, even on an amazonaws.com endpoint.
    expect(search).toMatchObject({ service: 'es', region: 'us-east-1', credentials: null });
    expect([...search.upstreamCapabilities]).toEqual([]);
    expect(rest).toMatchObject({ match: { buckets: [], hosts: [], pathPrefix: '' }, region: 'us-east-1', service: 's3', credentials: null });
    expect(rest.upstream).toBe(upstream);
    expect(rest.upstreamCapabilities).toBe(DEFAULTS.upstreamCapabilities);
  });

  it('sends a route with a region of its own but no upstream to that region\'s S3 endpoint', () => {
    const [r] = parse('routes:\n  - { name: west, region: us-west-2 }\n')!;
    expect(r!.upstream.origin).toBe('https://s3.us-west-2.amazonaws.com');
  });

  it('reads a SigV4A route (its own region set, or its region by default)', () => {
    const [mrap, own] = parse('routes:\n  - { name: mrap, match: { buckets: [m] }, signingAlgorithm: sigv4a, regionSet: "us-*,eu-west-1" }\n  - { name: own, region: eu-west-2, signingAlgorithm: sigv4a }\n')!;
    expect(mrap).toMatchObject({ signingAlgorithm: 'sigv4a', regionSet: ['us-*', 'eu-west-1'] });
    expect(own).toMatchObject({ signingAlgorithm: 'sigv4a', regionSet: ['eu-west-2'] });
    expect(error('routes:\n  - { name: a, regionSet: "*" }')).toContain('routes[0] (a).regionSet: "*" is only used with --config "gw.yaml" routes[0] (a).signingAlgorithm sigv4a');
  });

  it('reads web identity credentials', () => {
    const [r] = parse(`routes:\n  - name: w\n    credentials:\n      webIdentity: { roleArn: "arn:aws:iam::111122223333:role/w", tokenFile: ${JSON.stringify(token)} }\n`)!;
    expect(r!.credentials).toEqual({ webIdentity: { roleArn: 'arn:aws:iam::111122223333:role/w', tokenFile: token } });
  });

  it.each([
    ['a list that is not one', 'routes: {}', 'routes: expected a list of 1 to 1000 routes'],
    ['an empty list', 'routes: []', 'routes: expected a list'],
    ['a route without a name', 'routes:\n  - { region: eu-west-1 }', 'routes[0]: name is required'],
    ['a bad name', 'routes:\n  - { name: "team a" }', 'routes[0]: name is required'],
    ['a duplicate name', 'routes:\n  - { name: a, match: { buckets: [x] } }\n  - { name: a }', 'routes[1]: name "a" is used by an earlier route'],
    ['an unknown key', 'routes:\n  - { name: a, upstraem: "http://x" }', 'routes[0] (a): unknown key "upstraem" (did you mean upstream?)'],
    ['an unknown match key', 'routes:\n  - { name: a, match: { bucket: [x] } }', 'routes[0] (a).match: unknown key "bucket" (did you mean buckets?)'],
    ['a bad region', 'routes:\n  - { name: a, region: EU }', 'routes[0] (a).region: "EU" is not a region'],
    ['a bad upstream', 'routes:\n  - { name: a, upstream: "ftp://x" }', 'routes[0] (a).upstream: "ftp://x" must use http or https'],
    ['a bad addressing', 'routes:\n  - { name: a, addressing: dns }', 'routes[0] (a).addressing: "dns" is not one of path|virtual|auto'],
    ['a generic route without upstream', 'routes:\n  - { name: a, service: es }', 'routes[0] (a): upstream is required for service "es"'],
    ['aws-chunked for a generic route', 'routes:\n  - { name: a, service: es, upstream: "https://h", upstreamCapabilities: all }', 'routes[0] (a).upstreamCapabilities: aws-chunked and unsigned-trailer are S3 forms'],
    ['streaming for a generic route', 'routes:\n  - { name: a, service: es, upstream: "https://h", payload: streaming }', 'routes[0] (a).payload: "streaming" needs upstream capability aws-chunked'],
    ['a bad service', 'routes:\n  - { name: a, service: "S 3", upstream: "https://h" }', 'routes[0] (a).service: "S 3" is not a SigV4 service name'],
    ['a bad bucket glob', 'routes:\n  - { name: a, match: { buckets: ["a/b"] } }', 'routes[0] (a).match.buckets: "a/b" is not bucket glob'],
    ['a host with a port', 'routes:\n  - { name: a, match: { hosts: ["h.internal:80"] } }', 'routes[0] (a).match.hosts: "h.internal:80" is not host name'],
    ['a bad path prefix', 'routes:\n  - { name: a, match: { pathPrefix: "/a/../b" } }', 'routes[0] (a).match.pathPrefix: "/a/../b" is not a path prefix'],
    ['a route after a catch-all', 'routes:\n  - { name: all }\n  - { name: a, match: { buckets: [x] } }', 'routes[1] (a): never reached, route "all" before it matches every request'],
    ['empty credentials', 'routes:\n  - { name: a, credentials: {} }', 'routes[0] (a).credentials: give profile, roleArn or webIdentity'],
    ['a bad role', 'routes:\n  - { name: a, credentials: { roleArn: nope } }', 'routes[0] (a).credentials.roleArn: "nope" is not an IAM role ARN'],
    ['an external id without a role', 'routes:\n  - { name: a, credentials: { profile: p, externalId: e } }', 'routes[0] (a).credentials: externalId, sessionName and duration are only used with roleArn'],
    ['web identity beside a profile', 'routes:\n  - { name: a, credentials: { profile: p, webIdentity: { roleArn: "arn:aws:iam::111122223333:role/w" } } }', 'webIdentity stands alone'],
    ['web identity without a token file', 'routes:\n  - { name: a, credentials: { webIdentity: { roleArn: "arn:aws:iam::111122223333:role/w" } } }', '.credentials.webIdentity: needs both roleArn and tokenFile'],
    ['a missing token file', 'routes:\n  - { name: a, credentials: { webIdentity: { roleArn: "arn:aws:iam::111122223333:role/w", tokenFile: /nonexistent/t } } }', '.webIdentity.tokenFile: "/nonexistent/t" is not a readable file'],
  ])('refuses %s with one line naming the file, the route and the key', (_, yaml, expected) => {
    const message = error(yaml);
    expect(message).toContain('--config "gw.yaml" routes');
    expect(message).toContain(expected);
  });

  it('reports a YAML syntax error by line, without echoing the file', () => {
    expect(error('routes:\n  - name: [unclosed\n')).toMatch(/^--config: "gw.yaml" is not valid YAML or JSON \(line \d+\)$/);
  });

  it('loadRoutes reads the file again each time (for reload) and names it when missing', () => {
    const file = join(dir, 'r.yaml');
    writeFileSync(file, 'routes:\n  - { name: one }\n');
    expect(loadRoutes(file, DEFAULTS)!.map((r) => r.name)).toEqual(['one']);
    writeFileSync(file, 'routes:\n  - { name: two }\n');
    expect(loadRoutes(file, DEFAULTS)!.map((r) => r.name)).toEqual(['two']);
    expect(() => loadRoutes(join(dir, 'gone.yaml'), DEFAULTS)).toThrow(/--config: cannot read ".*gone.yaml": ENOENT/);
  });

  it('loadConfig accepts routes: beside flag keys and resolves them against the top-level settings', () => {
    const file = join(dir, 'serve.yaml');
    writeFileSync(file, 'region: eu-west-1\npayload: signed\nroutes:\n  - { name: a, match: { buckets: [a-*] } }\n');
    const c = loadConfig(['--config', file], {});
    expect(c.routes).toHaveLength(1);
    expect(c.routes![0]).toMatchObject({ name: 'a', region: 'eu-west-1', payload: 'signed' });
    expect(loadConfig(['--region', 'eu-west-1'], {}).routes).toBeNull();
  });
});
