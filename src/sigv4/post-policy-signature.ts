import { createHmac } from 'node:crypto';
import { signingKey } from './signing-key.js';
import type { Credentials } from './types.js';

/**
 * The signature of a browser POST form (S3 "Calculating a Signature" for POST, SigV4): the
 * base64 policy itself is the string to sign, under the usual date/region/service signing key.
 */
export function postPolicySignature(base64Policy: string, credentials: Credentials, shortDate: string, region: string, service: string): string {
  return createHmac('sha256', signingKey(credentials, shortDate, region, service)).update(base64Policy, 'utf8').digest('hex');
}
