import { createHmac } from 'node:crypto';
import { formatAmzDate } from './amz-date.js';
import { ALGORITHM, MAX_PRESIGNED_TTL_SECONDS, Q_SIGNATURE } from './constants.js';
import { SigV4Error } from './errors.js';
import { presignCanonicalRequest } from './presign-canonical-request.js';
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
  const { query, canonicalRequest: creq } = presignCanonicalRequest(req, {
    algorithm: ALGORITHM, credentials, service, scope, amzDate, expiresSeconds, payloadHash: options.payloadHash,
  });
  const sts = stringToSign(amzDate, scope, creq);
  const signature = createHmac('sha256', signingKey(credentials, shortDate, region, service)).update(sts, 'utf8').digest('hex');
  return { query: query + '&' + Q_SIGNATURE + '=' + uriEncode(signature), signature, canonicalRequest: creq };
}
