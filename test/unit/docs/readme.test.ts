import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../src/config/index.js';
import { METRIC_NAMES } from '../../support/metric-names.js';

// README.md is the user's manual: a flag or a metric it does not mention is one nobody finds.
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it('documents every flag of signet serve', () => {
    const missing = SETTINGS.map((s) => `--${s.flag}`).filter((flag) => !readme.includes('`' + flag));
    expect(missing).toEqual([]);
  });

  it('documents every metric signet exports', () => {
    expect(METRIC_NAMES.filter((name) => !readme.includes('`' + name + '`'))).toEqual([]);
  });

  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
