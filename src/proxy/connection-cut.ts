import type { Socket } from 'node:net';
import type { SignetError } from '../errors.js';

/**
 * Client connections signet itself destroyed (idle past --client-idle-timeout, shutdown out of
 * grace), with the outcome to record for the request that was on them. Without it, a request on a
 * cut connection looks exactly like one whose client hung up (499).
 */
const cuts = new WeakMap<Socket, SignetError>();

export function cutConnection(socket: Socket, outcome: SignetError): void {
  if (!cuts.has(socket)) cuts.set(socket, outcome);
  socket.destroy();
}

/** Marks a connection about to be closed by someone else (server.closeAllConnections). */
export function markCut(socket: Socket, outcome: SignetError): void {
  if (!cuts.has(socket)) cuts.set(socket, outcome);
}

export function cutOutcome(socket: Socket | null): SignetError | undefined {
  return socket === null ? undefined : cuts.get(socket);
}
