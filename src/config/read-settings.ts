/**
 * Reads every setting of a table from flags, SIGNET_* env, the config file, standard AWS
 * variables and defaults, in that order of precedence, and validates each value. Generic over the
 * table so `signet demo` can read a subset of SETTINGS with the same rules.
 */
import { coerceValue } from './coerce.js';
import { readArgv } from './read-argv.js';
import { readConfigFile } from './read-config-file.js';
import { readEnv } from './read-env.js';
import { indexSettings } from './settings.js';
import type { Setting } from './settings.js';

export type SettingSource = 'flag' | 'env' | 'file' | 'aws-env' | 'default';

export interface SettingsRead {
  /** Keyed by Setting.key; undefined when unset and without a default. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly sources: Readonly<Record<string, SettingSource | undefined>>;
}

export function readSettings(table: readonly Setting[], argv: readonly string[], env: NodeJS.ProcessEnv): SettingsRead {
  const index = indexSettings(table);
  const flags = readArgv(index, argv);
  const envs = readEnv(table, env);
  const configSetting = index.get('config');
  let file = new Map<string, { raw: unknown; key: string }>();
  let filePath = '';
  if (configSetting !== undefined) {
    const fromFlag = flags.has('config');
    const raw = fromFlag ? flags.get('config') : envs.get('config');
    if (raw !== undefined) {
      filePath = coerceValue(configSetting, raw, fromFlag ? '--config' : `--config (from ${configSetting.env})`) as string;
      file = readConfigFile(index, filePath);
    }
  }

  const values: Record<string, unknown> = {};
  const sources: Record<string, SettingSource | undefined> = {};
  for (const s of table) {
    let raw: unknown;
    let label = `--${s.flag}`;
    let source: SettingSource | undefined;
    if (flags.has(s.flag)) {
      raw = flags.get(s.flag);
      source = 'flag';
    } else if (envs.has(s.flag)) {
      raw = envs.get(s.flag);
      source = 'env';
      label += ` (from ${s.env})`;
    } else if (file.has(s.flag)) {
      const entry = file.get(s.flag);
      raw = entry?.raw;
      source = 'file';
      label += ` (from key ${JSON.stringify(entry?.key)} in ${JSON.stringify(filePath)})`;
    } else {
      const aws = s.fallbackEnv?.find((name) => env[name] !== undefined && env[name] !== '');
      if (aws !== undefined) {
        raw = env[aws];
        source = 'aws-env';
        label += ` (from ${aws})`;
      } else if (s.default !== undefined) {
        raw = s.default;
        source = 'default';
        label += ' (default)';
      }
    }
    values[s.key] = source === undefined ? undefined : coerceValue(s, raw, label);
    sources[s.key] = source;
  }
  return { values, sources };
}
