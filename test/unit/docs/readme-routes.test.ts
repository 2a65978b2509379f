import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRoutes, parseUpstream } from '../../../src/config/index.js';
import type { UpstreamTarget } from '../../../src/config/index.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README "Routes" example', () => {
  it('is a config signet reads as documented', () => {
    const block = /```yaml\n(# signet\.yaml[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const routes = parseRoutes(block!, 'signet.yaml', {
      region: 'eu-west-1', upstream: parseUpstream('https://s3.eu-west-1.amazonaws.com') as UpstreamTarget, service: 's3',
      addressing: 'auto', payload: 'auto', upstreamCapabilities: new Set(['aws-chunked', 'unsigned-trailer', 'unsigned-payload']), signingAlgorithm: 'sigv4', regionSet: [],
    })!;
    expect(routes.map((r) => [r.name, r.service, r.region, r.upstream.host])).toEqual([
      ['search', 'es', 'eu-west-1', 'search-logs-abc123.eu-west-1.es.amazonaws.com'],
      ['team-a', 's3', 'eu-west-1', 's3.eu-west-1.amazonaws.com'],
      ['team-b', 's3', 'us-east-1', 's3.us-east-1.amazonaws.com'],
    ]);
    expect(routes[2]!.credentials).toMatchObject({ externalId: 'signet-gateway', roleSessionName: 'signet-team-b', roleDuration: 3_600_000 });
  });
});
