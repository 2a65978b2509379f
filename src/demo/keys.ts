import { randomBytes } from 'node:crypto';
import type { KeyEntry, KeyStore } from './types.js';

export interface StaticCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiresAt?: number;
}

export interface StaticKeyStore extends KeyStore {
  add(...creds: StaticCredential[]): void;
  remove(accessKeyId: string): void;
}

/** A key store backed by a map; tests rotate keys with add/remove while the server runs. */
export function staticKeys(creds: StaticCredential[]): StaticKeyStore {
  const byId = new Map<string, KeyEntry>();
  const add = (...list: StaticCredential[]): void => {
    for (const c of list) {
      const entry: KeyEntry = { secretAccessKey: c.secretAccessKey };
      if (c.sessionToken !== undefined) entry.sessionToken = c.sessionToken;
      if (c.expiresAt !== undefined) entry.expiresAt = c.expiresAt;
      byId.set(c.accessKeyId, entry);
    }
  };
  add(...creds);
  return {
    lookup: (id) => byId.get(id),
    add,
    remove: (id) => void byId.delete(id),
  };
}

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random long-term-style pair (AKIA + 16 base32 characters, 40-character secret) for the demo. */
export function demoCredentials(): { accessKeyId: string; secretAccessKey: string } {
  const idBytes = randomBytes(16);
  let id = 'AKIA';
  for (const b of idBytes) id += KEY_ID_ALPHABET[b % 32];
  const secretAccessKey = randomBytes(30).toString('base64').slice(0, 40);
  return { accessKeyId: id, secretAccessKey };
}
