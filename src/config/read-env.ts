/**
 * SIGNET_* variables. An empty value counts as unset, since orchestrators often template
 * `SIGNET_ROLE_ARN: ""` to mean "not used". Any other SIGNET_* name is an error: a typo must not
 * silently leave a default in place.
 */
import { ConfigError } from './config-error.js';
import type { Setting } from './settings.js';
import { closest, didYouMean } from './suggest.js';

const PREFIX = 'SIGNET_';

export function readEnv(table: readonly Setting[], env: NodeJS.ProcessEnv): Map<string, string> {
  const byEnv = new Map(table.map((s) => [s.env, s]));
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith(PREFIX)) continue;
    const s = byEnv.get(name);
    if (s === undefined) {
      // The value is not shown: a mistyped variable may well hold a secret.
      throw new ConfigError(`${name}: unknown environment variable${didYouMean(closest(name, byEnv.keys()))}; see signet serve --help`);
    }
    if (value !== '') out.set(s.flag, value);
  }
  return out;
}
