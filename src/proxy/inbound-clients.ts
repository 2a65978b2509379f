import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Cidr } from './cidr.js';
import { actionPatterns, Glob } from './client-policy.js';
import type { ClientPolicy } from './client-policy.js';
import type { ClientLimits } from './client-limiter.js';

/**
 * One gateway client: its key, a name for logs and metrics (never the secret), its policy (null:
 * anything), the source ranges it may connect from (null: anywhere) and its limits (null: none).
 */
export interface InboundClient {
  readonly accessKeyId: string;
  readonly secret: string;
  readonly name: string;
  readonly policy: ClientPolicy | null;
  readonly sourceCidrs: readonly Cidr[] | null;
  readonly limits: ClientLimits | null;
  /** The file the secret was read from (secretFile), watched for reloads; null otherwise. */
  readonly secretFile: string | null;
}

/** Access key id → client. */
export type InboundClients = ReadonlyMap<string, InboundClient>;

/**
 * The --inbound-keys file: either the flat form (`ACCESS_KEY_ID SECRET` per line, `#` comments) or
 * YAML/JSON with a `clients:` list, each with `accessKeyId`, one of `secret` / `secretEnv` /
 * `secretFile` (so secrets need not sit in the file), and optionally `name`, `buckets`, `keys`,
 * `actions`, `routes`, `sourceCidrs`, `maxConcurrent`, `requestsPerSecond`, `burst`. Errors name the file and
 * the entry, never a secret.
 */
export function parseInboundClients(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Map<string, InboundClient> {
  const structured = /^\s*(\{|clients\s*:)/m.test(stripComments(text));
  return structured ? parseStructured(text, file, env) : parseFlat(text, file);
}

export function loadInboundClients(file: string, env: NodeJS.ProcessEnv = process.env): Map<string, InboundClient> {
  return parseInboundClients(readFileSync(file, 'utf8'), file, env);
}

function stripComments(text: string): string {
  return text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
}

function parseFlat(text: string, file: string): Map<string, InboundClient> {
  const clients = new Map<string, InboundClient>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const where = `--inbound-keys ${file} line ${i + 1}`;
    if (fields.length !== 2) throw new Error(`${where}: expected "ACCESS_KEY_ID SECRET" (two fields), found ${fields.length}`);
    const [id, secret] = fields as [string, string];
    if (clients.has(id)) throw new Error(`${where}: access key id ${id} is listed twice`);
    clients.set(id, { accessKeyId: id, secret, name: id, policy: null, sourceCidrs: null, limits: null, secretFile: null });
  }
  if (clients.size === 0) throw new Error(`--inbound-keys ${file}: no keys in the file`);
  return clients;
}

const ENTRY_FIELDS = new Set([
  'accessKeyId', 'secret', 'secretEnv', 'secretFile', 'name', 'buckets', 'keys', 'actions', 'routes', 'sourceCidrs', 'maxConcurrent', 'requestsPerSecond', 'burst',
]);

function parseStructured(text: string, file: string, env: NodeJS.ProcessEnv): Map<string, InboundClient> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The parser's message may quote the document: keep only its position.
    const pos = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new Error(`--inbound-keys ${file}: not valid YAML/JSON${pos === undefined ? '' : ` (line ${pos})`}`);
  }
  const list = (doc as { clients?: unknown } | null)?.clients;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`--inbound-keys ${file}: expected a non-empty "clients:" list`);
  const clients = new Map<string, InboundClient>();
  list.forEach((raw: unknown, i) => {
    const where = `--inbound-keys ${file} clients[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where}: expected a mapping`);
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!ENTRY_FIELDS.has(k)) throw new Error(`${where}: unknown field "${k}"`);
    const id = e['accessKeyId'];
    if (typeof id !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(id) || id.includes(':') || id.includes('/')) {
      throw new Error(`${where}: accessKeyId must be printable ASCII without ':' or '/'`);
    }
    if (clients.has(id)) throw new Error(`${where}: access key id ${id} is listed twice`);
    const secret = secretOf(e, where, env);
    const name = e['name'] === undefined ? id : e['name'];
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new Error(`${where}: name must be 1-64 of A-Z a-z 0-9 _ . -`);
    const hasPolicy = e['buckets'] !== undefined || e['keys'] !== undefined || e['actions'] !== undefined || e['routes'] !== undefined;
    const policy: ClientPolicy | null = hasPolicy ? {
      buckets: strings(e['buckets'], ['*'], `${where}.buckets`).map((g) => new Glob(g)),
      keys: strings(e['keys'], ['*'], `${where}.keys`).map((g) => new Glob(g)),
      actions: actionPatterns(strings(e['actions'], ['s3:*'], `${where}.actions`)),
      // Gateway routes by name (README "Routes"); absent: the S3 routes only.
      ...(e['routes'] === undefined ? {} : { routes: strings(e['routes'], [], `${where}.routes`).map((g) => new Glob(g)) }),
    } : null;
    const secretFile = typeof e['secretFile'] === 'string' ? e['secretFile'] : null;
    clients.set(id, { accessKeyId: id, secret, name, policy, sourceCidrs: cidrs(e['sourceCidrs'], `${where}.sourceCidrs`, name), limits: limitsOf(e, where), secretFile });
  });
  return clients;
}

