import type { Logger } from 'pino';
import type { Metrics } from '../observability/index.js';
import { startReloader } from './reloader.js';
import type { Reloader } from './reloader.js';

const ROUTES_SOURCE = 'routes';

/**
 * The routes: list of --config, reloaded on change and SIGHUP through the generic reloader
 * (reloader.ts): `load` builds what the new list needs (a process's route table; a --workers
 * primary's identities), `apply` puts it in force. Counted under source="routes"; a bad file is
 * logged once and never thrown.
 */
export function startRoutesReloader<T>(file: string, metrics: Metrics, logger: Logger, o: { load(): Promise<T>; apply(t: T): void }): Reloader {
  metrics.configLastReloadSuccess.labels(ROUTES_SOURCE).set(Date.now() / 1000);
  for (const result of ['success', 'failure']) metrics.configReloads.labels(ROUTES_SOURCE, result).inc(0);
  return startReloader<T>({
    files: [file],
    load: async () => ({ value: await o.load(), files: [file] }),
    apply: o.apply,
    report: (result, d) => {
      metrics.configReloads.labels(ROUTES_SOURCE, result).inc();
      if (result === 'success') metrics.configLastReloadSuccess.labels(ROUTES_SOURCE).set(Date.now() / 1000);
      else logger.warn({ file, trigger: d.trigger, err: d.error }, 'routes reload failed; the previous routes stay in force');
    },
  });
}
