import type { Route } from './route.js';
import { hostOf, routeMatches } from './route-match.js';
import type { RouteProbe } from './route-match.js';

/**
 * The routes of one configuration, tried in file order. A table made from the top-level settings
 * holds one route that every request takes without any matching (`single`), so `signet serve`
 * without `routes:` pays one branch for all of this.
 */
export class RouteTable {
  readonly routes: readonly Route[];
  readonly single: Route | null;
  readonly #needsHost: boolean;

  constructor(routes: readonly Route[], implicit: boolean) {
    this.routes = Object.freeze([...routes]);
    this.single = implicit && routes.length === 1 ? routes[0]! : null;
    this.#needsHost = routes.some((r) => r.match.hosts.length > 0);
  }

  /** The first route whose conditions hold, or null (the pipeline answers 404). */
  pick(hostHeader: string, url: string, hostBucket: string): Route | null {
    if (this.single !== null) return this.single;
    const q = url.indexOf('?');
    const probe: RouteProbe = {
      host: this.#needsHost ? hostOf(hostHeader) : '',
      path: pathOf(q === -1 ? url : url.slice(0, q)),
      hostBucket,
    };
    for (const route of this.routes) if (routeMatches(route.match, probe)) return route;
    return null;
  }

  /** For signet's own endpoints (presign): the route a path-style request for this bucket would take. */
  forBucket(hostHeader: string, bucket: string): Route | null {
    return this.pick(hostHeader, '/' + encodeURIComponent(bucket), '');
  }

  /** The distinct credential caches of the table (shared caches once). */
  credentialCaches(): ReadonlySet<Route['credentials']> {
    return new Set(this.routes.map((r) => r.credentials));
  }
}

/** absolute-form targets (a client using signet as an HTTP proxy) keep only their path. */
function pathOf(target: string): string {
  if (target.startsWith('http://') || target.startsWith('https://')) {
    const slash = target.indexOf('/', target.indexOf('//') + 2);
    return slash === -1 ? '/' : target.slice(slash);
  }
  return target;
}

/** What the pipeline reads the table through: a reload swaps it; a request keeps the route it started with. */
export class RouteHolder {
  #table: RouteTable;
  constructor(table: RouteTable) {
    this.#table = table;
  }
  current(): RouteTable {
    return this.#table;
  }
  swap(table: RouteTable): RouteTable {
    const old = this.#table;
    this.#table = table;
    return old;
  }
}
