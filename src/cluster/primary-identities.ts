import type { RouteConfig } from '../config/index.js';
import type { CredentialCache } from '../credentials/index.js';
import { routeIdentities } from '../route/index.js';
import { identityCache } from '../server/identity-cache.js';
import type { IdentityCacheDeps } from '../server/identity-cache.js';
import type { CredentialFeed } from './credential-feed.js';
import type { CredentialsMessage } from './messages.js';

interface Held {
  readonly cache: CredentialCache;
  /** The first route that signs as this identity, to name it in /readyz and errors. */
  readonly route: string;
}

/** What an identity's cache needs (the chain's env and a stand-in default chain, for tests) and where its sets go. */
export interface PrimaryIdentitiesDeps extends IdentityCacheDeps {
  readonly feed: CredentialFeed;
  /** Every set fetched (the first included) goes to every worker at once. */
  broadcast(message: CredentialsMessage): void;
}

/**
 * The --workers primary's credential caches: one per distinct identity of the route table (the
 * keys RouteBuilder uses, from identityKey()), each set published in the feed under that key and
 * pushed to the workers. A worker builds no cache of its own, so N workers never make N-fold STS,
 * IMDS or container-endpoint calls. A routes reload adopts the new table's identities first (their
 * first sets fetched and pushed) and retires the unused ones only once the workers have swapped.
 */
export class PrimaryIdentities {
  readonly #d: PrimaryIdentitiesDeps;
  readonly #held = new Map<string, Held>();
  /** The routes of the table in force, for the route names in readiness. */
  #routes: readonly RouteConfig[] = [];
  #named = false;

  constructor(deps: PrimaryIdentitiesDeps) {
    this.#d = deps;
  }

  /**
   * Caches for the identities of `routes` not held yet, each started (its first fetch awaited).
   * A failure `waitFor` accepts (a source set up but down) leaves that cache retrying and is handed
   * to `onWaiting`; any other stops every cache this call made and throws, naming the route.
   */
  async adopt(routes: readonly RouteConfig[], named: boolean, waitFor: (err: unknown) => boolean = () => false, onWaiting?: (err: Error) => void): Promise<void> {
    const made: string[] = [];
    try {
      for (const [key, r] of routeIdentities(routes)) {
        if (this.#held.has(key)) continue;
        const cache: CredentialCache = identityCache(r, this.#d, {
          // A refresh that was in flight when its identity was retired lands nowhere.
          onCredentials: ({ source }) => {
            if (this.#held.get(key)?.cache === cache) this.#d.broadcast(this.#d.feed.publish(key, cache.current(), source));
          },
        });
        this.#held.set(key, { cache, route: r.name });
        made.push(key);
        try {
          await cache.start();
        } catch (err) {
          const e = err as Error;
          const error = named ? new Error(`route ${r.name}: ${e.message}`, { cause: e.cause }) : e;
          if (!waitFor(err)) throw error;
          onWaiting?.(error);
        }
      }
    } catch (err) {
      for (const key of made) this.#forget(key);
      throw err;
    }
  }

  /** The table in force is now `routes`: caches of identities it does not use are stopped and forgotten. */
  settle(routes: readonly RouteConfig[], named: boolean): void {
    this.#routes = routes;
    this.#named = named;
    const used = routeIdentities(routes);
    for (const key of [...this.#held.keys()]) if (!used.has(key)) this.#forget(key);
  }

  /** Ready when every identity of the table in force holds valid credentials (the first one missing is named). */
  status(): { ready: boolean; lastError: string | null; source: string | null } {
    let source: string | null = null;
    for (const key of routeIdentities(this.#routes).keys()) {
      const held = this.#held.get(key);
      const st = held?.cache.status();
      if (held === undefined || st === undefined || !st.ready) {
        const why = st?.lastError ?? 'no valid credentials yet';
        return { ready: false, lastError: this.#named && held !== undefined ? `route ${held.route}: ${why}` : why, source: null };
      }
      source ??= st.source;
    }
    return { ready: true, lastError: null, source };
  }

  stop(): void {
    for (const key of [...this.#held.keys()]) this.#forget(key);
  }

  #forget(key: string): void {
    this.#held.get(key)?.cache.stop();
    this.#held.delete(key);
    this.#d.feed.forget(key);
  }
}
