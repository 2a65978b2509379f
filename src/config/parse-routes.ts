/**
 * The `routes:` list of a --config file (README "Routes"). Pure apart from `loadRoutes` reading
 * the file and the `file` checks of token files: it can be called again on reload and either
 * returns a whole new list or throws one ConfigError line naming the file, the route and the key.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { coerceValue } from './coerce.js';
import type { AddressingMode, PayloadMode, SigningAlgorithm } from './config.js';
import { ConfigError, quote } from './config-error.js';
import type { RouteConfig, RouteCredentials, RouteMatchConfig } from './route-config.js';
import { parseRegionSet } from './region-set.js';
import { indexSettings, SETTINGS } from './settings.js';
import { closest, didYouMean } from './suggest.js';
import { defaultUpstreamUrl, parseUpstream, resolveCapabilities } from './upstream.js';
import type { Capability, UpstreamTarget } from './upstream.js';

/** What a route does not say is taken from the top-level settings. */
export type RouteDefaults = Omit<RouteConfig, 'name' | 'match' | 'credentials'>;

const ROUTE_KEYS = ['name', 'match', 'upstream', 'region', 'service', 'addressing', 'payload', 'upstream-capabilities', 'signing-algorithm', 'region-set', 'credentials'];
const MATCH_KEYS = ['buckets', 'hosts', 'path-prefix'];
const CREDENTIAL_KEYS = ['profile', 'role-arn', 'external-id', 'session-name', 'duration', 'web-identity'];
const WEB_IDENTITY_KEYS = ['role-arn', 'token-file'];
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
// Host globs: lower-case host characters plus the glob's own * and ?.
const HOST_GLOB = /^[a-z0-9*?]([a-z0-9.*?-]*[a-z0-9*?])?$/;
const PATH_PREFIX = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/;
const MAX_ROUTES = 1000;
const MAX_PATTERNS = 1000;
/** Which upstream capability each fixed payload mode needs (as load-config.ts checks for the top level). */
const PAYLOAD_NEEDS: Readonly<Record<string, Capability | undefined>> = {
  streaming: 'aws-chunked',
  'unsigned-trailer': 'unsigned-trailer',
  unsigned: 'unsigned-payload',
};
const SETTING = indexSettings(SETTINGS);

type Fields = ReadonlyMap<string, { key: string; raw: unknown }>;

