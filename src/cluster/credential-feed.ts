import type { Credentials } from '../sigv4/types.js';
import type { CredentialsMessage } from './messages.js';

/** Generations remembered per source, to judge a worker that still holds an earlier set. */
const REMEMBERED = 8;

/**
 * The primary's side of the credential feed (--workers): the latest set of each credential
 * source, as the message every worker gets on each refresh and when it starts. Keyed by a
 * source id (`default` today; one per route once routes own credential caches), so several
 * caches can feed the same workers. Holds secrets in memory only; nothing here logs.
 */
export class CredentialFeed {
  #generation = 0;
  readonly #latest = new Map<string, CredentialsMessage>();
  /** sourceId → [generation, expiresAtMs] of the last few sets, newest last. */
  readonly #expiries = new Map<string, Array<readonly [number, number]>>();

  /** The message for a new set of `sourceId`; every later call makes a newer generation. */
  publish(sourceId: string, credentials: Credentials, source: string): CredentialsMessage {
    const expiresAtMs = credentials.expiration === undefined ? null : credentials.expiration.getTime();
    const message: CredentialsMessage = {
      type: 'signet:credentials', sourceId, generation: ++this.#generation, source,
      accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken ?? null, expiresAtMs,
    };
    this.#latest.set(sourceId, message);
    const list = this.#expiries.get(sourceId) ?? [];
    list.push([message.generation, expiresAtMs ?? Infinity]);
    if (list.length > REMEMBERED) list.shift();
    this.#expiries.set(sourceId, list);
    return message;
  }

  /** What a worker that just started needs: the latest set of every source. */
  latest(): CredentialsMessage[] {
    return [...this.#latest.values()];
  }

  /** An identity no route uses any more: its sets are no longer sent, nor required of a worker. */
  forget(sourceId: string): void {
    this.#latest.delete(sourceId);
    this.#expiries.delete(sourceId);
  }

  sources(): string[] {
    return [...this.#latest.keys()];
  }

  /** Whether a worker holding `generation` of `sourceId` can sign at `nowMs`. */
  valid(sourceId: string, generation: number | undefined, nowMs: number): boolean {
    if (generation === undefined) return false;
    const hit = this.#expiries.get(sourceId)?.find(([g]) => g === generation);
    return hit !== undefined && nowMs < hit[1];
  }
}
