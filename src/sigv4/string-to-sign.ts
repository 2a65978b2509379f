import { createHash } from 'node:crypto';
import { ALGORITHM } from './constants.js';

/** StringToSign = Algorithm \n RequestDateTime \n CredentialScope \n HexEncode(Hash(CanonicalRequest)). */
export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  const hash = createHash('sha256').update(canonicalRequest, 'utf8').digest('hex');
  return ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + hash;
}
