import { createHmac } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { formatAmzDate } from './amz-date.js';
import { authorizationHeader } from './authorization-header.js';
import { ALGORITHM } from './constants.js';
import { headerCanonicalRequest } from './header-canonical-request.js';
import { credentialScope } from './scope.js';
import { signingKey } from './signing-key.js';
import { stringToSign } from './string-to-sign.js';
import type { Credentials, SignableRequest } from './types.js';

export interface SignOptions {
  readonly credentials: Credentials;
  readonly region: string;
  readonly service: string;
  /** Signing time: the caller passes the clock (corrected for skew), never read here. */
  readonly date: Date;
  /** Hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* value; the caller decides (payload/). */
  readonly payloadHash: string;
  /** Precomputed canonical query, when the caller already built it for the wire. */
  readonly query?: string;
}

export interface SignedRequest {
  /** The headers to set on the outgoing request, lower-case names. */
  readonly amzDate: string;
  readonly authorization: string;
  readonly payloadHash: string;
  readonly securityToken: string | undefined;
  /** Needed to chain aws-chunked chunk signatures, and for diagnosis. Never log it. */
  readonly signature: string;
  readonly signingKey: Buffer;
  /** SigV4A only: the ECDSA key aws-chunked chunk signatures are made with (signingKey is empty then). */
  readonly ecdsaKey?: KeyObject | undefined;
  /** SigV4A only: the x-amz-region-set value signed, to be sent as that header. */
  readonly regionSet?: string | undefined;
  readonly scope: string;
  readonly signedHeaders: string;
  /** Kept for SignatureDoesNotMatch diagnosis (debug logs only; redact the token). */
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

/**
 * Header-auth SigV4. Phase 1: canonical request; phase 2: string to sign; phase 3: signature
 * with the cached signing key; phase 4: the Authorization value. x-amz-date,
 * x-amz-content-sha256 and x-amz-security-token are added *before* canonicalising, so they are
 * signed. Pure: no clock, no I/O.
 */
export function signRequest(req: SignableRequest, options: SignOptions): SignedRequest {
  const { credentials, region, service, payloadHash } = options;
  const { amzDate, shortDate } = formatAmzDate(options.date);
  const token = credentials.sessionToken;
  // Phase 1
  const headers = headerCanonicalRequest(req, service, amzDate, payloadHash, token, options.query);
  const creq = headers.canonicalRequest;
  // Phase 2
  const scope = credentialScope(shortDate, region, service);
  const sts = stringToSign(amzDate, scope, creq);
  // Phase 3
  const key = signingKey(credentials, shortDate, region, service);
  const signature = createHmac('sha256', key).update(sts, 'utf8').digest('hex');
  // Phase 4
  const authorization = authorizationHeader(ALGORITHM, credentials.accessKeyId, scope, headers.signedHeaders, signature);
  return {
    amzDate,
    authorization,
    payloadHash,
    securityToken: token === '' ? undefined : token,
    signature,
    signingKey: key,
    scope,
    signedHeaders: headers.signedHeaders,
    canonicalRequest: creq,
    stringToSign: sts,
  };
}
