import { formatAmzDate } from './amz-date.js';
import { ALGORITHM_V4A, Q_SIGNATURE } from './constants.js';
import { checkPresignExpiry } from './presign.js';
import { presignCanonicalRequest } from './presign-canonical-request.js';
import type { PresignedQuery } from './presign.js';
import { sigV4aKeyPair } from './sigv4a-key.js';
import { credentialScopeV4a } from './sigv4a-scope.js';
import { checkedRegionSet } from './sigv4a-signer.js';
import { ecdsaSignatureHex } from './sigv4a-signature.js';
import { stringToSign } from './string-to-sign.js';
import type { Credentials, SignableRequest } from './types.js';

export interface PresignV4aOptions {
  readonly credentials: Credentials;
  readonly regionSet: readonly string[];
  readonly service: string;
  readonly date: Date;
  readonly expiresSeconds: number;
  readonly payloadHash?: string;
}

/**
 * Query-string SigV4A: as SigV4 presigning, with X-Amz-Region-Set among the signed query
 * parameters (aws-c-auth v4a suite, query-canonical-request.txt) and a region-less credential.
 */
export function presignV4a(req: SignableRequest, options: PresignV4aOptions): PresignedQuery {
  const { credentials, service, expiresSeconds } = options;
  checkPresignExpiry(expiresSeconds);
  const regionSet = checkedRegionSet(options.regionSet);
  const { amzDate, shortDate } = formatAmzDate(options.date);
  const scope = credentialScopeV4a(shortDate, service);
  const { query, canonicalRequest: creq } = presignCanonicalRequest(req, {
    algorithm: ALGORITHM_V4A, credentials, service, scope, amzDate, expiresSeconds, regionSet, payloadHash: options.payloadHash,
  });
  const signature = ecdsaSignatureHex(sigV4aKeyPair(credentials).privateKey, stringToSign(amzDate, scope, creq, ALGORITHM_V4A));
  // Hex never needs encoding.
  return { query: query + '&' + Q_SIGNATURE + '=' + signature, signature, canonicalRequest: creq };
}
