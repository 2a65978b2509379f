import { PushedCredentials } from '../credentials/index.js';
import { accessKeyIdPrefix } from '../credentials/index.js';
import type { GracefulExit } from '../server/graceful-exit.js';
import type { RunningSignet } from '../server/signet.js';
import { asToWorker } from './messages.js';
import type { CredentialsMessage, ToPrimary } from './messages.js';

export interface LinkLogger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  debug(o: object, m: string): void;
}

export interface PrimaryLink {
  /** The credentials the primary pushes for identity `sourceId` (identityKey()): none until its first message. */
  credentialsFor(sourceId: string): PushedCredentials;
  /** Once the worker serves: report the listener, answer metrics requests, drain when told. */
  serve(running: RunningSignet, exit: GracefulExit): void;
}

function send(message: ToPrimary): void {
  // The channel is gone when the primary is: 'disconnect' handles that.
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
}

/**
 * A --workers worker's side of the IPC channel. It listens before it says hello, so the primary's
 * answer (the current credentials) cannot be lost, and it acts only on well-formed messages of
 * ours. Signals sent to the worker itself (a terminal's Ctrl-C reaches the whole process group)
 * start the same drain as the primary's message and never escalate: the primary decides when to
 * stop at once.
 */
export function connectToPrimary(logger: LinkLogger): PrimaryLink {
  const pushed = new Map<string, PushedCredentials>();
  const credentialsFor = (sourceId: string): PushedCredentials => {
    let c = pushed.get(sourceId);
    if (c === undefined) {
      c = new PushedCredentials();
      pushed.set(sourceId, c);
    }
    return c;
  };
  let running: RunningSignet | null = null;
  let exit: GracefulExit | null = null;
  let drainAsked = '';
  let routesReloadAsked = false;

  // The primary pushed every identity the new table needs before it asked: none is awaited long.
  // A refusal (a file edited again since the primary read it) keeps the table in force; the
  // primary's reload of that later edit asks again.
  const reloadRoutes = (): void => {
    if (running === null) {
      routesReloadAsked = true;
      return;
    }
    running.reloadRoutes().catch((err: unknown) =>
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'routes reload refused; the previous routes stay in force'));
  };

  const accept = (m: CredentialsMessage): void => {
    const first = credentialsFor(m.sourceId).status().source === null;
    credentialsFor(m.sourceId).accept({
      credentials: {
        accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey,
        ...(m.sessionToken === null ? {} : { sessionToken: m.sessionToken }),
        ...(m.expiresAtMs === null ? {} : { expiration: new Date(m.expiresAtMs) }),
      },
      source: m.source,
      expiresAtMs: m.expiresAtMs ?? Infinity,
    });
    (first ? logger.info : logger.debug).call(logger, {
      component: 'credentials', sourceId: m.sourceId, source: m.source, accessKeyIdPrefix: accessKeyIdPrefix(m.accessKeyId),
      expiration: m.expiresAtMs === null ? undefined : new Date(m.expiresAtMs),
    }, 'credentials received from the primary');
    send({ type: 'signet:credentials-held', sourceId: m.sourceId, generation: m.generation });
  };

  const drain = (cause: string): void => {
    if (exit === null) {
      drainAsked = cause;
      return;
    }
    if (!exit.began) send({ type: 'signet:draining' });
    exit.begin(cause);
  };

  process.on('message', (raw: unknown) => {
    const m = asToWorker(raw);
    if (m === undefined) return;
    switch (m.type) {
      case 'signet:credentials':
        return accept(m);
      case 'signet:metrics-request':
        if (running === null) return send({ type: 'signet:metrics', id: m.id, metrics: [] });
        void running.metrics.registry.getMetricsAsJSON().then(
          (metrics) => send({ type: 'signet:metrics', id: m.id, metrics }),
          () => send({ type: 'signet:metrics', id: m.id, metrics: [] }),
        );
        return;
      case 'signet:drain':
        return drain('primary');
      case 'signet:routes-reload':
        return reloadRoutes();
      case 'signet:exit-now':
        if (exit !== null) return exit.now('primary');
        process.exit(1);
    }
  });
  // The primary is gone (killed): nothing routes new connections here any more; finish what is open.
  process.on('disconnect', () => drain('primary gone'));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => drain(signal));
  // Forwarded by the primary (the default action would kill the worker): re-read --inbound-keys, as
  // one process does. Routes are not re-read here: they wait for the primary's signet:routes-reload,
  // sent once the identities they need are fetched and pushed.
  process.on('SIGHUP', () => {
    if (running === null || exit?.began === true) return logger.info({ signal: 'SIGHUP' }, 'signal received; nothing to reload yet');
    running.reload().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'reload failed'));
  });
  send({ type: 'signet:hello' });

  return {
    credentialsFor,
    serve(r, e) {
      running = r;
      exit = e;
      send({ type: 'signet:listening', url: r.proxy.url });
      if (drainAsked !== '') drain(drainAsked);
      else if (routesReloadAsked) reloadRoutes();
    },
  };
}
