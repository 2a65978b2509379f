import { canonicalHeaders } from './canonical-headers.js';
import { canonicalQuery } from './canonical-query.js';
import { canonicalRequest } from './canonical-request.js';
import { canonicalUri } from './canonical-uri.js';
import {
  Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_REGION_SET, Q_SECURITY_TOKEN, Q_SIGNED_HEADERS, UNSIGNED_PAYLOAD,
} from './constants.js';
import type { Credentials, SignableRequest } from './types.js';

export interface PresignScope {
  readonly algorithm: string;
  readonly credentials: Credentials;
  readonly service: string;
  readonly scope: string;
  readonly amzDate: string;
  readonly expiresSeconds: number;
  /** SigV4A only: the X-Amz-Region-Set value, signed with the rest. */
  readonly regionSet?: string;
  readonly payloadHash?: string;
}

/**
 * Phase 1 of query-string auth, the same for SigV4 and SigV4A: the X-Amz-* parameters (and the
 * session token) join the query *before* canonicalisation, so they are signed; only
 * X-Amz-Signature is appended afterwards, by the caller.
 */
export function presignCanonicalRequest(req: SignableRequest, p: PresignScope): { readonly query: string; readonly canonicalRequest: string } {
  const headers = canonicalHeaders(req.headers, []);
  const pairs: Array<readonly [string, string]> = [
    ...req.query,
    [Q_ALGORITHM, p.algorithm],
    [Q_CREDENTIAL, p.credentials.accessKeyId + '/' + p.scope],
    [Q_DATE, p.amzDate],
    [Q_EXPIRES, String(p.expiresSeconds)],
    [Q_SIGNED_HEADERS, headers.signedHeaders],
  ];
  if (p.regionSet !== undefined) pairs.push([Q_REGION_SET, p.regionSet]);
  if (p.credentials.sessionToken) pairs.push([Q_SECURITY_TOKEN, p.credentials.sessionToken]);
  const query = canonicalQuery(pairs);
  const creq = canonicalRequest(
    req.method, canonicalUri(req.path, p.service), query, headers.block, headers.signedHeaders,
    p.payloadHash ?? UNSIGNED_PAYLOAD,
  );
  return { query, canonicalRequest: creq };
}
