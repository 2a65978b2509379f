import { createHash } from 'node:crypto';

/** Most policies one process remembers; past it the soonest to expire are forgotten first. */
const DEFAULT_CAPACITY = 10_000;

export interface MintedPolicy {
  /** Who asked for it (an inbound access key id), for the log and the gateway check. */
  readonly client: string;
  readonly expiresAt: number;
}

/**
 * The POST policies this process minted, by signature, so a gateway can tell a form it minted
 * (for which client, until when) from one signed elsewhere with the same upstream identity. Holds
 * a hash of the policy, never the signature as a key of anything logged.
 */
export class MintedPolicies {
  readonly #byKey = new Map<string, MintedPolicy>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  static #key(policy: string, signature: string): string {
    return createHash('sha256').update(policy).update('\n').update(signature.toLowerCase()).digest('base64');
  }

  record(policy: string, signature: string, entry: MintedPolicy, now: number): void {
    if (this.#byKey.size >= this.#capacity) this.#prune(now);
    this.#byKey.set(MintedPolicies.#key(policy, signature), entry);
  }

  /** The entry when this exact policy and signature were minted here and have not expired. */
  lookup(policy: string, signature: string, now: number): MintedPolicy | undefined {
    const key = MintedPolicies.#key(policy, signature);
    const entry = this.#byKey.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#byKey.delete(key);
      return undefined;
    }
    return entry;
  }

  get size(): number {
    return this.#byKey.size;
  }

  #prune(now: number): void {
    for (const [k, e] of this.#byKey) if (e.expiresAt <= now) this.#byKey.delete(k);
    // Still full: insertion order is close to expiry order for one process's TTLs; drop the oldest.
    while (this.#byKey.size >= this.#capacity) {
      const oldest = this.#byKey.keys().next().value;
      if (oldest === undefined) break;
      this.#byKey.delete(oldest);
    }
  }
}
