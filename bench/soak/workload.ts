// The soak's mixed workload: what each operation sends and what it must get back. An operation
// returns '' when it got exactly the expected answer, `injected:<kind>` for a deliberate error that
// came out as intended (404, 403, a client walking away), or a description of anything else, which
// counts as a failure of the run.
import { randomBytes } from 'node:crypto';
import type { Agent } from 'node:http';
import { call, md5 } from './call.js';

const KiB = 1024;
const MiB = 1024 * KiB;
export const BUCKET = 'soak';
export const STABLE_KEYS = 100;
/** Larger than --buffer-limit (1 MiB): streamed with aws-chunked signing. */
export const LARGE = 24 * MiB + 5;
/** Unknown length, larger than one 8 MiB part: converted to a 3-part multipart upload. */
export const STREAMED = 20 * MiB + 3;
/** Keys under this prefix are answered 403 AccessDenied by the embedded S3 (a fault rule). */
export const FORBIDDEN_PREFIX = `/${BUCKET}/forbidden/`;

export interface Fixtures {
  readonly stable: Buffer[];
  readonly stableMd5: string[];
  readonly large: Buffer;
  readonly largeMd5: string;
  readonly streamed: Buffer;
  readonly streamedMd5: string;
  /** Bodies of small PUTs are slices of this. */
  readonly pool: Buffer;
}

export function fixtures(): Fixtures {
  const stable = Array.from({ length: STABLE_KEYS }, (_, i) => randomBytes(512 + i * 37));
  const large = randomBytes(LARGE);
  const streamed = randomBytes(STREAMED);
  return { stable, stableMd5: stable.map(md5), large, largeMd5: md5(large), streamed, streamedMd5: md5(streamed), pool: randomBytes(64 * KiB) };
}

type Op = (base: string, agent: Agent, f: Fixtures, n: number) => Promise<string>;

const code = (text: string): string => /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? '';
const expectStatus = (status: number, want: number, text: string): string => (status === want ? '' : `${status} ${code(text)}`.trim());

