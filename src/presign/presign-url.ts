import { wirePath } from '../proxy/request-target.js';
import { resolveEndpoint } from '../s3/endpoint.js';
import type { Addressing, Upstream } from '../s3/endpoint.js';
import type { S3Operation } from '../s3/operation.js';
import { HOST } from '../sigv4/constants.js';
import { presign } from '../sigv4/presign.js';
import { presignV4a } from '../sigv4/sigv4a-presign.js';
import type { Credentials } from '../sigv4/types.js';
import { capExpiry } from './cap-expiry.js';
import type { CappedExpiry } from './cap-expiry.js';
import { normaliseHeaders, presignOperation } from './presign-spec.js';
import type { PresignMethod } from './presign-spec.js';

export interface PresignUrlOptions {
  readonly method: PresignMethod;
  readonly bucket: string;
  /** The object key, literal (not percent-encoded), as in `s3://bucket/key`. */
  readonly key: string;
  /** Signed query parameters (uploadId, partNumber, versionId, response-*…), decoded. */
  readonly query?: ReadonlyArray<readonly [string, string]>;
  /** Headers to sign: whoever uses the URL must send them with these values. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly upstream: Upstream;
  readonly addressing: Addressing;
  readonly region: string;
  readonly service: string;
  /** Presign with SigV4A for these regions (X-Amz-Region-Set) instead of SigV4 for `region`. */
  readonly sigv4a?: { readonly regionSet: readonly string[] } | undefined;
  readonly credentials: Credentials;
  readonly now: Date;
  /** What was asked for; the URL may live less (see `shortened`). */
  readonly expiresSeconds: number;
}

export interface PresignedUrl {
  readonly url: string;
  readonly method: PresignMethod;
  readonly operation: S3Operation;
  /** Headers the request must carry (the signed ones besides host). */
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresSeconds: number;
  /** ISO 8601, the instant the URL stops working. */
  readonly expiresAt: string;
  readonly shortened: CappedExpiry['shortened'];
}

/**
 * A presigned URL with the same endpoint and addressing rules as `serve`, so the URL reaches the
 * same place a proxied request would. Extra headers stay headers (signed, not hoisted into the
 * query), so a URL for `content-type: image/png` cannot upload anything else.
 */
export function presignUrl(o: PresignUrlOptions): PresignedUrl {
  const headers = normaliseHeaders(o.headers ?? {});
  const query = o.query ?? [];
  const operation = presignOperation({ method: o.method, bucket: o.bucket, key: o.key, query, headers });
  const { expiresSeconds, shortened } = capExpiry(o.expiresSeconds, o.credentials, o.now);
  const endpoint = resolveEndpoint(o.upstream, o.bucket, o.addressing);
  const path = wirePath(o.bucket, o.key, endpoint.virtualHosted);
  const request = { method: o.method, path, query, headers: { ...headers, [HOST]: endpoint.host } };
  const signed = o.sigv4a === undefined
    ? presign(request, { credentials: o.credentials, region: o.region, service: o.service, date: o.now, expiresSeconds })
    : presignV4a(request, { credentials: o.credentials, regionSet: o.sigv4a.regionSet, service: o.service, date: o.now, expiresSeconds });
  // The URL names the signed Host; off AWS a virtual-hosted bucket needs DNS for bucket.host.
  return {
    url: `${o.upstream.protocol}//${endpoint.host}${path}?${signed.query}`,
    method: o.method,
    operation,
    headers,
    expiresSeconds,
    expiresAt: new Date(o.now.getTime() + expiresSeconds * 1000).toISOString(),
    shortened,
  };
}
