import { KEY_TYPE_IDENTIFIER } from './constants.js';

/** Credential scope: `<YYYYMMDD>/<region>/<service>/aws4_request`. */
export function credentialScope(shortDate: string, region: string, service: string): string {
  return shortDate + '/' + region + '/' + service + '/' + KEY_TYPE_IDENTIFIER;
}
