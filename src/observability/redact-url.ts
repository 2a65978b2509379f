/**
 * Masks the credential-bearing query parameters of a request target (presigned SigV4 and SigV2
 * URLs) before it is logged. X-Amz-Credential carries the access key id.
 */
import { CENSOR_TEXT } from './censor.js';
import { Q_CREDENTIAL, Q_SECURITY_TOKEN, Q_SIGNATURE, Q_V2_ACCESS_KEY_ID, Q_V2_SIGNATURE } from '../sigv4/constants.js';

const SECRET_PARAMS = [Q_SIGNATURE, Q_SECURITY_TOKEN, Q_CREDENTIAL, Q_V2_SIGNATURE, Q_V2_ACCESS_KEY_ID];
// Built once; clients vary the case of parameter names, S3 does not care, so neither do we.
const SECRET_PARAM_RE = new RegExp(`([?&](?:${SECRET_PARAMS.join('|')})=)[^&#]*`, 'gi');

export function redactUrl(url: string): string {
  if (!url.includes('?')) return url;
  return url.replace(SECRET_PARAM_RE, `$1${CENSOR_TEXT}`);
}
