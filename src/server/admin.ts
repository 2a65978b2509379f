/**
 * The admin listener: GET/HEAD /metrics (Prometheus text), /healthz (the process answers),
 * /readyz (credentials held and not draining, as `isReady` says). Kept apart from the proxy port
 * so scrapes and probes never queue behind client traffic.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready; when ready, a warning worth showing (an open proxy). */
  readonly reason?: string;
}

export interface AdminServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** A process's registry, or with --workers the primary's view aggregated over its workers. */
  readonly metrics: { readonly registry: MetricsText };
  readonly isReady: () => Readiness;
  readonly logger: Logger;
}

export type MetricsText = Pick<Registry, 'contentType' | 'metrics'>;

export interface AdminServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { registry } = options.metrics;
  const server = createServer((req, res) => {
    handle(req, res, registry, options.isReady).catch((err: unknown) => {
      options.logger.error({ err, path: req.url }, 'admin request failed');
      if (!res.headersSent) send(res, req, 500, TEXT, 'internal error');
      else res.destroy();
    });
  });
  // Probes and scrapes are short; do not let idle sockets hold shutdown up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  options.logger.info({ url }, 'admin listener started');
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  registry: MetricsText,
  isReady: () => Readiness,
): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0];
  const route = path === '/metrics' || path === '/healthz' || path === '/readyz' ? path : undefined;
  if (route === undefined) return send(res, req, 404, TEXT, 'not found');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, req, 405, TEXT, 'method not allowed');
  }
  if (route === '/healthz') return send(res, req, 200, TEXT, 'ok');
  if (route === '/readyz') {
    const state = isReady();
    return state.ready
      ? send(res, req, 200, TEXT, state.reason === undefined ? 'ready' : `ready\n${state.reason}`)
      : send(res, req, 503, TEXT, state.reason ?? 'not ready');
  }
  send(res, req, 200, registry.contentType, await registry.metrics());
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : body);
}