/** Name, weight per 1,000 operations, and the operation. */
export const OPERATIONS: ReadonlyArray<readonly [string, number, Op]> = [
  ['get-small', 460, async (base, agent, f, n) => {
    const i = n % STABLE_KEYS;
    const r = await call(base, agent, { method: 'GET', path: `/${BUCKET}/stable/s${i}` });
    return expectStatus(r.status, 200, r.text) || (r.md5 === f.stableMd5[i] ? '' : 'body differs');
  }],
  ['put-small', 230, async (base, agent, f, n) => {
    const size = KiB + (n * 7919) % (15 * KiB);
    const r = await call(base, agent, { method: 'PUT', path: `/${BUCKET}/churn/c${n % 200}`, body: f.pool.subarray(0, size), headers: { 'content-type': 'application/octet-stream' } });
    return expectStatus(r.status, 200, r.text);
  }],
  ['list', 70, async (base, agent) => {
    const r = await call(base, agent, { method: 'GET', path: `/${BUCKET}?list-type=2&prefix=stable%2F&max-keys=50` });
    return expectStatus(r.status, 200, r.text) || (r.text.includes('<KeyCount>50</KeyCount>') ? '' : 'list incomplete');
  }],
  ['copy', 50, async (base, agent, _f, n) => {
    const r = await call(base, agent, { method: 'PUT', path: `/${BUCKET}/churn/copy${n % 50}`, headers: { 'x-amz-copy-source': `/${BUCKET}/stable/s${n % STABLE_KEYS}` } });
    return expectStatus(r.status, 200, r.text) || (r.text.includes('<CopyObjectResult') ? '' : 'no CopyObjectResult');
  }],
  ['delete', 50, async (base, agent, _f, n) => {
    const r = await call(base, agent, { method: 'DELETE', path: `/${BUCKET}/churn/c${(n * 13) % 200}` });
    return expectStatus(r.status, 204, r.text);
  }],
  ['get-large', 10, async (base, agent, f) => {
    const r = await call(base, agent, { method: 'GET', path: `/${BUCKET}/stable/large` });
    return expectStatus(r.status, 200, r.text) || (r.md5 === f.largeMd5 ? '' : 'body differs');
  }],
  ['put-large', 15, async (base, agent, f, n) => {
    const r = await call(base, agent, { method: 'PUT', path: `/${BUCKET}/large/L${n % 3}`, body: f.large });
    return expectStatus(r.status, 200, r.text);
  }],
  ['put-unknown-length', 10, async (base, agent, f, n) => {
    const r = await call(base, agent, { method: 'PUT', path: `/${BUCKET}/streamed/U${n % 2}`, body: f.streamed, chunked: true });
    return expectStatus(r.status, 200, r.text) || (/-3"$/.test(r.etag) ? '' : `not converted (ETag ${r.etag})`);
  }],
  ['get-converted', 10, async (base, agent, f, n) => {
    // Objects written by converted uploads read back whole (every write of a key has the same bytes).
    const r = await call(base, agent, { method: 'GET', path: `/${BUCKET}/streamed/U${n % 2}` });
    return expectStatus(r.status, 200, r.text) || (r.md5 === f.streamedMd5 ? '' : 'body differs') || (/-3"$/.test(r.etag) ? '' : `ETag ${r.etag}`);
  }],
  ['not-found', 40, async (base, agent, _f, n) => {
    const r = await call(base, agent, { method: 'GET', path: `/${BUCKET}/missing/m${n}` });
    return r.status === 404 && code(r.text) === 'NoSuchKey' ? 'injected:404 NoSuchKey' : `${r.status} ${code(r.text)}`;
  }],
  ['forbidden', 15, async (base, agent, _f, n) => {
    const r = await call(base, agent, { method: 'GET', path: `${FORBIDDEN_PREFIX}f${n % 10}` });
    return r.status === 403 && code(r.text) === 'AccessDenied' ? 'injected:403 AccessDenied from S3' : `${r.status} ${code(r.text)}`;
  }],
  ['cross-site', 15, async (base, agent, _f, n) => {
    // A browser page on another site reaching the sidecar: signet's loopback guard refuses it, unsigned.
    const r = await call(base, agent, { method: 'GET', path: `/${BUCKET}/stable/s${n % STABLE_KEYS}`, headers: { 'sec-fetch-site': 'cross-site' } });
    return r.status === 403 && code(r.text) === 'AccessDenied' ? 'injected:403 AccessDenied from signet (cross-site browser)' : `${r.status} ${code(r.text)}`;
  }],
  ['abort-upload', 15, async (base, agent, f, n) => {
    // Alternately a streamed upload and one being converted to multipart; the client leaves after 2 MiB... or 10 MiB (a part is on its way).
    const chunked = n % 2 === 1;
    const r = await call(base, agent, { method: 'PUT', path: `/${BUCKET}/aborted/a${n % 4}`, body: chunked ? f.streamed : f.large, chunked, abortAfterSent: chunked ? 10 * MiB : 2 * MiB });
    return r.aborted ? `injected:client abort mid-upload (${chunked ? 'multipart' : 'streamed'})` : `${r.status} ${code(r.text)} (not aborted)`;
  }],
  ['abort-download', 10, async (base, agent) => {
    const r = await call(base, agent, { method: 'GET', path: `/${BUCKET}/stable/large`, abortAfterReceived: MiB });
    return r.aborted ? 'injected:client abort mid-download' : `${r.status} ${code(r.text)} (not aborted)`;
  }],
];

/** Picks operations by weight, deterministically from the operation's number. */
export function picker(): (n: number) => readonly [string, number, Op] {
  const table: Array<readonly [string, number, Op]> = [];
  for (const op of OPERATIONS) for (let i = 0; i < op[1]; i++) table.push(op);
  if (table.length !== 1000) throw new Error(`operation weights add up to ${table.length}, not 1000`);
  // A fixed stride through the table (coprime with 1000) spreads each kind over time.
  return (n) => table[(n * 617) % 1000]!;
}

/** Writes the objects the GETs, lists and copies read. */
export async function seed(base: string, agent: Agent, f: Fixtures): Promise<void> {
  for (let i = 0; i < STABLE_KEYS; i++) {
    const r = await call(base, agent, { method: 'PUT', path: `/${BUCKET}/stable/s${i}`, body: f.stable[i]! });
    if (r.status !== 200) throw new Error(`seeding stable/s${i}: ${r.status} ${r.text}`);
  }
  const r = await call(base, agent, { method: 'PUT', path: `/${BUCKET}/stable/large`, body: f.large });
  if (r.status !== 200) throw new Error(`seeding stable/large: ${r.status} ${r.text}`);
  for (const key of ['U0', 'U1']) {
    const u = await call(base, agent, { method: 'PUT', path: `/${BUCKET}/streamed/${key}`, body: f.streamed, chunked: true });
    if (u.status !== 200) throw new Error(`seeding streamed/${key}: ${u.status} ${u.text}`);
  }
}
