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
import { bodyGapsWatched, watchBodyGaps } from './body-timeout.js';

/** What the listener reports about client connections; metrics hang off it. */
export interface ListenerEvents {
  connectionOpened(): void;
  connectionClosed(): void;
  /** A connection past --max-connections, closed as it arrived. */
  connectionRejected(): void;
  /** A client too slow with its headers (--client-header-timeout) or silent mid-body (--client-body-timeout). */
  clientTimeout(phase: 'headers' | 'body'): void;
}

export interface ProxyServerOptions {
  readonly host: string;
  readonly port: number;
  /**
   * Handles one request. `release` gives its --max-concurrent slot back: the handler calls it once
   * the request is over for the client (its response closed, or its socket did), so that one close
   * watcher per request serves both the handler's "client went away" and the slot count.
   */
  readonly handler: (req: IncomingMessage, res: ServerResponse, release: () => void) => Promise<void>;
  readonly logger: Logger;
  readonly maxConcurrent: number;
  readonly maxHeaderSize: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Longest silence between two reads of a request body; 0: off. */
  readonly bodyTimeoutMs: number;
  /** Most client connections open at once; 0: unlimited. */
  readonly maxConnections: number;
  readonly events?: ListenerEvents;
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
 *
 * Slow clients are bounded at every stage: headers by --client-header-timeout (absolute, so a
 * client sending a byte at a time is cut too), bodies by --client-body-timeout (the longest gap
 * between reads, body-timeout.ts), idle keep-alive by --client-idle-timeout, and the number of
 * connections by --max-connections (past it, a connection is closed as it is accepted, before a
 * byte is read: nothing can be answered on it yet).
 */
export async function startProxyServer(o: ProxyServerOptions): Promise<ProxyServer> {
  let inFlight = 0;
  const events = o.events;
  const bodyTimedOut = (): void => events?.clientTimeout('body');
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    watchBodyGaps(req, res, o.bodyTimeoutMs, bodyTimedOut);
    if (inFlight >= o.maxConcurrent) {
      sendS3Error(res, new SignetError('SlowDown', 'max-concurrent reached'), req.url ?? '/', 'SIGNET', !req.complete);
      req.resume();
      return;
    }
    inFlight++;
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      inFlight--;
    };
    o.handler(req, res, release).catch((err: unknown) => {
      o.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'request handler failed');
      // A handler that failed may never have watched for the close: the slot goes back now.
      release();
      if (!res.headersSent) sendS3Error(res, new SignetError('InternalError', 'handler'), '/', 'SIGNET', !req.complete);
      else res.destroy();
    });
  };
  const serverOptions = {
    maxHeaderSize: o.maxHeaderSize,
    headersTimeout: o.headersTimeoutMs,
    keepAliveTimeout: o.idleTimeoutMs,
    // Uploads can be long; the body is bounded by the gaps in it (--client-body-timeout), not total time.
    requestTimeout: 0,
    // Node checks the headers timeout on this period (30 s by default, which would double a 30 s
    // timeout); a quarter of the timeout, at most a second, keeps the bound close to what was asked.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(o.headersTimeoutMs / 4))),
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
    // Node's headers timeout (requestTimeout is off, so it is the only source of this code).
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (timedOut) events?.clientTimeout('headers');
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : timedOut ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  server.setTimeout(o.idleTimeoutMs);
  if (o.maxConnections > 0) server.maxConnections = o.maxConnections;
  if (events !== undefined) {
    // 'drop': net.Server closed a connection past maxConnections as it was accepted.
    server.on('drop', () => events.connectionRejected());
    server.on('connection', (socket: Socket) => {
      events.connectionOpened();
      socket.once('close', () => events.connectionClosed());
    });
  }
  // What Node does on an idle socket (destroy it), remembering that signet, not the client, cut it.
  // A socket in a body's gaps is judged by --client-body-timeout (body-timeout.ts), not here.
  server.on('timeout', (socket: Socket) => {
    if (!bodyGapsWatched(socket)) cutConnection(socket, new SignetError('RequestTimeout', 'client idle past --client-idle-timeout'));
  });
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
