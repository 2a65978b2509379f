/**
 * `--config FILE`: a YAML or JSON mapping whose keys are flag names in kebab-case or camelCase.
 * YAML 1.2 is a superset of JSON, so one parser reads both. A null value (`region:`) means unset.
 * The `routes:` list is read by parse-routes.ts.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, quote } from './config-error.js';
import type { Setting } from './settings.js';
import { closest, didYouMean } from './suggest.js';

export function readConfigFile(index: ReadonlyMap<string, Setting>, path: string): Map<string, { raw: unknown; key: string }> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    // First line only: parser messages quote the offending line, which we do not echo.
    const first = err instanceof Error ? (err.message.split('\n')[0] ?? '') : 'unreadable';
    throw new ConfigError(`--config: ${quote(path)} is not valid YAML or JSON: ${first}`);
  }
  if (doc === null || doc === undefined) return new Map();
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`--config: ${quote(path)} must hold a mapping of setting names to values`);
  }
  const out = new Map<string, { raw: unknown; key: string }>();
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    // The gateway's route list is not a flag: parse-routes.ts reads it.
    if (key === 'routes') continue;
    const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const s = index.get(flag);
    if (s === undefined) {
      throw new ConfigError(`--config: unknown key ${quote(key)} in ${quote(path)}${didYouMean(closest(flag, index.keys()))}`);
    }
    if (s.flag === 'config') throw new ConfigError(`--config: key "config" cannot be set inside ${quote(path)}`);
    const earlier = out.get(s.flag);
    if (earlier !== undefined) {
      throw new ConfigError(`--config: keys ${quote(earlier.key)} and ${quote(key)} in ${quote(path)} both set --${s.flag}`);
    }
    if (raw !== null) out.set(s.flag, { raw, key });
  }
  return out;
}
