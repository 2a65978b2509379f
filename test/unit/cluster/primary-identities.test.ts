import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CredentialFeed } from '../../../src/cluster/credential-feed.js';
import type { CredentialsMessage } from '../../../src/cluster/messages.js';
import { PrimaryIdentities } from '../../../src/cluster/primary-identities.js';
import { loadConfig, parseRoutes } from '../../../src/config/index.js';
import { createMetrics } from '../../../src/observability/index.js';
import { DEFAULT_IDENTITY, identityKey } from '../../../src/route/index.js';

// The --workers primary's caches, one per identity of the route table. Identities are the default
// chain (a stand-in fetcher, counted) and shared-credentials-file profiles (read from a temp file).
const dir = mkdtempSync(join(tmpdir(), 'signet-primary-identities-'));
const credentialsFile = join(dir, 'credentials');
writeFileSync(credentialsFile, [
  '[team-a]', 'aws_access_key_id = AKIATEAMA', 'aws_secret_access_key = team-a-secret',
  '[team-b]', 'aws_access_key_id = AKIATEAMB', 'aws_secret_access_key = team-b-secret', '',
].join('\n'));
writeFileSync(join(dir, 'config'), '');
const env = { AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: join(dir, 'config'), AWS_EC2_METADATA_DISABLED: 'true' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = loadConfig(['--region', 'us-east-1'], {});
const routes = (...lines: string[]) => parseRoutes(['routes:', ...lines, ''].join('\n'), 'gw.yaml', config)!;
const plain = '  - { name: plain, match: { buckets: [plain] } }';
const teamA = '  - { name: team-a, match: { buckets: [a] }, credentials: { profile: team-a } }';
const teamA2 = '  - { name: team-a-too, match: { buckets: [a2] }, credentials: { profile: team-a } }';
const teamB = '  - { name: team-b, match: { buckets: [b] }, credentials: { profile: team-b } }';
const missing = '  - { name: broken, match: { buckets: [x] }, credentials: { profile: no-such-profile } }';

let made: PrimaryIdentities | null = null;
afterEach(() => made?.stop());

function primary(fetchDefault: () => Promise<{ credentials: { accessKeyId: string; secretAccessKey: string }; source: 'env' }>) {
  const feed = new CredentialFeed();
  const sent: CredentialsMessage[] = [];
  let defaultFetches = 0;
  const identities = new PrimaryIdentities({
    config, logger: pino({ level: 'silent' }), metrics: createMetrics(), env, feed, broadcast: (m) => sent.push(m),
    fetchCredentials: () => {
      defaultFetches++;
      return fetchDefault();
    },
  });
  made = identities;
  return { identities, feed, sent, fetches: () => defaultFetches };
}
const ok = async () => ({ credentials: { accessKeyId: 'AKIADEFAULT', secretAccessKey: 'default-secret' }, source: 'env' as const });

describe('PrimaryIdentities (--workers: the primary\'s caches, one per identity)', () => {
  it('fetches each distinct identity once and pushes it under its identityKey(), the first route naming it', async () => {
    const { identities, feed, sent, fetches } = primary(ok);
    const table = routes(plain, teamA, teamA2);
    await identities.adopt(table, true);
    identities.settle(table, true);
    expect(fetches()).toBe(1);
    expect(sent.map((m) => [m.sourceId, m.accessKeyId])).toEqual([[DEFAULT_IDENTITY, 'AKIADEFAULT'], [identityKey(table[1]!), 'AKIATEAMA']]);
    expect(feed.sources()).toEqual([DEFAULT_IDENTITY, identityKey(table[1]!)]);
    expect(identities.status()).toEqual({ ready: true, lastError: null, source: 'env' });
    // Adopting the same table again fetches nothing.
    await identities.adopt(table, true);
    expect(sent).toHaveLength(2);
  });

  it('a reload adopts only the new identities, and settling stops and forgets the ones no route uses', async () => {
    const { identities, feed, sent } = primary(ok);
    const first = routes(plain, teamA);
    await identities.adopt(first, true);
    identities.settle(first, true);
    const next = routes(plain, teamB);
    await identities.adopt(next, true);
    expect(sent.map((m) => m.accessKeyId)).toEqual(['AKIADEFAULT', 'AKIATEAMA', 'AKIATEAMB']);
    // Until the swap, the old identity is still served (the workers have not reloaded yet).
    expect(feed.sources()).toContain(identityKey(first[1]!));
    identities.settle(next, true);
    expect(feed.sources()).toEqual([DEFAULT_IDENTITY, identityKey(next[1]!)]);
  });

  it('a new identity that cannot be had refuses the whole adoption, naming the route; what it made is gone, the rest kept', async () => {
    const { identities, feed } = primary(ok);
    const first = routes(plain);
    await identities.adopt(first, true);
    identities.settle(first, true);
    await expect(identities.adopt(routes(plain, teamB, missing), true)).rejects.toThrow(/^route broken: /);
    expect(feed.sources()).toEqual([DEFAULT_IDENTITY]);
    expect(identities.status().ready).toBe(true);
    // A later good table fetches team-b afresh (its cache was stopped, not kept half-made).
    const good = routes(plain, teamB);
    await identities.adopt(good, true);
    identities.settle(good, true);
    expect(feed.sources()).toEqual([DEFAULT_IDENTITY, identityKey(good[1]!)]);
  });

  it('a source that is down at start is waited for when waitFor says so: not ready, the route named', async () => {
    const { identities, feed } = primary(async () => {
      throw new Error('container endpoint refused');
    });
    const table = routes(teamA, plain);
    const waiting: string[] = [];
    await identities.adopt(table, true, () => true, (e) => waiting.push(e.message));
    identities.settle(table, true);
    expect(waiting).toEqual([expect.stringMatching(/^route plain: .*container endpoint refused/)]);
    expect(identities.status()).toMatchObject({ ready: false, lastError: expect.stringMatching(/^route plain: /) });
    expect(feed.sources()).toEqual([identityKey(table[0]!)]);
  });

  it('without routes: (the implicit route) the reason is the source\'s own, unnamed', async () => {
    const { identities } = primary(async () => {
      throw new Error('nothing here');
    });
    const table = routes(plain);
    await identities.adopt(table, false, () => true);
    identities.settle(table, false);
    expect(identities.status().lastError).toMatch(/^(?!route )/);
    expect(identities.status().ready).toBe(false);
  });

  it('a fetch still in flight when its identity is retired publishes nothing', async () => {
    let answer: () => void = () => undefined;
    const { identities, feed, sent } = primary(() => new Promise((resolve) => (answer = () => resolve({
      credentials: { accessKeyId: 'AKIALATE', secretAccessKey: 'late-secret' }, source: 'env',
    }))));
    const adopting = identities.adopt(routes(plain), true);
    const other = routes(teamA);
    await new Promise((r) => setTimeout(r, 10));
    identities.settle(other, true);
    answer();
    await adopting.catch(() => undefined);
    expect(sent.map((m) => m.accessKeyId)).not.toContain('AKIALATE');
    expect(feed.sources()).not.toContain(DEFAULT_IDENTITY);
  });
});
