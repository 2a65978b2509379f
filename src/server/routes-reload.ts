import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { loadRoutes } from '../config/index.js';
import type { Metrics } from '../observability/index.js';
import type { RouteHolder, RouteTable } from '../route/index.js';
import type { RouteBuilder } from './build-routes.js';
import type { Reloader } from './reloader.js';
import { startRoutesReloader } from './routes-reloader.js';

export interface RoutesReload {
  /** Re-reads the routes now; throws one line (and keeps the old table) when the file or a new identity is bad. */
  readonly now: () => Promise<void>;
  /** The file watch and SIGHUP; null when signet started without a routes: list. */
  readonly reloader: Reloader | null;
}

/**
 * Routes reload (README "Routes"): a new table is built from the file and its new identities
 * fetched before it is swapped in; a refused table leaves nothing of itself behind (its new caches
 * are stopped) and the old one stays whole. One reload at a time: a second waits for the first.
 * In-flight requests keep the route they hold. `watch` false (a --workers worker): only `now`, when
 * the primary asks, once it has pushed the identities the file needs.
 */
export function startRoutesReload(config: Config, builder: RouteBuilder, holder: RouteHolder, metrics: Metrics, logger: Logger, watch = true): RoutesReload {
  const file = config.configFile;
  let reloading: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = reloading.then(work);
    reloading = next.catch(() => undefined);
    return next;
  };
  const load = async (): Promise<RouteTable> => {
    if (file === undefined) throw new Error('--config: no config file to reload routes from');
    const table = builder.build(loadRoutes(file, config));
    try {
      await builder.start(table);
    } catch (err) {
      builder.retire(table, holder.current());
      throw err;
    }
    return table;
  };
  const apply = (table: RouteTable): void => {
    builder.retire(holder.swap(table), table);
    logger.info({ routes: table.routes.map((r) => r.name) }, 'routes reloaded');
  };
  const now = (): Promise<void> => serially(async () => apply(await load()));
  if (!watch || config.routes === null || file === undefined) return { now, reloader: null };
  return { now, reloader: startRoutesReloader<RouteTable>(file, metrics, logger, { load: () => serially(load), apply }) };
}
