import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { HashPool } from '../payload/hash-pool.js';
import type { Config, RouteConfig } from '../config/index.js';
import type { CredentialFetcher, CredentialHolder } from '../credentials/index.js';
import { MultipartService } from '../multipart/index.js';
import type { MultipartEvents } from '../multipart/index.js';
import type { Metrics } from '../observability/index.js';
import type { ForwardSettings } from '../proxy/forward.js';
import { compileMatch, identityKey, RouteTable } from '../route/index.js';
import type { Route } from '../route/index.js';
import { ClockSkew } from '../s3/clock-skew.js';
import { RegionCache } from '../s3/region-cache.js';
import { RetryBudget } from '../s3/retry-policy.js';
import { identityCache } from './identity-cache.js';
import { regionalUpstream } from './regional-upstream.js';

/** The upstream hooks every route shares (metrics, debug signing log, mismatch diagnosis). */
export type ForwardHooks = Pick<ForwardSettings, 'onRetry' | 'onRegionRedirect' | 'onInvalidRegion' | 'onSigned' | 'onSignatureMismatch'>;

export interface RouteBuildDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly dispatcher: Dispatcher;
  readonly hooks: ForwardHooks;
  readonly multipartEvents: MultipartEvents;
  /** Replaces the default chain (the demo's keys, tests); routes with credentials of their own still use theirs. */
  readonly fetchCredentials?: CredentialFetcher | undefined;
  /** Where credential chains read AWS_* settings; process.env when absent. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /**
   * Credentials held by someone else, by identity key: a --workers worker's, pushed by the primary
   * (which builds the caches, one per identity, with the same identityKey()). None built here then.
   */
  readonly credentialsFor?: ((identity: string) => CredentialHolder) | undefined;
  /** Threads hashing signed streaming chunks (--hash-offload); null: on the event loop. */
  readonly hashPool?: HashPool | null | undefined;
}

/** The one route of a `signet serve` without `routes:`, from the top-level settings. */
export function implicitRoute(config: Config): RouteConfig {
  return {
    name: 'default', match: { buckets: [], hosts: [], pathPrefix: '' }, upstream: config.upstream, region: config.region,
    service: config.service, addressing: config.addressing, payload: config.payload,
    upstreamCapabilities: config.upstreamCapabilities, signingAlgorithm: config.signingAlgorithm, regionSet: config.regionSet, credentials: null,
  };
}

/**
 * Turns route configs into Route objects, once per (re)load. Credential caches are shared between
 * routes that sign as the same identity, and survive a reload that keeps that identity (no new
 * STS call, no cold start); the retry budget and the upstream connection pool are the process's.
 */
export class RouteBuilder {
  readonly #d: RouteBuildDeps;
  readonly #caches = new Map<string, CredentialHolder>();
  readonly #started = new Set<CredentialHolder>();
  readonly #multipart = new Set<MultipartService>();
  readonly #budget = new RetryBudget();

  constructor(deps: RouteBuildDeps) {
    this.#d = deps;
  }

  /** A table from the `routes:` list, or the implicit one-route table when there is none. */
  build(routes: readonly RouteConfig[] | null): RouteTable {
    const configs = routes ?? [implicitRoute(this.#d.config)];
    return new RouteTable(configs.map((r) => this.#route(r)), routes === null);
  }

  /**
   * Fetches credentials for every cache of the table not yet started. A failure `waitFor` accepts
   * (a source that is set up but down) leaves that cache retrying in the background and is handed
   * to `onWaiting`; any other stops it and throws, naming the route, with the cause kept.
   */
  async start(table: RouteTable, waitFor: (err: unknown) => boolean = () => false, onWaiting?: (err: Error) => void): Promise<void> {
    for (const route of table.routes) {
      if (this.#started.has(route.credentials)) continue;
      try {
        await route.credentials.start();
      } catch (err) {
        const e = err as Error;
        const named = table.single === null ? new Error(`route ${route.name}: ${e.message}`, { cause: e.cause }) : e;
        if (!waitFor(err)) {
          route.credentials.stop();
          throw named;
        }
        onWaiting?.(named);
      }
      this.#started.add(route.credentials);
    }
  }

  /** After a swap: stops the caches and multipart services only the old table used (their in-flight requests finish). */
  retire(old: RouteTable, current: RouteTable): void {
    const kept = current.credentialCaches();
    for (const [key, cache] of this.#caches) {
      if (kept.has(cache)) continue;
      cache.stop();
      this.#started.delete(cache);
      this.#caches.delete(key);
    }
    const keptMultipart = new Set(current.routes.map((r) => r.multipart));
    for (const route of old.routes) {
      const m = route.multipart;
      if (m instanceof MultipartService && !keptMultipart.has(m)) void m.drain(MULTIPART_RETIRE_MS).finally(() => this.#multipart.delete(m));
    }
  }

  /** Shutdown: uploads cut off send AbortMultipartUpload (they need credentials and the pool). */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.all([...this.#multipart].map((m) => m.drain(timeoutMs)));
  }

  stop(): void {
    for (const cache of this.#caches.values()) cache.stop();
  }

  #route(r: RouteConfig): Route {
    const { config, logger, metrics } = this.#d;
    const credentials = this.#cache(r);
    const clock = new ClockSkew(Date.now, (offset) => {
      metrics.clockSkew.set(offset);
      if (Math.abs(offset) > 60) logger.warn({ route: r.name, clockSkewSeconds: offset }, 'local clock differs from the upstream by more than a minute; signing with the corrected time');
    });
    const generic = r.service !== 's3';
    const forward: ForwardSettings = {
      ...this.#d.hooks,
      dispatcher: this.#d.dispatcher, upstream: r.upstream, upstreamForRegion: regionalUpstream(r.upstream), region: r.region,
      service: r.service, addressing: r.addressing, credentials, clock, regions: new RegionCache(),
      ...(r.signingAlgorithm === 'sigv4a' ? { sigv4a: { regionSet: r.regionSet } } : {}),
      budget: this.#budget, maxRetries: config.maxRetries,
    };
    const multipart = config.multipart === 'off' || generic ? null : new MultipartService({
      mode: config.multipart, threshold: config.multipartThreshold, partSize: config.partSize, concurrency: config.multipartConcurrency,
    }, forward, this.#d.multipartEvents, logger);
    if (multipart !== null) this.#multipart.add(multipart);
    return Object.freeze({
      name: r.name, match: compileMatch(r.match), generic, forward, multipart, credentials, now: () => clock.now(),
      payload: {
        mode: r.payload, bufferLimit: config.bufferLimit, capabilities: r.upstreamCapabilities,
        chunkSize: config.chunkSize, spoolDir: config.spoolDir, spoolMemory: config.spoolMemory, maxSpool: config.maxSpool,
        onSpoolBytes: (delta: number) => metrics.spoolBytes.inc(delta),
        sigv4a: r.signingAlgorithm === 'sigv4a',
        ...(this.#d.hashPool == null ? {} : { hashPool: this.#d.hashPool }),
      },
    });
  }

  /** One cache per identity (identityKey()): the default chain, or a route's own credentials; pushed ones with --workers. */
  #cache(r: RouteConfig): CredentialHolder {
    const key = identityKey(r);
    const known = this.#caches.get(key);
    if (known !== undefined) return known;
    const cache = this.#d.credentialsFor?.(key) ?? identityCache(r, this.#d);
    this.#caches.set(key, cache);
    return cache;
  }
}

const MULTIPART_RETIRE_MS = 10 * 60_000;
