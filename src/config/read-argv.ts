/**
 * A small flag parser driven by the settings table: `--name value`, `--name=value`, and for
 * booleans `--flag` / `--no-flag`. The last occurrence of a flag wins.
 */
import { ConfigError, quote } from './config-error.js';
import type { Setting } from './settings.js';
import { closest, didYouMean } from './suggest.js';

export function readArgv(index: ReadonlyMap<string, Setting>, argv: readonly string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--') || arg === '--') {
      throw new ConfigError(`unexpected argument ${quote(arg)} (settings are given as --name value)`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const s = index.get(name);
    if (s === undefined) {
      const negated = name.startsWith('no-') ? index.get(name.slice(3)) : undefined;
      if (negated?.kind === 'bool' && inline === undefined) {
        out.set(negated.flag, false);
        continue;
      }
      if (negated !== undefined) throw new ConfigError(`--${name}: --${negated.flag} is not a boolean flag`);
      const hint = closest(name, index.keys());
      throw new ConfigError(`--${name}: unknown flag${didYouMean(hint && `--${hint}`)}; see signet serve --help`);
    }
    if (inline !== undefined) {
      out.set(s.flag, inline);
    } else if (s.kind === 'bool') {
      out.set(s.flag, true);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`--${s.flag}: needs a value (${s.metavar})`);
      out.set(s.flag, next);
      i++;
    }
  }
  return out;
}

/** `signet serve --help` is answered before any validation. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
