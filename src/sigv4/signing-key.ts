import { createHmac } from 'node:crypto';
import { KEY_PREFIX, KEY_TYPE_IDENTIFIER } from './constants.js';
import type { Credentials } from './types.js';

/** Keys per credentials object; a rotation brings a new object, so old keys fall away with it. */
const MAX_KEYS_PER_CREDENTIALS = 50;
let cache = new WeakMap<Credentials, Map<string, Buffer>>();

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secret: string, shortDate: string, region: string, service: string): Buffer {
  const kDate = hmac(KEY_PREFIX + secret, shortDate);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, KEY_TYPE_IDENTIFIER);
}

/**
 * The signing key for (credentials, day, region, service), derived once. The cache is keyed by
 * the credentials object itself (never by the secret string), bounded, oldest entry dropped first.
 */
export function signingKey(credentials: Credentials, shortDate: string, region: string, service: string): Buffer {
  let keys = cache.get(credentials);
  if (keys === undefined) {
    keys = new Map();
    cache.set(credentials, keys);
  }
  const id = shortDate + '/' + region + '/' + service;
  let key = keys.get(id);
  if (key === undefined) {
    key = deriveSigningKey(credentials.secretAccessKey, shortDate, region, service);
    if (keys.size >= MAX_KEYS_PER_CREDENTIALS) {
      const oldest = keys.keys().next().value;
      if (oldest !== undefined) keys.delete(oldest);
    }
    keys.set(id, key);
  }
  return key;
}

/** For tests: forget every derived key. */
export function clearSigningKeyCache(): void {
  cache = new WeakMap();
}
