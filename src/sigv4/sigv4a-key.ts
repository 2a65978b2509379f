import { createECDH, createHmac, createPrivateKey, hash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ALGORITHM_V4A, KEY_PREFIX_V4A } from './constants.js';
import { SigV4Error } from './errors.js';
import type { Credentials } from './types.js';

/** n − 2 for P-256 (n is the group order): the largest candidate the derivation accepts. */
const N_MINUS_2 = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f', 'hex');
/** aws-c-auth gives up after this counter value; reaching it has probability about 2^(-32·254). */
const MAX_COUNTER = 254;
/** Identities remembered at once; a process signs as a handful of identities, never more. */
const MAX_IDENTITIES = 16;

/** The SigV4A key pair of one identity. */
export interface SigV4aKeyPair {
  readonly privateKey: KeyObject;
  /** Uncompressed SEC1 point (0x04 ‖ X ‖ Y), 65 bytes: what S3 verifies with. */
  readonly publicKey: Buffer;
}

/**
 * The private scalar d (32 bytes, big-endian) for an access key, by the SigV4A key derivation
 * (NIST SP 800-108 KDF in counter mode, HMAC-SHA256; aws-c-auth source/key_derivation.c):
 * HMAC("AWS4A"+secret, 0x00000001 ‖ "AWS4-ECDSA-P256-SHA256" ‖ 0x00 ‖ AccessKeyId ‖ counter ‖ 0x00000100);
 * a candidate above n−2 moves the one-byte counter on, else d = candidate + 1 (so 1 ≤ d ≤ n−1).
 */
export function deriveSigV4aPrivateKey(accessKeyId: string, secretAccessKey: string): Buffer {
  const id = Buffer.from(accessKeyId, 'utf8');
  const input = Buffer.alloc(4 + ALGORITHM_V4A.length + 1 + id.length + 1 + 4);
  let at = input.writeUInt32BE(1, 0);
  at += input.write(ALGORITHM_V4A, at, 'latin1');
  at = input.writeUInt8(0, at);
  at += id.copy(input, at);
  const counterAt = at;
  input.writeUInt32BE(256, counterAt + 1);
  const key = Buffer.from(KEY_PREFIX_V4A + secretAccessKey, 'utf8');
  for (let counter = 1; counter <= MAX_COUNTER; counter++) {
    input[counterAt] = counter;
    const candidate = createHmac('sha256', key).update(input).digest();
    // Not constant-time: the comparison can only tell whether the top bytes are all 0xff, a
    // 2^-32 event, and says nothing about d otherwise.
    if (Buffer.compare(candidate, N_MINUS_2) <= 0) return addOne(candidate);
  }
  throw new SigV4Error('SIGV4_INVALID_INPUT', 'SigV4A: no private key could be derived from these credentials');
}

/** candidate + 1, big-endian; never overflows since candidate ≤ n−2. */
function addOne(value: Buffer): Buffer {
  for (let i = value.length - 1; i >= 0; i--) {
    if (value[i] !== 0xff) {
      value[i] = (value[i] as number) + 1;
      return value;
    }
    value[i] = 0;
  }
  return value;
}

/** Builds the key pair for a derived scalar: the public point by the curve multiplication OpenSSL does. */
export function sigV4aKeyPairOf(d: Buffer): SigV4aKeyPair {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const publicKey = ecdh.getPublicKey();
  const privateKey = createPrivateKey({
    key: {
      kty: 'EC', crv: 'P-256', d: d.toString('base64url'),
      x: publicKey.subarray(1, 33).toString('base64url'), y: publicKey.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  return { privateKey, publicKey };
}

let byObject = new WeakMap<Credentials, SigV4aKeyPair>();
const byIdentity = new Map<string, SigV4aKeyPair>();

/**
 * The SigV4A key pair of `credentials`, derived once per identity. The derivation and key import
 * cost tens of microseconds, too much per request: a credentials object maps straight to its pair,
 * and a new object for the same identity (a refresh that kept the keys) finds it by access key id
 * and a hash of the secret — never by the secret itself. At most MAX_IDENTITIES, oldest dropped.
 */
export function sigV4aKeyPair(credentials: Credentials): SigV4aKeyPair {
  const known = byObject.get(credentials);
  if (known !== undefined) return known;
  const identity = credentials.accessKeyId + '\n' + hash('sha256', credentials.secretAccessKey, 'hex');
  let pair = byIdentity.get(identity);
  if (pair === undefined) {
    pair = sigV4aKeyPairOf(deriveSigV4aPrivateKey(credentials.accessKeyId, credentials.secretAccessKey));
    if (byIdentity.size >= MAX_IDENTITIES) {
      const oldest = byIdentity.keys().next().value;
      if (oldest !== undefined) byIdentity.delete(oldest);
    }
    byIdentity.set(identity, pair);
  }
  byObject.set(credentials, pair);
  return pair;
}

/** For tests: forget every derived key pair. */
export function clearSigV4aKeyCache(): void {
  byObject = new WeakMap();
  byIdentity.clear();
}
