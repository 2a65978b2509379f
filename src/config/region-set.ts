import { ConfigError, quote } from './config-error.js';

// A region name, a prefix of one ending in `*` (us-*), or `*` alone.
const REGION_SET_ENTRY = /^(\*|[a-z0-9][a-z0-9-]*\*?)$/;

/** --region-set, checked; [region] when unset; refused without --signing-algorithm sigv4a. */
export function parseRegionSet(text: string | undefined, algorithm: string, region: string, label = '--region-set', algorithmLabel = '--signing-algorithm'): readonly string[] {
  if (algorithm !== 'sigv4a') {
    if (text !== undefined) throw new ConfigError(`${label}: ${quote(text)} is only used with ${algorithmLabel} sigv4a`);
    return Object.freeze([]);
  }
  if (text === undefined) return Object.freeze([region]);
  const regions = text.split(',').map((r) => r.trim());
  for (const entry of regions) {
    if (!REGION_SET_ENTRY.test(entry)) {
      throw new ConfigError(`${label}: ${quote(entry)} is not a region name, a prefix ending in * or * (e.g. us-east-1,eu-west-1 or *)`);
    }
  }
  return Object.freeze(regions);
}
