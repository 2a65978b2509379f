import type { Logger } from 'pino';
import type { Metrics } from '../observability/index.js';
import { inboundKeysFiles, loadInboundClients } from '../proxy/inbound-clients.js';
import type { InboundClients } from '../proxy/inbound-clients.js';
import { InboundDirectory } from '../proxy/inbound-directory.js';
import { startReloader } from './reloader.js';
import type { Reloader } from './reloader.js';

const SOURCE = 'inbound-keys';

export interface InboundKeys {
  readonly directory: InboundDirectory;
  readonly reloader: Reloader;
}

export interface InboundKeysOptions {
  readonly pollMs?: number;
}

/**
 * --inbound-keys, read now (a bad file stops startup: the caller turns the throw into exit 2) and
 * again whenever the file or a secretFile it names changes, or on SIGHUP. A bad new file leaves the
 * clients in force as they are, with one warning naming the file and what is wrong (the parser's
 * messages never quote a secret).
 */
export function startInboundKeys(file: string, logger: Logger, metrics: Metrics, options: InboundKeysOptions = {}): InboundKeys {
  const first = loadInboundClients(file);
  const directory = new InboundDirectory(first);
  metrics.configLastReloadSuccess.labels(SOURCE).set(Date.now() / 1000);
  for (const result of ['success', 'failure']) metrics.configReloads.labels(SOURCE, result).inc(0);
  const reloader = startReloader<InboundClients>({
    files: inboundKeysFiles(file, first),
    load: () => {
      const clients = loadInboundClients(file);
      return { value: clients, files: inboundKeysFiles(file, clients) };
    },
    apply: (next) => directory.replace(next),
    report: (result, d) => {
      metrics.configReloads.labels(SOURCE, result).inc();
      if (result === 'success') {
        metrics.configLastReloadSuccess.labels(SOURCE).set(Date.now() / 1000);
        logger.info({ file, clients: d.value?.size ?? 0, trigger: d.trigger }, 'inbound keys reloaded');
      } else {
        logger.warn({ file, trigger: d.trigger, err: d.error }, 'inbound keys reload failed; the previous clients stay in force');
      }
    },
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  });
  return { directory, reloader };
}