/** `team-a` → kebab-case `team-a`; `pathPrefix` → `path-prefix`: both spellings are accepted, as for top-level keys. */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A mapping's fields by kebab-case name; unknown or doubled keys are errors naming `where`. */
function fields(value: unknown, allowed: readonly string[], where: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${where}: expected a mapping`);
  const out = new Map<string, { key: string; raw: unknown }>();
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const name = kebab(key);
    if (!allowed.includes(name)) throw new ConfigError(`${where}: unknown key ${quote(key)}${didYouMean(closest(name, allowed))}`);
    if (out.has(name)) throw new ConfigError(`${where}: keys ${quote(out.get(name)?.key)} and ${quote(key)} are the same setting`);
    if (raw !== null && raw !== undefined) out.set(name, { key, raw });
  }
  return out;
}

/** A top-level setting's rules (region, url, enum…) applied to a route's key, with the route in the message. */
function setting(f: Fields, name: string, flag: string, where: string): unknown {
  const entry = f.get(name);
  const s = SETTING.get(flag);
  if (entry === undefined || s === undefined) return undefined;
  return coerceValue(s, entry.raw, `${where}.${entry.key}`);
}

function patterns(f: Fields, name: string, where: string, check: (p: string) => boolean, what: string): readonly string[] {
  const entry = f.get(name);
  if (entry === undefined) return [];
  const list = typeof entry.raw === 'string' ? [entry.raw] : entry.raw;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_PATTERNS) throw new ConfigError(`${where}.${entry.key}: expected a list of 1 to ${MAX_PATTERNS} ${what}`);
  return Object.freeze(list.map((p: unknown) => {
    if (typeof p !== 'string' || !check(p)) throw new ConfigError(`${where}.${entry.key}: ${quote(p)} is not ${what.replace(/s$/, '')}`);
    return p;
  }));
}

function parseMatch(value: unknown, where: string): RouteMatchConfig {
  if (value === undefined || value === null) return { buckets: [], hosts: [], pathPrefix: '' };
  const f = fields(value, MATCH_KEYS, where);
  const buckets = patterns(f, 'buckets', where, (p) => p !== '' && p.length <= 255 && !p.includes('/'), 'bucket globs');
  const hosts = patterns(f, 'hosts', where, (p) => p.length <= 253 && HOST_GLOB.test(p), 'host names (lower case, globs allowed, no port)');
  const prefix = f.get('path-prefix');
  let pathPrefix = '';
  if (prefix !== undefined) {
    const p = typeof prefix.raw === 'string' ? prefix.raw.replace(/\/+$/, '') : '';
    if (!PATH_PREFIX.test(p) || p.split('/').some((s) => s === '.' || s === '..')) {
      throw new ConfigError(`${where}.${prefix.key}: ${quote(prefix.raw)} is not a path prefix (/segment[/segment…], no query, no . or ..)`);
    }
    pathPrefix = p;
  }
  return Object.freeze({ buckets, hosts, pathPrefix });
}

function parseCredentials(value: unknown, where: string): RouteCredentials {
  const f = fields(value, CREDENTIAL_KEYS, where);
  if (f.size === 0) throw new ConfigError(`${where}: give profile, roleArn or webIdentity (or leave credentials out for the default chain)`);
  const web = f.get('web-identity');
  if (web !== undefined) {
    if (f.size > 1) throw new ConfigError(`${where}: webIdentity stands alone (its role is assumed with the token, not on top of another identity)`);
    const w = fields(web.raw, WEB_IDENTITY_KEYS, `${where}.${web.key}`);
    const roleArn = setting(w, 'role-arn', 'role-arn', `${where}.${web.key}`) as string | undefined;
    const tokenFile = setting(w, 'token-file', 'tls-cert', `${where}.${web.key}`) as string | undefined;
    if (roleArn === undefined || tokenFile === undefined) throw new ConfigError(`${where}.${web.key}: needs both roleArn and tokenFile`);
    return Object.freeze({ webIdentity: Object.freeze({ roleArn, tokenFile }) });
  }
  const out: RouteCredentials = {
    profile: setting(f, 'profile', 'profile', where) as string | undefined,
    roleArn: setting(f, 'role-arn', 'role-arn', where) as string | undefined,
    externalId: setting(f, 'external-id', 'external-id', where) as string | undefined,
    roleSessionName: setting(f, 'session-name', 'role-session-name', where) as string | undefined,
    roleDuration: setting(f, 'duration', 'role-duration', where) as number | undefined,
  };
  if (out.roleArn === undefined && (out.externalId !== undefined || out.roleSessionName !== undefined || out.roleDuration !== undefined)) {
    throw new ConfigError(`${where}: externalId, sessionName and duration are only used with roleArn, which is not set`);
  }
  return Object.freeze(out);
}

function parseRoute(value: unknown, where: string, d: RouteDefaults): RouteConfig {
  // The name first, so that every later message names the route as well as its position.
  const name = (value as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw new ConfigError(`${where}: name is required: 1-64 of A-Z a-z 0-9 _ . -`);
  const at = `${where} (${name})`;
  const f = fields(value, ROUTE_KEYS, at);
  const match = parseMatch(f.get('match')?.raw, `${at}.match`);
  const ownRegion = setting(f, 'region', 'region', at) as string | undefined;
  const region = ownRegion ?? d.region;
  const service = (setting(f, 'service', 'service', at) as string | undefined) ?? d.service;
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(service)) throw new ConfigError(`${at}.service: ${quote(service)} is not a SigV4 service name (s3, es, aoss, execute-api, lambda, bedrock…)`);
  const generic = service !== 's3';
  const ownUpstream = setting(f, 'upstream', 'upstream', at) as UpstreamTarget | undefined;
  if (ownUpstream === undefined && generic) throw new ConfigError(`${at}: upstream is required for service ${quote(service)} (its endpoint cannot be guessed)`);
  // A route in a region of its own, without an upstream, goes to that region's S3 endpoint.
  const upstream = ownUpstream ?? (ownRegion === undefined ? d.upstream : regionalS3(ownRegion, at));
  const givenCaps = setting(f, 'upstream-capabilities', 'upstream-capabilities', at) as readonly Capability[] | undefined;
  // aws-chunked bodies and their trailers are S3's alone: a generic route hashes (or, if declared, sends UNSIGNED-PAYLOAD).
  if (generic && givenCaps?.some((c) => c !== 'unsigned-payload') === true) {
    throw new ConfigError(`${at}.upstreamCapabilities: aws-chunked and unsigned-trailer are S3 forms; service ${quote(service)} takes at most unsigned-payload`);
  }
  const capabilities = givenCaps !== undefined || ownUpstream !== undefined || generic
    ? resolveCapabilities(givenCaps ?? (generic ? [] : undefined), upstream)
    : d.upstreamCapabilities;
  const payload = (setting(f, 'payload', 'payload', at) as PayloadMode | undefined) ?? d.payload;
  const needed = PAYLOAD_NEEDS[payload];
  if (needed !== undefined && !capabilities.has(needed)) {
    throw new ConfigError(`${at}.payload: ${quote(payload)} needs upstream capability ${needed}, which ${upstream.origin} is not known to have (add it to the route's upstreamCapabilities)`);
  }
  const credentials = f.has('credentials') ? parseCredentials(f.get('credentials')?.raw, `${at}.credentials`) : null;
  const ownAlgorithm = setting(f, 'signing-algorithm', 'signing-algorithm', at) as SigningAlgorithm | undefined;
  const signingAlgorithm = ownAlgorithm ?? d.signingAlgorithm;
  const setEntry = f.get('region-set');
  if (setEntry !== undefined && typeof setEntry.raw !== 'string') throw new ConfigError(`${at}.${setEntry.key}: expected text (us-east-1,eu-west-1 or *)`);
  // A route with a region or an algorithm of its own signs, by default, for its own region.
  const regionSet = setEntry !== undefined || ownRegion !== undefined || ownAlgorithm !== undefined
    ? parseRegionSet(setEntry?.raw as string | undefined, signingAlgorithm, region, `${at}.${setEntry?.key ?? 'regionSet'}`, `${at}.signingAlgorithm`)
    : d.regionSet;
  return Object.freeze({
    name, match, upstream, region, service, signingAlgorithm, regionSet,
    addressing: (setting(f, 'addressing', 'addressing', at) as AddressingMode | undefined) ?? d.addressing,
    payload, upstreamCapabilities: capabilities, credentials,
  });
}

