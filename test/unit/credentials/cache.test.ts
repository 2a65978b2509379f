import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignetError } from '../../../src/errors.js';
import { CredentialCache } from '../../../src/credentials/index.js';
import type { CredentialFetcher, CredentialLogger } from '../../../src/credentials/index.js';
import type { Credentials } from '../../../src/sigv4/types.js';

const MIN = 60_000;

function creds(n: number, expiresInMs?: number): Credentials {
  return {
    accessKeyId: `ASIAUNIT${n}`,
    secretAccessKey: `secret-${n}`,
    sessionToken: `token-${n}`,
    expiration: expiresInMs === undefined ? undefined : new Date(Date.now() + expiresInMs),
  };
}

function recorder() {
  const lines: Array<{ level: string; obj: object; msg: string | undefined }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  const logger: CredentialLogger = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
  return { logger, lines, count: (level: string) => lines.filter((l) => l.level === level).length };
}

describe('CredentialCache', () => {
  let cache: CredentialCache | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    cache?.stop();
    vi.useRealTimers();
  });

  function make(fetch: CredentialFetcher, extra: Partial<ConstructorParameters<typeof CredentialCache>[0]> = {}) {
    cache = new CredentialCache({ fetch, refreshMarginMs: MIN, jitterMs: 0, retryBaseMs: 1000, retryMaxMs: 8000, ...extra });
    return cache;
  }

  it('refuses with a 503 SignetError before it holds credentials, then serves the fetched snapshot', async () => {
    const c = make(async () => ({ credentials: creds(1, 10 * MIN), source: 'env' }));
    expect(() => c.current()).toThrow(SignetError);
    expect(c.ready()).toBe(false);
    await c.start();
    expect(c.current().accessKeyId).toBe('ASIAUNIT1');
    expect(c.status()).toMatchObject({ ready: true, source: 'env', lastError: null });
  });

  it('rejects start with one line naming the failure', async () => {
    const c = make(async () => {
      throw new Error('no AWS credentials found (env: not set;\nimds: disabled)');
    });
    await expect(c.start()).rejects.toThrow(/^signet could not resolve AWS credentials: no AWS credentials found \(env: not set;$/);
    expect(c.status()).toMatchObject({ ready: false, source: null });
  });

  it('rejects start with the source error as cause, then keeps retrying until a fetch succeeds', async () => {
    const down = new Error('connect ECONNREFUSED 127.0.0.1:1');
    let up = false;
    const fetch = vi.fn(async () => {
      if (!up) throw down;
      return { credentials: creds(1, 10 * MIN), source: 'container' };
    });
    const c = make(fetch);
    const err = await c.start().then(() => null, (e: unknown) => e as Error);
    expect(err?.cause).toBe(down);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(c.ready()).toBe(false);
    up = true;
    await vi.advanceTimersByTimeAsync(2000);
    expect(c.ready()).toBe(true);
    expect(c.status().lastError).toBeNull();
  });

  it('never refreshes credentials without an expiration', async () => {
    const fetch = vi.fn(async () => ({ credentials: creds(1), source: 'profile' }));
    const c = make(fetch);
    await c.start();
    await vi.advanceTimersByTimeAsync(7 * 24 * 60 * MIN);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(c.status().expiration).toBeNull();
  });

  it('refreshes in the background at expiration minus the margin', async () => {
    let n = 0;
    const fetch = vi.fn(async () => ({ credentials: creds(++n, 10 * MIN), source: 'imds' }));
    const c = make(fetch);
    await c.start();
    await vi.advanceTimersByTimeAsync(9 * MIN - 1);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(c.current().accessKeyId).toBe('ASIAUNIT2');
  });

  it('keeps serving the current credentials while a refresh is in flight, and runs one refresh at a time', async () => {
    let release: () => void = () => {};
    let n = 0;
    const fetch = vi.fn(async () => {
      n += 1;
      if (n > 1) await new Promise<void>((resolve) => (release = resolve));
      return { credentials: creds(n, 10 * MIN), source: 'container' };
    });
    const c = make(fetch);
    await c.start();
    const refreshes = [c.refreshNow(), c.refreshNow(), c.refreshNow()];
    expect(c.current().accessKeyId).toBe('ASIAUNIT1');
    release();
    await Promise.all(refreshes);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(c.current().accessKeyId).toBe('ASIAUNIT2');
  });

  it('keeps valid credentials through failed refreshes, warns once per streak and says when it recovers', async () => {
    const log = recorder();
    let fail = false;
    let n = 0;
    const fetch = vi.fn(async () => {
      if (fail) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      return { credentials: creds(++n, 10 * MIN), source: 'imds' };
    });
    const c = make(fetch, { logger: log.logger });
    await c.start();
    fail = true;
    await vi.advanceTimersByTimeAsync(9 * MIN + 30_000);
    expect(fetch.mock.calls.length).toBeGreaterThan(4);
    expect(c.current().accessKeyId).toBe('ASIAUNIT1');
    expect(c.status().lastError).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(log.count('warn')).toBe(1);
    fail = false;
    await vi.advanceTimersByTimeAsync(8000);
    expect(c.current().accessKeyId).toBe('ASIAUNIT2');
    expect(log.lines.filter((l) => l.msg === 'credential refresh recovered')).toHaveLength(1);
    expect(c.status().lastError).toBeNull();
  });

  it('backs off exponentially up to the cap', async () => {
    const fetch = vi.fn(async (): Promise<never> => {
      throw new Error('down');
    });
    const c = make(fetch, { retryBaseMs: 1000, retryMaxMs: 4000 });
    await c.start().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(60_000);
    // Delays lie in [cap/2, cap]: 0.5–1 s, 1–2 s, then 2–4 s each: 60 s holds 16 to 31 attempts.
    expect(fetch.mock.calls.length).toBeGreaterThanOrEqual(16);
    expect(fetch.mock.calls.length).toBeLessThanOrEqual(32);
  });

  it('fails closed once the credentials have expired, with a clear 503, and recovers without restart', async () => {
    const log = recorder();
    let fail = false;
    let n = 0;
    const fetch = vi.fn(async () => {
      if (fail) throw new Error('STS unreachable');
      return { credentials: creds(++n, 2 * MIN), source: 'web-identity' };
    });
    const c = make(fetch, { logger: log.logger });
    await c.start();
    fail = true;
    await vi.advanceTimersByTimeAsync(2 * MIN);
    expect(c.ready()).toBe(false);
    let error: unknown;
    try {
      c.current();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SignetError);
    expect(error).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    expect((error as SignetError).message).toMatch(/^signet's AWS credentials expired at .* and could not be refreshed yet/);
    expect((error as SignetError).reason).toMatch(/^credentials from web-identity expired at .*: STS unreachable$/);
    // The next failed retry (at most retryMaxMs later) logs the expiry, once for the streak.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(log.count('error')).toBe(1);
    fail = false;
    await vi.advanceTimersByTimeAsync(8000);
    expect(c.ready()).toBe(true);
    expect(c.current().accessKeyId).toBe('ASIAUNIT2');
  });

  it('refuses credentials that arrive already expired', async () => {
    const c = make(async () => ({ credentials: creds(1, -1000), source: 'imds' }));
    await expect(c.start()).rejects.toThrow(/returned credentials that expired at/);
  });

  it('reports refreshes and credentials to its event hooks, and never logs a secret', async () => {
    const log = recorder();
    const refreshes: string[] = [];
    const seen: object[] = [];
    let n = 0;
    const c = make(async () => ({ credentials: creds(++n, 10 * MIN), source: 'assume-role(env)' }), {
      logger: log.logger,
      events: {
        onRefresh: (result, seconds, source) => void refreshes.push(`${result}:${source}:${seconds >= 0}`),
        onCredentials: (info) => void seen.push(info),
      },
    });
    await c.start();
    await c.refreshNow();
    expect(refreshes).toEqual(['success:assume-role(env):true', 'success:assume-role(env):true']);
    expect(seen[0]).toMatchObject({ source: 'assume-role(env)', accessKeyIdPrefix: 'ASIA' });
    expect(log.lines.find((l) => l.msg === 'credentials resolved')?.obj).toMatchObject({ source: 'assume-role(env)' });
    const logged = JSON.stringify(log.lines);
    expect(logged).not.toMatch(/secret-|token-|ASIAUNIT/);
  });

  it('leaves no timer behind after stop', async () => {
    const fetch = vi.fn(async () => ({ credentials: creds(1, 10 * MIN), source: 'imds' }));
    const c = make(fetch);
    await c.start();
    c.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(20 * MIN);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