function secretOf(e: Record<string, unknown>, where: string, env: NodeJS.ProcessEnv): string {
  const given = ['secret', 'secretEnv', 'secretFile'].filter((k) => e[k] !== undefined);
  if (given.length !== 1) throw new Error(`${where}: give exactly one of secret, secretEnv, secretFile`);
  const how = given[0]!;
  const ref = e[how];
  if (typeof ref !== 'string' || ref === '') throw new Error(`${where}: ${how} must be a non-empty string`);
  let secret: string;
  if (how === 'secret') secret = ref;
  else if (how === 'secretEnv') {
    const v = env[ref];
    if (v === undefined || v === '') throw new Error(`${where}: environment variable ${ref} (secretEnv) is not set`);
    secret = v;
  } else {
    try {
      secret = readFileSync(ref, 'utf8').trim();
    } catch (err) {
      throw new Error(`${where}: cannot read secretFile ${ref}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (secret === '' || /\s/.test(secret)) throw new Error(`${where}: the secret is empty or contains whitespace`);
  return secret;
}

function strings(value: unknown, fallback: string[], where: string): string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw new Error(`${where}: expected a non-empty list of strings`);
  }
  return value as string[];
}

function cidrs(value: unknown, where: string, client: string): Cidr[] | null {
  if (value === undefined) return null;
  return strings(value, [], where).map((text, i) => {
    const c = Cidr.parse(text);
    if (c === null) throw new Error(`${where}[${i}] (client ${client}): ${quoted(text)} is not an address range (e.g. 10.0.0.0/8, 2001:db8::/32)`);
    return c;
  });
}

/** Quoted only when it could be an address range: a secret pasted into the wrong field stays out of logs. */
function quoted(value: string): string {
  return /^[0-9A-Fa-f.:/]{1,43}$/.test(value) ? `"${value}"` : 'the value';
}

/** Up to a million: enough for any client, small enough that arithmetic on it stays exact. */
const LIMIT_MAX = 1_000_000;

function count(value: unknown, where: string, min: number): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > LIMIT_MAX) {
    throw new Error(`${where}: expected a number from ${min} to ${LIMIT_MAX}`);
  }
  return value;
}

/**
 * maxConcurrent (whole requests in flight), requestsPerSecond (may be fractional: 0.5 is one
 * request every two seconds) and burst (whole tokens; by default one second's worth, at least 1).
 */
function limitsOf(e: Record<string, unknown>, where: string): ClientLimits | null {
  const maxConcurrent = count(e['maxConcurrent'], `${where}.maxConcurrent`, 1);
  if (!Number.isInteger(maxConcurrent)) throw new Error(`${where}.maxConcurrent: expected a whole number`);
  const requestsPerSecond = count(e['requestsPerSecond'], `${where}.requestsPerSecond`, 0.001);
  if (e['burst'] !== undefined && e['requestsPerSecond'] === undefined) throw new Error(`${where}.burst: needs requestsPerSecond`);
  const burst = e['burst'] === undefined ? Math.max(1, Math.ceil(requestsPerSecond)) : count(e['burst'], `${where}.burst`, 1);
  if (!Number.isInteger(burst)) throw new Error(`${where}.burst: expected a whole number`);
  return maxConcurrent === 0 && requestsPerSecond === 0 ? null : { maxConcurrent, requestsPerSecond, burst };
}

/** Every file a reload must watch: the keys file and each secretFile it names. */
export function inboundKeysFiles(file: string, clients: InboundClients): string[] {
  const files = new Set([file]);
  for (const c of clients.values()) if (c.secretFile !== null) files.add(c.secretFile);
  return [...files];
}