function regionalS3(region: string, where: string): UpstreamTarget {
  const target = parseUpstream(defaultUpstreamUrl(region));
  if (typeof target === 'string') throw new ConfigError(`${where}.region: ${quote(region)} does not make a valid endpoint`);
  return target;
}

function matchesEverything(m: RouteMatchConfig): boolean {
  return m.buckets.length === 0 && m.hosts.length === 0 && m.pathPrefix === '';
}

/**
 * The routes of a config document already parsed (`doc.routes`), or null when it has none.
 * `file` only names the file in messages.
 */
export function routesOf(doc: unknown, file: string, defaults: RouteDefaults): readonly RouteConfig[] | null {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  const list = (doc as Record<string, unknown>)['routes'];
  if (list === undefined || list === null) return null;
  const where = `--config ${quote(file)} routes`;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ROUTES) throw new ConfigError(`${where}: expected a list of 1 to ${MAX_ROUTES} routes`);
  const routes: RouteConfig[] = [];
  const names = new Set<string>();
  let catchAll = '';
  list.forEach((raw: unknown, i) => {
    const route = parseRoute(raw, `${where}[${i}]`, defaults);
    if (names.has(route.name)) throw new ConfigError(`${where}[${i}]: name ${quote(route.name)} is used by an earlier route`);
    // Routes are tried in file order: one after a match-everything route would never be reached.
    if (catchAll !== '') throw new ConfigError(`${where}[${i}] (${route.name}): never reached, route ${quote(catchAll)} before it matches every request (move it last)`);
    if (matchesEverything(route.match)) catchAll = route.name;
    names.add(route.name);
    routes.push(route);
  });
  return Object.freeze(routes);
}

/** Parses a whole --config text for its routes (null: no `routes:` key). */
export function parseRoutes(text: string, file: string, defaults: RouteDefaults): readonly RouteConfig[] | null {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const pos = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new ConfigError(`--config: ${quote(file)} is not valid YAML or JSON${pos === undefined ? '' : ` (line ${pos})`}`);
  }
  return routesOf(doc, file, defaults);
}

/** Reads the file again (reload) and parses its routes; throws one ConfigError line. */
export function loadRoutes(file: string, defaults: RouteDefaults): readonly RouteConfig[] | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--config: cannot read ${quote(file)}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseRoutes(text, file, defaults);
}
