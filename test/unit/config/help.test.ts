import { describe, expect, it } from 'vitest';
import { SETTINGS, helpText } from '../../../src/config/index.js';

describe('helpText', () => {
  const text = helpText();

  it.each(SETTINGS.map((s) => [s.flag, s]))('lists --%s with its environment variable', (flag, s) => {
    expect(text).toContain(`--${flag}`);
    expect(text).toContain(`env: ${s.env}`);
  });

  it('shows each default, computed or literal', () => {
    for (const s of SETTINGS) {
      const shown = s.default ?? s.defaultText;
      if (shown !== undefined) expect(text).toContain(`default: ${shown}`);
    }
    expect(text).toContain('default: 127.0.0.1:8080');
    expect(text).toContain('default: https://s3.<region>.amazonaws.com');
  });

  it('shows the choices of enumerated settings and the bounds of ranged ones', () => {
    expect(text).toContain('--payload auto|signed|streaming|unsigned|unsigned-trailer');
    expect(text).toContain('15m..12h');
    expect(text).toContain('--upstream-insecure, --no-upstream-insecure');
  });
});

describe('SETTINGS', () => {
  it('names each variable SIGNET_ plus the flag in upper snake case', () => {
    for (const s of SETTINGS) expect(s.env).toBe(`SIGNET_${s.flag.toUpperCase().replaceAll('-', '_')}`);
  });

  it('has each flag once', () => {
    expect(new Set(SETTINGS.map((s) => s.flag)).size).toBe(SETTINGS.length);
  });
});
