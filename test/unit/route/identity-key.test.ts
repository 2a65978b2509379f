import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseRoutes } from '../../../src/config/index.js';
import { DEFAULT_IDENTITY, identityKey, routeIdentities } from '../../../src/route/index.js';

const config = loadConfig(['--region', 'us-east-1'], {});
const routes = (yaml: string) => parseRoutes(yaml, 'gw.yaml', config)!;
const dir = mkdtempSync(join(tmpdir(), 'signet-identity-key-'));
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, 'header.payload.signature');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('identityKey (who a route signs as; shared by RouteBuilder and the --workers primary)', () => {
  it('is the default identity for every route without credentials, whatever else differs', () => {
    const [a, b] = routes('routes:\n  - { name: a, match: { buckets: [a] } }\n  - { name: b, region: eu-west-1, service: es, upstream: "https://es.example" }\n');
    expect(identityKey(a!)).toBe(DEFAULT_IDENTITY);
    expect(identityKey(b!)).toBe(DEFAULT_IDENTITY);
  });

  it('is equal for routes with the same credentials and region, and differs when any of them differs', () => {
    const list = routes([
      'routes:',
      '  - { name: a, match: { buckets: [a] }, credentials: { roleArn: "arn:aws:iam::111122223333:role/r", externalId: x } }',
      '  - { name: same, match: { buckets: [s] }, credentials: { roleArn: "arn:aws:iam::111122223333:role/r", externalId: x } }',
      '  - { name: other-ext, match: { buckets: [o] }, credentials: { roleArn: "arn:aws:iam::111122223333:role/r", externalId: y } }',
      '  - { name: other-region, match: { buckets: [g] }, region: eu-west-1, credentials: { roleArn: "arn:aws:iam::111122223333:role/r", externalId: x } }',
      '  - { name: other-duration, match: { buckets: [d] }, credentials: { roleArn: "arn:aws:iam::111122223333:role/r", externalId: x, duration: 1h } }',
      '  - { name: profile, match: { buckets: [p] }, credentials: { profile: team } }',
      `  - { name: web, match: { buckets: [w] }, credentials: { webIdentity: { roleArn: "arn:aws:iam::111122223333:role/r", tokenFile: ${JSON.stringify(tokenFile)} } } }`,
      '',
    ].join('\n'));
    const keys = list.map(identityKey);
    expect(keys[1]).toBe(keys[0]);
    expect(new Set(keys).size).toBe(keys.length - 1);
    expect(keys).not.toContain(DEFAULT_IDENTITY);
  });

  it('never holds a secret: only what the config names (a route\'s credentials have no secret fields)', () => {
    const [r] = routes('routes:\n  - { name: a, credentials: { roleArn: "arn:aws:iam::111122223333:role/r", externalId: ext, sessionName: gw-s } }\n');
    expect(JSON.parse(identityKey(r!))).toEqual(['us-east-1', null, 'arn:aws:iam::111122223333:role/r', 'ext', 'gw-s', null, null, null]);
  });

  it('routeIdentities: each identity once, with the first route (file order) that signs as it', () => {
    const list = routes([
      'routes:',
      '  - { name: first-default, match: { buckets: [a] } }',
      '  - { name: role-1, match: { buckets: [b] }, credentials: { profile: p } }',
      '  - { name: role-2, match: { buckets: [c] }, credentials: { profile: p } }',
      '  - { name: second-default }',
      '',
    ].join('\n'));
    const ids = routeIdentities(list);
    expect([...ids.values()].map((r) => r.name)).toEqual(['first-default', 'role-1']);
    expect([...ids.keys()][0]).toBe(DEFAULT_IDENTITY);
  });
});
