import { describe, expect, it } from 'vitest';
import { actionPatterns, Glob } from '../../../src/proxy/client-policy.js';
import type { ClientPolicy } from '../../../src/proxy/client-policy.js';
import { parseInboundClients } from '../../../src/proxy/inbound-clients.js';
import { checkRoutePolicy } from '../../../src/proxy/route-policy.js';

const policy = (routes?: string[]): ClientPolicy => ({
  buckets: [new Glob('*')], keys: [new Glob('*')], actions: actionPatterns(['s3:*']), ...(routes === undefined ? {} : { routes: routes.map((r) => new Glob(r)) }),
});
const allowed = (p: ClientPolicy, name: string, generic: boolean): boolean => {
  try {
    checkRoutePolicy(p, { name, generic });
    return true;
  } catch (err) {
    expect(err).toMatchObject({ code: 'AccessDenied', status: 403 });
    return false;
  }
};

describe('checkRoutePolicy', () => {
  it.each([
    // [client routes, route, generic, allowed]
    [undefined, 'team-a', false, true],
    [undefined, 'search', true, false],
    [['team-a'], 'team-a', false, true],
    [['team-a'], 'team-b', false, false],
    [['team-*'], 'team-b', false, true],
    [['search'], 'search', true, true],
    [['*'], 'search', true, true],
    [['team-a'], 'search', true, false],
    [['default'], 'default', false, true],
  ] as const)('routes %j on route %s (generic %s): allowed %s', (routes, name, generic, expected) => {
    expect(allowed(policy(routes === undefined ? undefined : [...routes]), name, generic)).toBe(expected);
  });

  it('is read from --inbound-keys and makes a policy of its own', () => {
    const clients = parseInboundClients('clients:\n  - { accessKeyId: K1, secret: s1, routes: [search] }\n  - { accessKeyId: K2, secret: s2 }\n', 'k.yaml', {});
    const p = clients.get('K1')!.policy!;
    expect(p.routes?.map((g) => g.source)).toEqual(['search']);
    // Only routes given: the S3 rules stay open (buckets, keys, actions default to everything).
    expect(p.actions.map((g) => g.source)).toEqual(['s3:*']);
    expect(clients.get('K2')!.policy).toBeNull();
    expect(() => parseInboundClients('clients:\n  - { accessKeyId: K1, secret: s1, routes: [] }\n', 'k.yaml', {})).toThrow('--inbound-keys k.yaml clients[0].routes: expected a non-empty list of strings');
  });
});
