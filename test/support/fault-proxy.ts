import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** `up`: bytes from the client (signet) to the target (S3); `down`: the answer coming back. */
export type Direction = 'up' | 'down';

/**
 * What to do to a connection once `at` bytes have gone through in `direction` (counted from when
 * the fault was set, per connection, so a pooled keep-alive connection counts from its next request):
 * - `cut`: FIN both ways (a clean close at the wrong moment);
 * - `reset`: RST both ways (socket.resetAndDestroy());
 * - `stall`: that direction stops moving; the connection stays open, the sender meets backpressure;
 * - `delay`: that direction pauses for `ms`, then carries on;
 * - `trickle`: from there on, one byte every `everyMs`.
 * `blackhole` takes no offset: connections are accepted and read, never forwarded, never answered.
 */
export type Fault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'cut' | 'reset' | 'stall'; readonly direction: Direction; readonly at: number }
  | { readonly kind: 'delay'; readonly direction: Direction; readonly at: number; readonly ms: number }
  | { readonly kind: 'trickle'; readonly direction: Direction; readonly at: number; readonly everyMs: number }
  | { readonly kind: 'blackhole' };

export interface FaultProxy {
  /** http://127.0.0.1:<port>, for signet's --upstream. */
  readonly url: string;
  /** Applies to every connection, open or future; byte counts start again from 0. */
  inject(fault: Fault): void;
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections open now (either side still open). */
  open(): number;
  /** How many connections the current fault has fired on. */
  fired(): number;
  close(): Promise<void>;
}

const PASS: Fault = { kind: 'pass' };

