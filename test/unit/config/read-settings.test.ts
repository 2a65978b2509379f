import { describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, readSettings, wantsHelp } from '../../../src/config/index.js';

const DEMO = SETTINGS.filter((s) => ['listen', 'admin-listen', 'log-level'].includes(s.flag));

describe('readSettings over a subset of the table (as signet demo uses it)', () => {
  it('reads only that subset, with the same syntax and defaults', () => {
    const { values, sources } = readSettings(DEMO, ['--listen=:0'], { SIGNET_LOG_LEVEL: 'debug' });
    expect(values).toEqual({ listen: { host: '0.0.0.0', port: 0 }, adminListen: { host: '127.0.0.1', port: 9090 }, logLevel: 'debug' });
    expect(sources).toEqual({ listen: 'flag', adminListen: 'default', logLevel: 'env' });
  });

  it('rejects flags outside the subset', () => {
    expect(() => readSettings(DEMO, ['--region', 'eu-west-1'], {})).toThrow(ConfigError);
  });
});

describe('wantsHelp', () => {
  it('spots --help and -h anywhere', () => {
    expect(wantsHelp(['--region', 'x', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--region', 'x'])).toBe(false);
  });
});
