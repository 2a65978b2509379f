import { describe, expect, it } from 'vitest';
import { PushedCredentials } from '../../../src/credentials/index.js';
import { SignetError } from '../../../src/errors.js';

const T0 = 1_800_000_000_000;
const keys = { accessKeyId: 'ASIAPUSHED', secretAccessKey: 'secret', sessionToken: 'token', expiration: new Date(T0 + 60_000) };

describe('PushedCredentials (a worker\'s, fed by the primary)', () => {
  it('holds nothing before the first push: 503 ServiceUnavailable as when a fetch has not succeeded, not ready', () => {
    const c = new PushedCredentials(() => T0);
    expect(c.ready()).toBe(false);
    expect(c.status()).toEqual({ ready: false, source: null, expiration: null, lastError: 'no credentials from the primary process yet' });
    expect(() => c.current()).toThrow(SignetError);
    try {
      c.current();
    } catch (err) {
      expect(err).toMatchObject({ code: 'ServiceUnavailable', status: 503 });
      expect((err as SignetError).message).toMatch(/holds no valid AWS credentials/);
    }
  });

  it('signs with the latest set pushed, by one reference', () => {
    let now = T0;
    const c = new PushedCredentials(() => now);
    c.accept({ credentials: keys, source: 'container', expiresAtMs: T0 + 60_000 });
    expect(c.current()).toBe(keys);
    expect(c.status()).toEqual({ ready: true, source: 'container', expiration: new Date(T0 + 60_000), lastError: null });
    const next = { ...keys, accessKeyId: 'ASIANEXT' };
    c.accept({ credentials: next, source: 'container', expiresAtMs: T0 + 120_000 });
    now = T0 + 90_000;
    expect(c.current()).toBe(next);
  });

  it('fails closed once the last set pushed has expired, without naming a secret', () => {
    let now = T0;
    const c = new PushedCredentials(() => now);
    c.accept({ credentials: keys, source: 'container', expiresAtMs: T0 + 60_000 });
    now = T0 + 60_000;
    expect(c.ready()).toBe(false);
    expect(() => c.current()).toThrow(/expired at/);
    try {
      c.current();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('secret');
    }
  });

  it('keeps static keys (no expiry) for good, and ignores an empty set', () => {
    const c = new PushedCredentials(() => T0);
    c.accept({ credentials: { accessKeyId: 'AKIASTATIC', secretAccessKey: 's' }, source: 'env', expiresAtMs: Infinity });
    c.accept({ credentials: { accessKeyId: '', secretAccessKey: '' }, source: 'env', expiresAtMs: Infinity });
    expect(c.current().accessKeyId).toBe('AKIASTATIC');
    expect(c.status().expiration).toBeNull();
  });

  it('start() waits for the first push and resolves when it comes', async () => {
    const c = new PushedCredentials(() => T0, 60_000);
    let done = false;
    const started = c.start().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    c.accept({ credentials: keys, source: 'container', expiresAtMs: T0 + 60_000 });
    await started;
    expect(done).toBe(true);
    // Held: at once, even when expired since (the set was received; current() judges expiry).
    await expect(c.start()).resolves.toBeUndefined();
  });

  it('start() gives up after its wait without a push, naming no secret; a later push still lands', async () => {
    const c = new PushedCredentials(() => T0, 20);
    await expect(c.start()).rejects.toThrow('no credentials from the primary process for this identity within 20 ms');
    c.accept({ credentials: keys, source: 'container', expiresAtMs: T0 + 60_000 });
    expect(c.ready()).toBe(true);
  });

  it('start() ignores a set without keys, as accept() does', async () => {
    const c = new PushedCredentials(() => T0, 30);
    const started = c.start();
    c.accept({ credentials: { accessKeyId: '', secretAccessKey: '' }, source: 'container', expiresAtMs: T0 + 60_000 });
    await expect(started).rejects.toThrow(/within 30 ms/);
  });
});
