/** `signet serve --help`, generated from the settings table so it never drifts from the parser. */
import { SETTINGS } from './settings.js';
import type { Setting } from './settings.js';

export function helpText(table: readonly Setting[] = SETTINGS): string {
  const lines = [
    'Usage: signet serve [flags]',
    '',
    'Each flag is also an environment variable SIGNET_<NAME> and a key of --config FILE (YAML or JSON).',
    'Precedence: flag > environment > config file > default.',
    'Sizes: 1048576, 64KiB, 1MiB, 5GiB, 1MB. Durations: 500ms, 10s, 5m, 1h30m (a plain number is seconds).',
    '',
    'Flags:',
  ];
  for (const s of table) {
    const usage = s.kind === 'bool' ? `--${s.flag}, --no-${s.flag}` : `--${s.flag} ${s.metavar}`;
    const dflt = s.default ?? s.defaultText;
    const range = s.min !== undefined && s.max !== undefined ? `${s.min}..${s.max}` : s.max !== undefined ? `at most ${s.max}` : undefined;
    const facts = [dflt === undefined ? undefined : `default: ${dflt}`, range, `env: ${s.env}`].filter(Boolean).join('; ');
    lines.push(`  ${usage}`, `      ${s.help} (${facts})`);
  }
  return `${lines.join('\n')}\n`;
}
