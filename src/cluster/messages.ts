/**
 * What the primary and its workers say to each other over the cluster IPC channel (--workers).
 * Every message is a plain JSON object with a `type` under the `signet:` prefix, so it never
 * mixes with Node's own cluster messages or a library's. Both sides check the shape of what they
 * receive before they act on it.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

export type MetricsSnapshot = ReadonlyArray<MetricObjectWithValues<MetricValue<string>>>;

/**
 * One credential set for one identity: `sourceId` is its identityKey() (`default` for the default
 * chain; routes with credentials of their own have theirs). Carries the secret and the token: it never goes
 * anywhere but the IPC pipe, and is never logged.
 */
export interface CredentialsMessage {
  readonly type: 'signet:credentials';
  readonly sourceId: string;
  /** Increases with every set the primary sends; a worker acknowledges the one it holds. */
  readonly generation: number;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | null;
  /** ms since the epoch; null for static keys. */
  readonly expiresAtMs: number | null;
  /** The chain link that supplied them (env, web-identity, assume-role(…)…). */
  readonly source: string;
}

export type ToWorker =
  | CredentialsMessage
  | { readonly type: 'signet:metrics-request'; readonly id: number }
  /** Shut down as on SIGTERM: stop accepting, drain for --shutdown-grace, exit 0. */
  | { readonly type: 'signet:drain' }
  /** The operator's second signal: exit at once, as a single process does. */
  | { readonly type: 'signet:exit-now' }
  /**
   * The primary re-read the routes: list of --config and pushed every identity it needs (earlier on
   * this ordered channel): build the new table from the file and swap it in (README "Workers").
   */
  | { readonly type: 'signet:routes-reload' };

export type ToPrimary =
  /** The worker listens for messages now: send it the credentials. */
  | { readonly type: 'signet:hello' }
  /** The proxy listener is up. */
  | { readonly type: 'signet:listening'; readonly url: string }
  | { readonly type: 'signet:credentials-held'; readonly sourceId: string; readonly generation: number }
  | { readonly type: 'signet:metrics'; readonly id: number; readonly metrics: MetricsSnapshot }
  | { readonly type: 'signet:draining' };

const TO_WORKER = new Set(['signet:credentials', 'signet:metrics-request', 'signet:drain', 'signet:exit-now', 'signet:routes-reload']);
const TO_PRIMARY = new Set(['signet:hello', 'signet:listening', 'signet:credentials-held', 'signet:metrics', 'signet:draining']);

function typed(message: unknown): string | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const type = (message as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

/** Only a well-formed message of ours; anything else (Node's, a library's) is not for us. */
export function asToWorker(message: unknown): ToWorker | undefined {
  const type = typed(message);
  if (type === undefined || !TO_WORKER.has(type)) return undefined;
  const m = message as Record<string, unknown>;
  if (type === 'signet:credentials') {
    const ok = typeof m.sourceId === 'string' && Number.isSafeInteger(m.generation) && typeof m.accessKeyId === 'string' &&
      typeof m.secretAccessKey === 'string' && (m.sessionToken === null || typeof m.sessionToken === 'string') &&
      (m.expiresAtMs === null || Number.isFinite(m.expiresAtMs)) && typeof m.source === 'string';
    return ok ? (m as unknown as CredentialsMessage) : undefined;
  }
  if (type === 'signet:metrics-request') return Number.isSafeInteger(m.id) ? { type, id: m.id as number } : undefined;
  return { type } as ToWorker;
}

export function asToPrimary(message: unknown): ToPrimary | undefined {
  const type = typed(message);
  if (type === undefined || !TO_PRIMARY.has(type)) return undefined;
  const m = message as Record<string, unknown>;
  switch (type) {
    case 'signet:listening':
      return typeof m.url === 'string' ? { type, url: m.url } : undefined;
    case 'signet:credentials-held':
      return typeof m.sourceId === 'string' && Number.isSafeInteger(m.generation) ? { type, sourceId: m.sourceId, generation: m.generation as number } : undefined;
    case 'signet:metrics':
      return Number.isSafeInteger(m.id) && Array.isArray(m.metrics) ? { type, id: m.id as number, metrics: m.metrics as MetricsSnapshot } : undefined;
    default:
      return { type } as ToPrimary;
  }
}
