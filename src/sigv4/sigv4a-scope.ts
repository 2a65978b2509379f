import { KEY_TYPE_IDENTIFIER } from './constants.js';

/** SigV4A credential scope: `<YYYYMMDD>/<service>/aws4_request`; the regions travel in x-amz-region-set. */
export function credentialScopeV4a(shortDate: string, service: string): string {
  return shortDate + '/' + service + '/' + KEY_TYPE_IDENTIFIER;
}

/**
 * The region set as signed: names joined with `,`. An empty set or a blank name cannot be signed
 * for (S3 would refuse it as malformed), so it is the caller's error.
 */
export function regionSetValue(regions: readonly string[]): string | undefined {
  if (regions.length === 0) return undefined;
  for (const region of regions) if (region === '' || region.includes(',') || region.trim() !== region) return undefined;
  return regions.join(',');
}
