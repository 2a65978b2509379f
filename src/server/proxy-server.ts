import { readFileSync, watchFile, unwatchFile } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import { SignetError } from '../errors.js';
import { cutConnection, markCut } from '../proxy/connection-cut.js';
import { sendS3Error } from '../proxy/respond.js';

export interface ProxyServerOptions {
  readonly host: string;
  readonly port: number;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  readonly logger: Logger;
  readonly maxConcurrent: number;
  readonly maxHeaderSize: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
}

export interface ProxyServer {
  readonly url: string;
  readonly port: number;
  inFlight(): number;
  /** Stops accepting, lets in-flight requests finish up to graceMs, then cuts what remains. */
  shutdown(graceMs: number): Promise<void>;
  /** Cuts every connection at once (second signal). */
  destroy(): void;
}

/**
 * The client-facing listener. Requests past --max-concurrent get 503 SlowDown at once (clients'
 * SDKs back off on it); Expect: 100-continue goes through the same pipeline, which sends the 100
 * only when it is ready for the body. With --tls-cert/--tls-key the certificate is reloaded when
 * the files change (cert-manager rotates them in place).
 */
export async function startProxyServer(o: ProxyServerOptions): Promise<ProxyServer> {
  let inFlight = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (inFlight >= o.maxConcurrent) {
      sendS3Error(res, new SignetError('SlowDown', 'max-concurrent reached'), req.url ?? '/', 'SIGNET', !req.complete);
      req.resume();
      return;
    }
    inFlight++;
    res.once('close', () => inFlight--);
    o.handler(req, res).catch((err: unknown) => {
      o.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'request handler failed');
      if (!res.headersSent) sendS3Error(res, new SignetError('InternalError', 'handler'), '/', 'SIGNET', !req.complete);
      else res.destroy();
    });
  };
  const serverOptions = {
    maxHeaderSize: o.maxHeaderSize,
    headersTimeout: o.headersTimeoutMs,
    keepAliveTimeout: o.idleTimeoutMs,
    // Uploads can be long; the body is bounded by idle time (socket timeout), not total time.
    requestTimeout: 0,
  };
  let server: Server | HttpsServer;
  let stopWatching = (): void => undefined;
  if (o.tls !== undefined) {
    const { certFile, keyFile } = o.tls;
    const https = createHttpsServer({ ...serverOptions, cert: readFileSync(certFile), key: readFileSync(keyFile) }, onRequest);
    const reload = (): void => {
      try {
        https.setSecureContext({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
        o.logger.info({ certFile }, 'TLS certificate reloaded');
      } catch (err) {
        o.logger.warn({ certFile, err: (err as Error).message }, 'TLS certificate reload failed; keeping the previous one');
      }
    };
    watchFile(certFile, { interval: 2000 }, reload);
    watchFile(keyFile, { interval: 2000 }, reload);
    stopWatching = () => {
      unwatchFile(certFile, reload);
      unwatchFile(keyFile, reload);
    };
    server = https;
  } else {
    server = createHttpServer(serverOptions, onRequest);
  }
  server.on('checkContinue', onRequest);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  server.setTimeout(o.idleTimeoutMs);
  // What Node does on an idle socket (destroy it), remembering that signet, not the client, cut it.
  server.on('timeout', (socket: Socket) => cutConnection(socket, new SignetError('RequestTimeout', 'client idle past --client-idle-timeout')));
  const connections = new Set<Socket>();
  server.on(o.tls !== undefined ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `${o.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    inFlight: () => inFlight,
    async shutdown(graceMs: number): Promise<void> {
      stopWatching();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        const outcome = new SignetError('ServiceUnavailable', 'shutdown: --shutdown-grace ran out');
        for (const socket of connections) markCut(socket, outcome);
        server.closeAllConnections();
      }, graceMs);
      timer.unref();
      // Keep-alive sockets that finish a request while we drain are closed as they go idle.
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      idle.unref();
      await closed;
      clearTimeout(timer);
      clearInterval(idle);
    },
    destroy(): void {
      stopWatching();
      server.closeAllConnections();
      server.close();
    },
  };
}
