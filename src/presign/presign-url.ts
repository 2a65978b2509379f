import { SignetError } from '../errors.js';
import { wirePath } from '../proxy/request-target.js';
import { resolveEndpoint } from '../s3/endpoint.js';
import type { Addressing, Upstream } from '../s3/endpoint.js';
import { MAX_PRESIGNED_TTL_SECONDS, HOST } from '../sigv4/constants.js';
import { presign } from '../sigv4/presign.js';
import type { Credentials } from '../sigv4/types.js';

export type PresignMethod = 'GET' | 'PUT';

export interface PresignUrlOptions {
  readonly method: PresignMethod;
  readonly bucket: string;
  /** The object key, literal (not percent-encoded), as in `s3://bucket/key`. */
  readonly key: string;
  readonly upstream: Upstream;
  readonly addressing: Addressing;
  readonly region: string;
  readonly service: string;
  readonly credentials: Credentials;
  readonly now: Date;
  /** What was asked for; the URL may live less (see `shortened`). */
  readonly expiresSeconds: number;
}

export interface PresignedUrl {
  readonly url: string;
  readonly expiresSeconds: number;
  /** Why the expiry is shorter than asked: the credentials expire sooner, or S3's seven-day cap. */
  readonly shortened: 'credentials' | 'seven-days' | null;
}

/**
 * A presigned URL with the same endpoint and addressing rules as `serve`, so the URL reaches the
 * same place a proxied request would. A URL cannot outlive the credentials that signed it (S3
 * refuses it once a session token has expired), so the expiry is cut to what they have left.
 */
export function presignUrl(o: PresignUrlOptions): PresignedUrl {
  if (!Number.isInteger(o.expiresSeconds) || o.expiresSeconds < 1) {
    throw new SignetError('InvalidArgument', `expiry must be a whole number of seconds >= 1, got ${o.expiresSeconds}`);
  }
  let expiresSeconds = o.expiresSeconds;
  let shortened: PresignedUrl['shortened'] = null;
  if (expiresSeconds > MAX_PRESIGNED_TTL_SECONDS) {
    expiresSeconds = MAX_PRESIGNED_TTL_SECONDS;
    shortened = 'seven-days';
  }
  const expiration = o.credentials.expiration;
  if (expiration !== undefined) {
    const left = Math.floor((expiration.getTime() - o.now.getTime()) / 1000);
    if (left < 1) throw new SignetError('AccessDenied', 'the credentials have already expired');
    if (left < expiresSeconds) {
      expiresSeconds = left;
      shortened = 'credentials';
    }
  }
  const endpoint = resolveEndpoint(o.upstream, o.bucket, o.addressing);
  const path = wirePath(o.bucket, o.key, endpoint.virtualHosted);
  const signed = presign(
    { method: o.method, path, query: [], headers: { [HOST]: endpoint.host } },
    { credentials: o.credentials, region: o.region, service: o.service, date: o.now, expiresSeconds },
  );
  // The URL names the signed Host; off AWS a virtual-hosted bucket needs DNS for bucket.host.
  return { url: `${o.upstream.protocol}//${endpoint.host}${path}?${signed.query}`, expiresSeconds, shortened };
}
