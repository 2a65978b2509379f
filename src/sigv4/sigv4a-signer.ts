import { formatAmzDate } from './amz-date.js';
import { authorizationHeader } from './authorization-header.js';
import { ALGORITHM_V4A } from './constants.js';
import { headerCanonicalRequest } from './header-canonical-request.js';
import { SigV4Error } from './errors.js';
import { sigV4aKeyPair } from './sigv4a-key.js';
import { credentialScopeV4a, regionSetValue } from './sigv4a-scope.js';
import { ecdsaSignatureHex } from './sigv4a-signature.js';
import type { SignedRequest } from './signer.js';
import { stringToSign } from './string-to-sign.js';
import type { Credentials, SignableRequest } from './types.js';

export interface SignV4aOptions {
  readonly credentials: Credentials;
  /** The regions the signature is good for: names, or `*` for all (Multi-Region Access Points). */
  readonly regionSet: readonly string[];
  readonly service: string;
  readonly date: Date;
  /** Hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-AWS4-ECDSA-P256-SHA256-* value (payload/ decides). */
  readonly payloadHash: string;
  readonly query?: string;
}

const EMPTY_KEY = Buffer.alloc(0);

// A process signs for one configured set: checked and joined once, not per request (the array
// is taken as immutable, as the frozen Config one is).
let lastSet: readonly string[] | undefined;
let lastValue = '';

/** The joined region set, or SIGV4_INVALID_INPUT. */
export function checkedRegionSet(regions: readonly string[]): string {
  if (regions === lastSet) return lastValue;
  const value = regionSetValue(regions);
  if (value === undefined) throw new SigV4Error('SIGV4_INVALID_INPUT', 'SigV4A: the region set must list at least one region, without blanks or commas');
  lastSet = regions;
  lastValue = value;
  return value;
}

/**
 * Header-auth SigV4A (AWS4-ECDSA-P256-SHA256). The phases are SigV4's: the canonical request is
 * built the same way with `x-amz-region-set` among the signed headers; the scope has no region;
 * the signature is ECDSA-P256 over SHA-256 of the string to sign with the key derived from the
 * secret (sigv4a-key.ts), hex of its DER encoding. Pure: no clock, no I/O.
 */
export function signRequestV4a(req: SignableRequest, options: SignV4aOptions): SignedRequest {
  const { credentials, service, payloadHash } = options;
  const regionSet = checkedRegionSet(options.regionSet);
  const { amzDate, shortDate } = formatAmzDate(options.date);
  const token = credentials.sessionToken;
  // Phase 1
  const headers = headerCanonicalRequest(req, service, amzDate, payloadHash, token, options.query, regionSet);
  const creq = headers.canonicalRequest;
  // Phase 2
  const scope = credentialScopeV4a(shortDate, service);
  const sts = stringToSign(amzDate, scope, creq, ALGORITHM_V4A);
  // Phase 3
  const key = sigV4aKeyPair(credentials).privateKey;
  const signature = ecdsaSignatureHex(key, sts);
  // Phase 4
  const authorization = authorizationHeader(ALGORITHM_V4A, credentials.accessKeyId, scope, headers.signedHeaders, signature);
  return {
    amzDate,
    authorization,
    payloadHash,
    securityToken: token === '' ? undefined : token,
    signature,
    signingKey: EMPTY_KEY,
    ecdsaKey: key,
    regionSet,
    scope,
    signedHeaders: headers.signedHeaders,
    canonicalRequest: creq,
    stringToSign: sts,
  };
}
