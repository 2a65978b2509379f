import { createECDH, createHmac, createPublicKey, hash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ALGORITHM_V4A } from '../sigv4/constants.js';

/** The order n of the P-256 group (SEC 2 §2.4.2). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const MAX_KEYS = 64;
const cache = new Map<string, KeyObject>();

/**
 * The public key S3 verifies a SigV4A signature with, derived from the secret the way the SigV4A
 * spec describes (counter-mode KDF, HMAC-SHA256 keyed by "AWS4A"+secret; d = first candidate
 * ≤ n−2, plus one). Written for the demo server alone, with BigInt arithmetic, so it checks
 * signet's src/sigv4/sigv4a-key.ts instead of agreeing with it by construction.
 */
export function sigV4aPublicKey(accessKeyId: string, secretAccessKey: string): KeyObject {
  const id = accessKeyId + ':' + hash('sha256', secretAccessKey, 'hex');
  const known = cache.get(id);
  if (known !== undefined) return known;
  let d = 0n;
  for (let counter = 1; counter < 255 && d === 0n; counter++) {
    const fixedInput = Buffer.concat([
      Buffer.from([0, 0, 0, 1]), Buffer.from(ALGORITHM_V4A, 'ascii'), Buffer.from([0]),
      Buffer.from(accessKeyId, 'utf8'), Buffer.from([counter]), Buffer.from([0, 0, 1, 0]),
    ]);
    const candidate = BigInt('0x' + createHmac('sha256', 'AWS4A' + secretAccessKey).update(fixedInput).digest('hex'));
    if (candidate <= P256_N - 2n) d = candidate + 1n;
  }
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(d.toString(16).padStart(64, '0'), 'hex'));
  const point = ecdh.getPublicKey();
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  if (cache.size >= MAX_KEYS) cache.delete(cache.keys().next().value as string);
  cache.set(id, key);
  return key;
}
