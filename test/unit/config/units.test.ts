import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../../src/config/units.js';

describe('parseSize', () => {
  it.each([
    ['1048576', 1_048_576],
    ['64KiB', 65_536],
    ['1MiB', 1_048_576],
    ['5GiB', 5 * 2 ** 30],
    ['1MB', 1_000_000],
    ['1mb', 1_000_000],
    ['8 KiB', 8192],
    ['1.5KiB', 1536],
    ['0', 0],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'fast', '1XB', '-1', '1e3', 'KiB', '99999999999TiB'])('rejects %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s500ms', 90_500],
    ['30', 30_000],
    ['0.5', 500],
    ['1.5s', 1500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '5 minutes', '10d', '-1s', 'h1', '1h 30m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
