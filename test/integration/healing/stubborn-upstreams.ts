import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../../src/config/index.js';
import { demoCredentials } from '../../../src/demo/index.js';
import { startSignet } from '../../../src/server/signet.js';
import type { RunningSignet } from '../../../src/server/signet.js';

export interface Stubborn {
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: () => number;
  close(): Promise<void>;
}

/** Accepts TCP connections, reads everything, never answers. */
export async function silentUpstream(): Promise<Stubborn> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: TcpServer = createTcpServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Answers with the given status and headers, sends the first bytes of the body, then stalls. */
export async function stallingUpstream(status: number, firstBytes: string, declaredLength: number): Promise<Stubborn> {
  const open = new Set<ServerResponse>();
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    req.resume();
    open.add(res);
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': declaredLength, date: new Date().toUTCString() });
    res.write(firstBytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** signet on 127.0.0.1 in front of any upstream, with fixed demo keys and its log lines kept. */
export async function signetFor(
  upstream: string,
  args: string[] = [],
  keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = demoCredentials(),
): Promise<{ signet: RunningSignet; url: string; logs: string[] }> {
  const config = loadConfig(['--region', 'us-east-1', '--upstream', upstream, '--listen', '127.0.0.1:0', '--admin-listen', 'off', ...args], {});
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(line);
      cb();
    },
  });
  const signet = await startSignet(config, { logger: pino({ level: 'info' }, sink), fetchCredentials: async () => ({ credentials: keys, source: 'test' }) });
  return { signet, url: signet.proxy.url, logs };
}
