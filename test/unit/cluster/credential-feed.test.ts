import { describe, expect, it } from 'vitest';
import { CredentialFeed } from '../../../src/cluster/credential-feed.js';

const T0 = 1_800_000_000_000;
const set = (n: number, expiresAt?: number) => ({
  accessKeyId: `ASIA${n}`, secretAccessKey: `secret${n}`, sessionToken: `token${n}`,
  ...(expiresAt === undefined ? {} : { expiration: new Date(expiresAt) }),
});

describe('CredentialFeed', () => {
  it('makes one message per refresh, carrying the whole set, with a newer generation each time', () => {
    const feed = new CredentialFeed();
    const a = feed.publish('default', set(1, T0 + 60_000), 'container');
    const b = feed.publish('default', set(2, T0 + 120_000), 'container');
    expect(a).toEqual({
      type: 'signet:credentials', sourceId: 'default', generation: 1, accessKeyId: 'ASIA1', secretAccessKey: 'secret1',
      sessionToken: 'token1', expiresAtMs: T0 + 60_000, source: 'container',
    });
    expect(b.generation).toBeGreaterThan(a.generation);
    expect(feed.latest()).toEqual([b]);
  });

  it('keeps one latest set per credential source, for workers that start later', () => {
    const feed = new CredentialFeed();
    feed.publish('default', set(1), 'env');
    const routeA = feed.publish('route-a', set(2, T0), 'web-identity');
    const def = feed.publish('default', set(3), 'env');
    expect(feed.latest()).toEqual([def, routeA]);
    expect(feed.sources()).toEqual(['default', 'route-a']);
    expect(def).toMatchObject({ sessionToken: 'token3', expiresAtMs: null });
  });

  it('judges a worker by the expiry of the set it holds', () => {
    const feed = new CredentialFeed();
    const old = feed.publish('default', set(1, T0 + 1000), 'container');
    const now = feed.publish('default', set(2, T0 + 5000), 'container');
    expect(feed.valid('default', now.generation, T0 + 2000)).toBe(true);
    expect(feed.valid('default', old.generation, T0 + 500)).toBe(true);
    expect(feed.valid('default', old.generation, T0 + 1000)).toBe(false);
    expect(feed.valid('default', undefined, T0)).toBe(false);
    expect(feed.valid('other', now.generation, T0)).toBe(false);
  });

  it('remembers only the last few generations of a source', () => {
    const feed = new CredentialFeed();
    const first = feed.publish('default', set(0), 'env');
    for (let i = 1; i <= 20; i++) feed.publish('default', set(i), 'env');
    expect(feed.valid('default', first.generation, T0)).toBe(false);
    expect(feed.valid('default', 21, T0)).toBe(true);
  });

  it('forgets an identity no route uses: no longer sent to a new worker, nor required of one', () => {
    const feed = new CredentialFeed();
    const def = feed.publish('default', set(1), 'env');
    const gone = feed.publish('route-a', set(2, T0 + 60_000), 'assume-role');
    feed.forget('route-a');
    expect(feed.latest()).toEqual([def]);
    expect(feed.sources()).toEqual(['default']);
    expect(feed.valid('route-a', gone.generation, T0)).toBe(false);
    // Forgetting what was never published is harmless.
    feed.forget('never');
    expect(feed.sources()).toEqual(['default']);
  });
});
