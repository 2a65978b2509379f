import { SignetError } from '../errors.js';
import { MAX_PRESIGNED_TTL_SECONDS } from '../sigv4/constants.js';
import type { Credentials } from '../sigv4/types.js';

export interface CappedExpiry {
  readonly expiresSeconds: number;
  /** Why the expiry is shorter than asked: the credentials expire sooner, or S3's seven-day cap. */
  readonly shortened: 'credentials' | 'seven-days' | null;
}

/**
 * What a presigned URL or a POST policy may live: what was asked, cut to S3's seven days and to
 * what the credentials have left (S3 refuses a signature once its session token has expired).
 */
export function capExpiry(asked: number, credentials: Credentials, now: Date): CappedExpiry {
  if (!Number.isInteger(asked) || asked < 1) {
    throw new SignetError('InvalidArgument', `expiry must be a whole number of seconds >= 1, got ${asked}`);
  }
  let expiresSeconds = asked;
  let shortened: CappedExpiry['shortened'] = null;
  if (expiresSeconds > MAX_PRESIGNED_TTL_SECONDS) {
    expiresSeconds = MAX_PRESIGNED_TTL_SECONDS;
    shortened = 'seven-days';
  }
  const expiration = credentials.expiration;
  if (expiration !== undefined) {
    const left = Math.floor((expiration.getTime() - now.getTime()) / 1000);
    if (left < 1) throw new SignetError('AccessDenied', 'the credentials have already expired');
    if (left < expiresSeconds) {
      expiresSeconds = left;
      shortened = 'credentials';
    }
  }
  return { expiresSeconds, shortened };
}
