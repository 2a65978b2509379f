import { pino } from 'pino';
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseRoutes } from '../../../src/config/index.js';
import { PushedCredentials } from '../../../src/credentials/index.js';
import { createMetrics } from '../../../src/observability/index.js';
import { DEFAULT_IDENTITY, identityKey } from '../../../src/route/index.js';
import { RouteBuilder } from '../../../src/server/build-routes.js';

// A --workers worker's RouteBuilder: no cache of its own, the primary's pushed sets by identity key.
const config = loadConfig(['--region', 'us-east-1', '--multipart', 'off'], {});
const dispatcher = new Agent();
afterAll(() => dispatcher.close());
const routes = (...lines: string[]) => parseRoutes(['routes:', ...lines, ''].join('\n'), 'gw.yaml', config)!;
const plain = '  - { name: plain, match: { buckets: [plain] } }';
const teamA = '  - { name: team-a, match: { buckets: [a] }, credentials: { roleArn: "arn:aws:iam::111122223333:role/a" } }';
const teamA2 = '  - { name: team-a-too, match: { buckets: [a2] }, credentials: { roleArn: "arn:aws:iam::111122223333:role/a" } }';
const set = { credentials: { accessKeyId: 'ASIAPUSHED', secretAccessKey: 'pushed-secret' }, source: 'container', expiresAtMs: Infinity };

function worker() {
  const pushed = new Map<string, PushedCredentials>();
  const asked: string[] = [];
  const credentialsFor = (id: string): PushedCredentials => {
    asked.push(id);
    let c = pushed.get(id);
    if (c === undefined) pushed.set(id, (c = new PushedCredentials(Date.now, 50)));
    return c;
  };
  const builder = new RouteBuilder({
    config, logger: pino({ level: 'silent' }), metrics: createMetrics(), dispatcher, hooks: {},
    multipartEvents: { started() {}, completed() {}, aborted() {}, abortFailed() {}, part() {}, partRetry() {} },
    credentialsFor,
  });
  return { builder, credentialsFor, asked };
}

describe('RouteBuilder with pushed credentials (a --workers worker)', () => {
  it('asks for each identity once, by identityKey(), and gives routes of one identity the same holder', () => {
    const { builder, asked } = worker();
    const list = routes(plain, teamA, teamA2);
    const table = builder.build(list);
    expect(asked).toEqual([DEFAULT_IDENTITY, identityKey(list[1]!)]);
    expect(table.routes[1]!.credentials).toBe(table.routes[2]!.credentials);
    expect(table.routes[0]!.credentials).not.toBe(table.routes[1]!.credentials);
  });

  it('never starts a table with an identity nothing was pushed for: start() refuses, naming the route', async () => {
    const { builder, credentialsFor } = worker();
    credentialsFor(DEFAULT_IDENTITY).accept(set);
    await builder.start(builder.build(routes(plain)));
    const next = builder.build(routes(plain, teamA));
    await expect(builder.start(next)).rejects.toThrow(/^route team-a: no credentials from the primary process for this identity/);
  });

  it('starts it once the set has arrived (the primary pushes before it asks for the reload)', async () => {
    const { builder, credentialsFor } = worker();
    const list = routes(plain, teamA);
    credentialsFor(DEFAULT_IDENTITY).accept(set);
    credentialsFor(identityKey(list[1]!)).accept(set);
    const table = builder.build(list);
    await builder.start(table);
    expect(table.routes.every((r) => r.credentials.ready())).toBe(true);
  });
});
