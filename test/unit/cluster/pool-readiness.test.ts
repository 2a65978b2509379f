import { describe, expect, it } from 'vitest';
import { poolReadiness } from '../../../src/cluster/pool-readiness.js';

const ok = { draining: false, credentials: { ready: true, lastError: null }, readyWorkers: 2, workers: 2, warning: undefined };

describe('poolReadiness (/readyz of a --workers primary)', () => {
  it('is ready when the primary holds credentials and every worker is ready', () => {
    expect(poolReadiness(ok)).toEqual({ ready: true });
    expect(poolReadiness({ ...ok, warning: 'open proxy' })).toEqual({ ready: true, reason: 'open proxy' });
  });

  it('says why not, most fundamental reason first', () => {
    expect(poolReadiness({ ...ok, readyWorkers: 1 })).toEqual({ ready: false, reason: '1 of 2 workers ready' });
    expect(poolReadiness({ ...ok, readyWorkers: 0, credentials: { ready: false, lastError: 'container: ECONNREFUSED' } }))
      .toEqual({ ready: false, reason: 'container: ECONNREFUSED' });
    expect(poolReadiness({ ...ok, credentials: { ready: false, lastError: null } })).toEqual({ ready: false, reason: 'no valid credentials yet' });
    expect(poolReadiness({ ...ok, draining: true, readyWorkers: 0, credentials: { ready: false, lastError: 'x' } })).toEqual({ ready: false, reason: 'draining' });
  });
});
