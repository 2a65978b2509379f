import { ClientLimiter } from './client-limiter.js';
import type { Refusal } from './client-limiter.js';
import type { InboundClient, InboundClients } from './inbound-clients.js';

/** Seconds on a monotonic clock: token buckets must not jump with the wall clock. */
export function monotonicSeconds(): number {
  return performance.now() / 1000;
}

/**
 * The gateway's current clients, swapped whole on reload. A request looks its client up once, at
 * admission, and keeps that record (policy, ranges) to the end: a reload never changes what an
 * in-flight request was admitted with. Limiter state is runtime, not configuration: it is kept
 * per access key id across reloads (in-flight counts and tokens carry over), so reloading cannot
 * reset a client's allowance; a key that is removed loses its limiter, and the requests it still
 * has in flight release into the dropped one.
 */
export class InboundDirectory {
  private clients: InboundClients;
  private limiters = new Map<string, ClientLimiter>();
  private readonly now: () => number;

  constructor(clients: InboundClients, now: () => number = monotonicSeconds) {
    this.now = now;
    this.clients = new Map();
    this.replace(clients);
  }

  get(accessKeyId: string): InboundClient | undefined {
    return this.clients.get(accessKeyId);
  }

  limiterOf(accessKeyId: string): ClientLimiter | undefined {
    return this.limiters.get(accessKeyId);
  }

  /** Takes a slot from the client's limiter: the limiter (release it once), null without limits, or why not. */
  acquire(accessKeyId: string): ClientLimiter | Refusal | null {
    const limiter = this.limiters.get(accessKeyId);
    if (limiter === undefined) return null;
    return limiter.tryAcquire(this.now()) ?? limiter;
  }

  get size(): number {
    return this.clients.size;
  }

  replace(next: InboundClients): void {
    const now = this.now();
    const limiters = new Map<string, ClientLimiter>();
    for (const [id, client] of next) {
      if (client.limits === null) continue;
      const kept = this.limiters.get(id);
      if (kept === undefined) limiters.set(id, new ClientLimiter(client.limits, now));
      else {
        kept.update(client.limits, now);
        limiters.set(id, kept);
      }
    }
    this.clients = next;
    this.limiters = limiters;
  }
}
