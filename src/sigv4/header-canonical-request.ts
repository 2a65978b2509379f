import { canonicalHeaders } from './canonical-headers.js';
import { canonicalQuery } from './canonical-query.js';
import { canonicalRequest } from './canonical-request.js';
import { canonicalUri } from './canonical-uri.js';
import { AMZ_CONTENT_SHA256, AMZ_DATE, AMZ_REGION_SET, AMZ_SECURITY_TOKEN } from './constants.js';
import type { SignableRequest } from './types.js';

export interface HeaderCanonicalRequest {
  readonly canonicalRequest: string;
  readonly signedHeaders: string;
}

/**
 * Phase 1 of header auth, SigV4 and SigV4A alike: x-amz-date, x-amz-content-sha256, the session
 * token and (SigV4A) x-amz-region-set join the headers *before* canonicalising, so they are signed.
 * `query` is the canonical query when the caller already built it for the wire.
 */
export function headerCanonicalRequest(
  req: SignableRequest,
  service: string,
  amzDate: string,
  payloadHash: string,
  sessionToken: string | undefined,
  query: string | undefined,
  regionSet?: string,
): HeaderCanonicalRequest {
  const extra: Array<readonly [string, string]> = [
    [AMZ_DATE, amzDate],
    [AMZ_CONTENT_SHA256, payloadHash],
  ];
  if (regionSet !== undefined) extra.push([AMZ_REGION_SET, regionSet]);
  if (sessionToken !== undefined && sessionToken !== '') extra.push([AMZ_SECURITY_TOKEN, sessionToken]);
  const headers = canonicalHeaders(req.headers, extra);
  const creq = canonicalRequest(
    req.method, canonicalUri(req.path, service), query ?? canonicalQuery(req.query), headers.block, headers.signedHeaders, payloadHash,
  );
  return { canonicalRequest: creq, signedHeaders: headers.signedHeaders };
}
