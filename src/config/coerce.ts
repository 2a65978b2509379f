/**
 * Turns one raw value (text from argv or env; text, number, boolean or list from a config file)
 * into the typed value of its setting, or throws a one-line ConfigError.
 */
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { ConfigError, quote } from './config-error.js';
import { parseListenAddress } from './listen-address.js';
import type { Setting } from './settings.js';
import { parseDuration, parseSize } from './units.js';
import { CAPABILITIES, parseUpstream } from './upstream.js';
import type { Capability } from './upstream.js';

const REGION_RE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
// STS RoleSessionName: 2..64 of [\w+=,.@-].
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;
const INT_RE = /^\d+$/;
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** `label` is how the message names the setting: `--payload` or `--payload (from SIGNET_PAYLOAD)`. */
export function coerceValue(s: Setting, raw: unknown, label: string): unknown {
  const fail = (problem: string): never => {
    throw new ConfigError(`${label}: ${quote(raw)} ${problem}`);
  };
  if (s.kind === 'bool') return coerceBool(raw, fail);
  if (s.kind === 'capabilities' && Array.isArray(raw)) return coerceCapabilities(raw.map(String), fail);
  if (typeof raw === 'number' && (s.kind === 'size' || s.kind === 'int' || s.kind === 'int-or-auto' || s.kind === 'duration')) {
    // In a config file a bare number is bytes, a count, or seconds.
    return bounded(s, s.kind === 'duration' ? Math.round(raw * 1000) : raw, fail);
  }
  if (typeof raw !== 'string') return fail('must be text');
  if (raw.trim() === '') return fail('is empty');
  switch (s.kind) {
    case 'address':
      return parseListenAddress(raw) ?? fail('is not host:port (e.g. 127.0.0.1:8080, :8080, [::1]:8080)');
    case 'address-or-off':
      return raw === 'off' ? null : (parseListenAddress(raw) ?? fail('is not host:port or off'));
    case 'string':
      return raw;
    case 'region':
      return REGION_RE.test(raw) ? raw : fail('is not a region (lower-case letters, digits and -, e.g. us-east-1)');
    case 'url': {
      const target = parseUpstream(raw);
      return typeof target === 'string' ? fail(target) : target;
    }
    case 'enum':
      return s.choices?.includes(raw) ? raw : fail(`is not one of ${(s.choices ?? []).join('|')}`);
    case 'capabilities':
      return coerceCapabilities(raw.split(','), fail);
    case 'size':
      return bounded(s, parseSize(raw) ?? fail('is not a size (e.g. 1048576, 64KiB, 1MiB, 5GiB, 1MB)'), fail);
    case 'duration':
      return bounded(s, parseDuration(raw) ?? fail('is not a duration (e.g. 500ms, 10s, 5m, 1h30m; a number is seconds)'), fail);
    case 'int':
      return bounded(s, INT_RE.test(raw) ? Number(raw) : fail('is not a whole number'), fail);
    case 'int-or-auto':
      return raw === 'auto' ? raw : bounded(s, INT_RE.test(raw) ? Number(raw) : fail('is not a whole number nor auto'), fail);
    case 'path':
      return raw;
    case 'directory':
      return isDirectory(raw) ? raw : fail('is not an existing directory');
    case 'file':
      return readable(raw) ? raw : fail('is not a readable file');
    case 'role-arn':
      return ROLE_ARN_RE.test(raw) ? raw : fail('is not an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)');
    case 'session-name':
      return SESSION_NAME_RE.test(raw) ? raw : fail('is not a session name (2-64 of letters, digits and +=,.@_-)');
  }
}

function coerceBool(raw: unknown, fail: (p: string) => never): boolean {
  if (typeof raw === 'boolean') return raw;
  const t = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  return fail('is not a boolean (true|false)');
}

function coerceCapabilities(items: string[], fail: (p: string) => never): readonly Capability[] {
  const names = items.map((i) => i.trim()).filter((i) => i !== '');
  if (names.length === 1 && names[0] === 'all') return CAPABILITIES;
  if (names.length === 1 && names[0] === 'none') return [];
  for (const n of names) {
    if (!(CAPABILITIES as readonly string[]).includes(n)) fail(`is not all, none or a list of ${CAPABILITIES.join(',')}`);
  }
  return [...new Set(names as Capability[])];
}

/** Bounds are written like values of the setting, so they are parsed with the same rules. */
function bounded(s: Setting, value: number, fail: (p: string) => never): number {
  const min = s.min === undefined ? undefined : boundValue(s, s.min);
  const max = s.max === undefined ? undefined : boundValue(s, s.max);
  if (!Number.isSafeInteger(value) || value < 0) fail('must be a non-negative whole number');
  if (min !== undefined && max !== undefined && (value < min || value > max)) fail(`is outside ${s.min}..${s.max}`);
  if (min !== undefined && value < min) fail(`is below the minimum ${s.min}`);
  if (max !== undefined && value > max) fail(`is above the maximum ${s.max}`);
  return value;
}

function boundValue(s: Setting, text: string): number {
  const v = s.kind === 'size' ? parseSize(text) : s.kind === 'duration' ? parseDuration(text) : Number(text);
  if (v === undefined || Number.isNaN(v)) throw new Error(`settings table: bad bound ${text} for --${s.flag}`);
  return v;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readable(path: string): boolean {
  try {
    accessSync(path, fsConstants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
