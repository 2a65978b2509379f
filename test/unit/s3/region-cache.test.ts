import { describe, expect, it } from 'vitest';
import { RegionCache, isRegionName } from '../../../src/s3/region-cache.js';

describe('RegionCache', () => {
  it.each(['evil.com/x', 'a.b', 'EU-WEST-1', '', 'x'.repeat(64), 'eu west', 'eu-west-1\n', '127.0.0.1:9000'])(
    'ignores %j, which is not a region name', (bad) => {
      const cache = new RegionCache();
      expect(isRegionName(bad)).toBe(false);
      expect(cache.set('b', bad)).toBe(false);
      expect(cache.get('b')).toBeUndefined();
    });

  it.each(['us-east-1', 'eu-central-2', 'cn-north-1', 'us-gov-west-1', 'x'.repeat(63)])('accepts %s', (good) => {
    expect(isRegionName(good)).toBe(true);
  });

  it('remembers a bucket\'s region and says whether it was news', () => {
    const cache = new RegionCache();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.set('b', 'eu-west-1')).toBe(true);
    expect(cache.set('b', 'eu-west-1')).toBe(false);
    expect(cache.get('b')).toBe('eu-west-1');
    expect(cache.set('b', 'us-east-2')).toBe(true);
    expect(cache.get('b')).toBe('us-east-2');
  });

  it('forgets an entry once it expires', () => {
    let now = 0;
    const cache = new RegionCache(10, 1000, () => now);
    cache.set('b', 'eu-west-1');
    now = 999;
    expect(cache.get('b')).toBe('eu-west-1');
    now = 1000;
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most its bound, dropping the least recently learned bucket', () => {
    const cache = new RegionCache(2);
    cache.set('a', 'r1');
    cache.set('b', 'r2');
    cache.set('a', 'r1');
    cache.set('c', 'r3');
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('r1');
    expect(cache.get('c')).toBe('r3');
  });
});
