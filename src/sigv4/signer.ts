import { createHmac } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { formatAmzDate } from './amz-date.js';
import { canonicalHeaders } from './canonical-headers.js';
import { canonicalQuery } from './canonical-query.js';
import { canonicalRequest } from './canonical-request.js';
import { canonicalUri } from './canonical-uri.js';
import { ALGORITHM, AMZ_CONTENT_SHA256, AMZ_DATE, AMZ_SECURITY_TOKEN } from './constants.js';
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
  const extra: Array<readonly [string, string]> = [
    [AMZ_DATE, amzDate],
    [AMZ_CONTENT_SHA256, payloadHash],
  ];
  if (token !== undefined && token !== '') extra.push([AMZ_SECURITY_TOKEN, token]);

  // Phase 1
  const headers = canonicalHeaders(req.headers, extra);
  const query = options.query ?? canonicalQuery(req.query);
  const creq = canonicalRequest(req.method, canonicalUri(req.path, service), query, headers.block, headers.signedHeaders, payloadHash);
  // Phase 2
  const scope = credentialScope(shortDate, region, service);
  const sts = stringToSign(amzDate, scope, creq);
  // Phase 3
  const key = signingKey(credentials, shortDate, region, service);
  const signature = createHmac('sha256', key).update(sts, 'utf8').digest('hex');
  // Phase 4
  const authorization =
    ALGORITHM + ' Credential=' + credentials.accessKeyId + '/' + scope +
    ', SignedHeaders=' + headers.signedHeaders + ', Signature=' + signature;
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
