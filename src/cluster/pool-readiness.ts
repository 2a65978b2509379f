import type { Readiness } from '../server/admin.js';

export interface PoolState {
  readonly draining: boolean;
  /** The primary's own credentials, as its cache reports them. */
  readonly credentials: { readonly ready: boolean; readonly lastError: string | null };
  /** Workers listening, holding unexpired credentials of every source, not draining. */
  readonly readyWorkers: number;
  readonly workers: number;
  /** The open-proxy warning (shown while ready), if any. */
  readonly warning: string | undefined;
}

/** /readyz of a --workers primary: ready only when it and every worker can serve. */
export function poolReadiness(s: PoolState): Readiness {
  if (s.draining) return { ready: false, reason: 'draining' };
  if (!s.credentials.ready) return { ready: false, reason: s.credentials.lastError ?? 'no valid credentials yet' };
  if (s.readyWorkers < s.workers) return { ready: false, reason: `${s.readyWorkers} of ${s.workers} workers ready` };
  return s.warning === undefined ? { ready: true } : { ready: true, reason: s.warning };
}
