import { createHmac } from 'node:crypto';
import { formatAmzDate } from './amz-date.js';
import { canonicalHeaders } from './canonical-headers.js';
import { canonicalQuery } from './canonical-query.js';
import { canonicalRequest } from './canonical-request.js';
import { canonicalUri } from './canonical-uri.js';
import {
  ALGORITHM, MAX_PRESIGNED_TTL_SECONDS, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SECURITY_TOKEN,
  Q_SIGNATURE, Q_SIGNED_HEADERS, UNSIGNED_PAYLOAD,
} from './constants.js';
import { SigV4Error } from './errors.js';
import { credentialScope } from './scope.js';
import { signingKey } from './signing-key.js';
import { stringToSign } from './string-to-sign.js';
import { uriEncode } from './uri-encode.js';
import type { Credentials, SignableRequest } from './types.js';

export interface PresignOptions {
  readonly credentials: Credentials;
  readonly region: string;
  readonly service: string;
  readonly date: Date;
  readonly expiresSeconds: number;
  /** Defaults to UNSIGNED-PAYLOAD, as S3 expects for presigned URLs. */
  readonly payloadHash?: string;
}

export interface PresignedQuery {
  /** The full query string for the URL, X-Amz-Signature last. */
  readonly query: string;
  readonly signature: string;
  readonly canonicalRequest: string;
}

/** S3 takes X-Amz-Expires of 1 second to 7 days; anything else is SIGV4_PRESIGN_EXPIRES. */
export function checkPresignExpiry(expiresSeconds: number): void {
  if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_PRESIGNED_TTL_SECONDS) {
    throw new SigV4Error('SIGV4_PRESIGN_EXPIRES', `presign expiry must be 1..${MAX_PRESIGNED_TTL_SECONDS} seconds, got ${expiresSeconds}`);
  }
}

/**
 * Query-string auth. The X-Amz-* parameters (and the session token) join the query *before*
 * canonicalisation, so they are signed; only X-Amz-Signature is appended afterwards.
 */
export function presign(req: SignableRequest, options: PresignOptions): PresignedQuery {
  const { credentials, region, service, expiresSeconds } = options;
  checkPresignExpiry(expiresSeconds);
  const { amzDate, shortDate } = formatAmzDate(options.date);
  const scope = credentialScope(shortDate, region, service);
  const headers = canonicalHeaders(req.headers, []);
  const pairs: Array<readonly [string, string]> = [
    ...req.query,
    [Q_ALGORITHM, ALGORITHM],
    [Q_CREDENTIAL, credentials.accessKeyId + '/' + scope],
    [Q_DATE, amzDate],
    [Q_EXPIRES, String(expiresSeconds)],
    [Q_SIGNED_HEADERS, headers.signedHeaders],
  ];
  if (credentials.sessionToken) pairs.push([Q_SECURITY_TOKEN, credentials.sessionToken]);
  const query = canonicalQuery(pairs);
  const creq = canonicalRequest(
    req.method, canonicalUri(req.path, service), query, headers.block, headers.signedHeaders,
    options.payloadHash ?? UNSIGNED_PAYLOAD,
  );
  const sts = stringToSign(amzDate, scope, creq);
  const signature = createHmac('sha256', signingKey(credentials, shortDate, region, service)).update(sts, 'utf8').digest('hex');
  return { query: query + '&' + Q_SIGNATURE + '=' + uriEncode(signature), signature, canonicalRequest: creq };
}
