import type { Socket } from 'node:net';

/**
 * Callbacks for a socket's 'close', with one listener per socket however many requests wait on
 * it: pipelined requests each need to hear it (their own ServerResponse may never close), and a
 * listener per request would pile up on a keep-alive socket.
 */
const waiting = new WeakMap<Socket, Set<() => void>>();

export function onSocketClose(socket: Socket, callback: () => void): () => void {
  if (socket.closed) {
    // Closed before the request was handled: its 'close' has been and gone.
    let live = true;
    queueMicrotask(() => {
      if (live) callback();
    });
    return () => {
      live = false;
    };
  }
  let set = waiting.get(socket);
  if (set === undefined) {
    const callbacks = new Set<() => void>();
    set = callbacks;
    waiting.set(socket, callbacks);
    socket.once('close', () => {
      waiting.delete(socket);
      for (const cb of callbacks) cb();
      callbacks.clear();
    });
  }
  set.add(callback);
  const callbacks = set;
  return () => {
    callbacks.delete(callback);
  };
}