/**
 * A TCP proxy on 127.0.0.1 that forwards to `targetPort` and misbehaves on request: the network
 * between signet and S3, made to fail at a chosen byte in either direction.
 */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let fault: Fault = PASS;
  let accepted = 0;
  let fired = 0;
  const pairs = new Set<Pair>();

  const server: Server = createServer((client) => {
    accepted++;
    const pair = new Pair(client, fault.kind === 'blackhole' ? null : connect(targetPort, '127.0.0.1'), () => fault, () => fired++);
    pairs.add(pair);
    pair.onClosed = () => pairs.delete(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    inject(f) {
      fault = f;
      fired = 0;
      for (const p of pairs) p.restart();
    },
    accepted: () => accepted,
    open: () => pairs.size,
    fired: () => fired,
    close: () => new Promise<void>((resolve) => {
      for (const p of pairs) p.destroy();
      server.close(() => resolve());
    }),
  };
}

/** One client connection and its upstream one (null for a black hole). */
class Pair {
  onClosed: () => void = () => undefined;
  readonly #legs: Leg[] = [];
  readonly #sockets: Socket[];
  #open: number;

  constructor(client: Socket, upstream: Socket | null, fault: () => Fault, fired: () => void) {
    this.#sockets = upstream === null ? [client] : [client, upstream];
    this.#open = this.#sockets.length;
    for (const s of this.#sockets) {
      s.on('error', () => undefined);
      s.once('close', () => {
        if (--this.#open === 0) this.onClosed();
        // One side gone: the other goes too, the way a forwarding proxy behaves.
        else this.destroy();
      });
    }
    if (upstream === null) {
      client.on('data', () => undefined);
      return;
    }
    const act = (kind: 'cut' | 'reset'): void => {
      fired();
      if (kind === 'reset') {
        for (const s of this.#sockets) if (!s.destroyed) s.resetAndDestroy();
        return;
      }
      for (const leg of this.#legs) leg.stop();
      for (const s of this.#sockets) {
        s.end();
        // Read and drop what still arrives, so closing sends a FIN, not a reset.
        s.on('data', () => undefined).resume();
      }
      setTimeout(() => this.destroy(), 1000).unref();
    };
    this.#legs.push(new Leg('up', client, upstream, fault, act, fired), new Leg('down', upstream, client, fault, act, fired));
  }

  restart(): void {
    // A connection held up by the last fault stays broken: replaying what it held would deliver,
    // long after, bytes whose sender has given up (and whose close the paused socket never saw).
    if (this.#legs.some((leg) => leg.holding)) {
      this.destroy();
      return;
    }
    for (const leg of this.#legs) leg.restart();
  }

  destroy(): void {
    for (const leg of this.#legs) leg.stop();
    for (const s of this.#sockets) s.destroy();
  }
}

/** One direction of a pair: forwards with backpressure, and applies the fault at its byte. */
class Leg {
  readonly #direction: Direction;
  readonly #src: Socket;
  readonly #dst: Socket;
  readonly #fault: () => Fault;
  readonly #act: (kind: 'cut' | 'reset') => void;
  readonly #fired: () => void;
  /** Bytes forwarded since the fault was set. */
  #count = 0;
  /** Held back (stall, delay, trickle). */
  #held: Buffer[] = [];
  #holding = false;
  #triggered = false;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(direction: Direction, src: Socket, dst: Socket, fault: () => Fault, act: (kind: 'cut' | 'reset') => void, fired: () => void) {
    this.#direction = direction;
    this.#src = src;
    this.#dst = dst;
    this.#fault = fault;
    this.#act = act;
    this.#fired = fired;
    src.on('data', (chunk: Buffer) => this.#data(chunk));
    src.on('end', () => {
      if (!this.#holding && !this.#stopped) dst.end();
    });
    dst.on('drain', () => {
      if (!this.#holding && !this.#stopped) src.resume();
    });
  }

  get holding(): boolean {
    return this.#holding;
  }

  restart(): void {
    this.#count = 0;
    this.#triggered = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const held = this.#held;
    this.#held = [];
    this.#holding = false;
    for (const b of held) this.#data(b);
    if (!this.#holding) this.#src.resume();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #data(chunk: Buffer): void {
    if (this.#stopped) return;
    if (this.#holding) {
      this.#held.push(chunk);
      return;
    }
    const f = this.#fault();
    // A connection open before the black hole: from now on it goes nowhere either.
    if (f.kind === 'blackhole') {
      this.#triggered = true;
      this.#hold(chunk);
      return;
    }
    if (f.kind === 'pass' || f.direction !== this.#direction || this.#triggered || this.#count + chunk.length <= f.at) {
      this.#forward(chunk);
      return;
    }
    const head = chunk.subarray(0, f.at - this.#count);
    const rest = chunk.subarray(head.length);
    this.#triggered = true;
    if (head.length > 0) this.#forward(head);
    switch (f.kind) {
      case 'cut':
      case 'reset': {
        const kind = f.kind;
        // Let the head reach the peer before the connection goes.
        this.#dst.write(Buffer.alloc(0), () => this.#act(kind));
        return;
      }
      case 'stall':
        this.#fired();
        this.#hold(rest);
        return;
      case 'delay':
        this.#fired();
        this.#hold(rest);
        this.#timer = setTimeout(() => this.#release(), f.ms);
        return;
      case 'trickle':
        this.#fired();
        this.#hold(rest);
        this.#timer = setInterval(() => this.#drip(), f.everyMs);
        return;
    }
  }

  #forward(chunk: Buffer): void {
    this.#count += chunk.length;
    if (!this.#dst.write(chunk)) this.#src.pause();
  }

  #hold(rest: Buffer): void {
    this.#holding = true;
    this.#src.pause();
    if (rest.length > 0) this.#held.push(rest);
  }

  #release(): void {
    this.#timer = null;
    const held = this.#held;
    this.#held = [];
    this.#holding = false;
    for (const b of held) this.#forward(b);
    this.#src.resume();
    if (this.#src.readableEnded) this.#dst.end();
  }

  /** One byte on; the source is read again only when nothing is left to drip. */
  #drip(): void {
    const first = this.#held[0];
    if (first === undefined) {
      this.#src.resume();
      if (this.#src.readableEnded) {
        if (this.#timer !== null) clearInterval(this.#timer);
        this.#dst.end();
      }
      return;
    }
    this.#count++;
    this.#dst.write(first.subarray(0, 1));
    if (first.length === 1) this.#held.shift();
    else this.#held[0] = first.subarray(1);
  }
}
