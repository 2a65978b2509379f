/**
 * HTTP/1.1 fuzzer for signet (issue 11: "no input brings signet down"). Starts the embedded demo S3
 * and signet in-process on 127.0.0.1, in sidecar mode, in gateway mode (--inbound-keys) and as a
 * gateway with routes (a generic SigV4 route, a Host route, a bucket route), and
 * sends generated and mutated raw requests over real sockets (node:net) so framing bytes reach
 * signet exactly as generated. Seeded (mulberry32) so any finding replays from seed + index.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { loadConfig } from '../../src/config/index.js';
import { demoCredentials, staticKeys, startDemoS3 } from '../../src/demo/index.js';
import { createAccessLog, createLogger } from '../../src/observability/index.js';
import { startSignet } from '../../src/server/signet.js';
import { createAwsChunkedEncoder } from '../../src/sigv4/aws-chunked-encoder.js';
import { deriveSigningKey } from '../../src/sigv4/signing-key.js';

export type Mode = 'sidecar' | 'gateway' | 'routes';
export interface FuzzOptions { seed: number; requests: number; concurrency: number; timeoutMs: number; modes: Mode[]; log?: (line: string) => void }
export interface Finding { kind: 'hang' | 'crash' | '5xx'; mode: Mode; seed: number; index: number; request: string; response?: string }
export interface ModeResult {
  mode: Mode; requests: number; seconds: number; statuses: Record<string, number>; hangs: Finding[]; crashes: Finding[]; fiveHundreds: Finding[];
  healthFailures: number; rssStartMb: number; rssMidMb: number; rssEndMb: number; server5xx: number;
  /** Requests signet still counts in flight 2 s after the last answer: each one a request that never ended. */
  inFlightAfter: number;
}

export const CLIENT = { accessKeyId: 'FUZZGATEWAYKEY01', secretAccessKey: 'fuzz-gateway-secret/+abcdefghijklmnop' };
const REGION = 'us-east-1';

/** mulberry32: tiny, fast, good enough to pick mutations reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number { return Math.floor(this.r() * n); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)] as T; }
  chance(p: number): boolean { return this.r() < p; }
  bytes(n: number): Buffer { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = this.int(256); return b; }
  str(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_.~'): string {
    let s = ''; for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)]; return s;
  }
}

const METHODS = ['GET', 'PUT', 'POST', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'get', 'CONNECT', 'TRACE', 'PUT ', 'X'.repeat(300)];
const ODD_HEADER_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'x-amz-meta-__proto__',
  'Host', 'host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'Expect', 'x-amz-date', 'x-amz-content-sha256',
  'Authorization', 'x-amz-security-token', 'Content-Encoding', 'x-amz-decoded-content-length', 'Range', 'If-None-Match',
  'x-amz-copy-source', 'x-amz-server-side-encryption-customer-key', 'Content-MD5', 'Upgrade', 'Keep-Alive', 'TE', 'Trailer'];
const ODD_VALUES = ['', ' ', '0', '-1', '99999999999999999999', 'abc', '\x01\x02', 'ü', '\u00ff', 'a'.repeat(9000), 'chunked',
  'aws-chunked', 'close', 'keep-alive, If-None-Match', 'x-amz-date, Content-MD5', '__proto__', 'upgrade', '100-continue',
  'bytes=0-', 'bytes=-5', 'bytes=9-1', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'];
const PATHS = ['/', '/fuzz-bucket', '/fuzz-bucket/', '/fuzz-bucket/key', '/fuzz-bucket/a/b/../../c', '//fuzz-bucket//key',
  '/fuzz-bucket/%', '/fuzz-bucket/%zz', '/fuzz-bucket/%00', '/fuzz-bucket/%2e%2e/%2e%2e/etc', '/fuzz-bucket/ü', '*',
  'http://evil.example/x', '/fuzz-bucket/key?uploads', '/fuzz-bucket/key?partNumber=1&uploadId=x', '/fuzz-bucket?list-type=2&prefix=%',
  '/fuzz-bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a/b/c/d/e&X-Amz-Signature=zz', '/fuzz-bucket?=&&=&a=%',
  '/fuzz-bucket/key?acl&acl', '/fuzz-bucket/key?AWSAccessKeyId=x&Signature=y&Expires=1', '/fuzz-bucket/key?__proto__=1&constructor=2',
  '/fuzz-bucket/key?retention&legal-hold', '/fuzz-bucket/key#frag', '/healthz', '/metrics', ''];

export interface Ctx { host: string; mode: Mode; signer: SignatureV4 }

/** A SigV4 request signed by smithy with the gateway client's key (signet's own keys in sidecar mode matter not). */
async function signedRequest(g: Gen, ctx: Ctx): Promise<{ method: string; path: string; headers: [string, string][]; body: Buffer }> {
  const method = g.pick(['GET', 'PUT', 'HEAD', 'DELETE', 'POST']);
  const key = g.str(1 + g.int(20));
  const query: Record<string, string> = {};
  if (g.chance(0.2)) query['uploads'] = '';
  if (g.chance(0.1)) query['tagging'] = '';
  const body = method === 'PUT' || method === 'POST' ? g.bytes(g.int(3000)) : Buffer.alloc(0);
  const chunked = body.length > 0 && g.chance(0.4);
  const sha = chunked ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' : g.chance(0.3) ? 'UNSIGNED-PAYLOAD' : createHash('sha256').update(body).digest('hex');
  const headers: Record<string, string> = { host: ctx.host, 'x-amz-content-sha256': sha };
  if (chunked) { headers['content-encoding'] = 'aws-chunked'; headers['x-amz-decoded-content-length'] = String(body.length); }
  const signed = g.chance(0.3) && !chunked
    ? await ctx.signer.presign({ method, protocol: 'http:', hostname: ctx.host.split(':')[0] ?? '', port: Number(ctx.host.split(':')[1]), path: `/fuzz-bucket/${key}`, query, headers: { host: ctx.host } }, { expiresIn: 300 })
    : await ctx.signer.sign({ method, protocol: 'http:', hostname: ctx.host.split(':')[0] ?? '', port: Number(ctx.host.split(':')[1]), path: `/fuzz-bucket/${key}`, query, headers });
  let wire = body;
  if (chunked) {
    const auth = String(signed.headers['authorization'] ?? '');
    const amzDate = String(signed.headers['x-amz-date'] ?? '');
    const seedSignature = /Signature=([0-9a-f]+)/.exec(auth)?.[1] ?? '';
    const day = amzDate.slice(0, 8);
    const enc = createAwsChunkedEncoder({ mode: 'signed', chunkSize: 8192, decodedLength: body.length, signed: {
      signingKey: deriveSigningKey(CLIENT.secretAccessKey, day, REGION, 's3'), amzDate, scope: `${day}/${REGION}/s3/aws4_request`, seedSignature } });
    const parts: Buffer[] = [];
    enc.on('data', (c: Buffer) => parts.push(c));
    const done = new Promise<void>((resolve, reject) => { enc.on('end', resolve); enc.on('error', reject); });
    enc.end(body);
    await done;
    wire = Buffer.concat(parts);
  }
  const qs = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}${v === '' ? '' : `=${encodeURIComponent(String(v))}`}`).join('&');
  const out: [string, string][] = Object.entries(signed.headers).map(([k, v]) => [k, String(v)]);
  out.push(['content-length', String(wire.length)]);
  return { method, path: `/fuzz-bucket/${key}${qs === '' ? '' : `?${qs}`}`, headers: out, body: wire };
}

function mutateBody(g: Gen, body: Buffer): Buffer {
  if (body.length === 0) return g.chance(0.5) ? Buffer.from('5\r\nhello\r\n') : body;
  const b = Buffer.from(body);
  switch (g.int(6)) {
    case 0: return b.subarray(0, g.int(b.length)); // truncated
    case 1: { const s = b.toString('latin1').replace(/^[0-9a-f]+/, g.pick(['zz', '-1', 'ffffffffffffffff', '', ' 1'])); return Buffer.from(s, 'latin1'); }
    case 2: { const s = b.toString('latin1').replace(/chunk-signature=([0-9a-f]{4})/, 'chunk-signature=0000'); return Buffer.from(s, 'latin1'); }
    case 3: { const i = g.int(b.length); b[i] = g.int(256); return b; }
    case 4: return Buffer.concat([b, g.bytes(g.int(100))]);
    default: return Buffer.from(b.toString('latin1').replace(/\r\n/g, g.pick(['\n', '\r', '\r\n\r\n'])), 'latin1');
  }
}

function mutateAuth(g: Gen, value: string): string {
  switch (g.int(9)) {
    case 0: return value.replace(/Signature=[0-9a-f]+/, `Signature=${g.str(64, '0123456789abcdef')}`);
    case 1: return value.replace(/Credential=[^/]+/, `Credential=${g.pick(['', 'AKIA', '__proto__', 'x'.repeat(500)])}`);
    case 2: return value.replace(/\/\d{8}\//, g.pick(['/19700101/', '/2099x/', '//']));
    case 3: return value.replace(/us-east-1/, g.pick(['eu-west-1', '', 'US-EAST-1', '../..']));
    case 4: return value.replace(/\/s3\//, g.pick(['/sts/', '/', '/s3 /']));
    case 5: return value.replace(/SignedHeaders=[^,]+/, `SignedHeaders=${g.pick(['', 'host', 'host;;x', 'constructor;host', 'zzz'])}`);
    case 6: return value.slice(0, g.int(value.length));
    case 7: return `AWS ${g.pick(['AKIA:sig', ':', 'x', '__proto__:abc', `${CLIENT.accessKeyId}:${g.str(28)}`])}`;
    default: return value.replace(/,/g, g.pick([' ,', ',,', '']));
  }
}

function mutatePath(g: Gen, path: string): string {
  switch (g.int(6)) {
    case 0: return path.replace(/\//g, '//');
    case 1: return `${path}${path.includes('?') ? '&' : '?'}${g.pick(['x-id=1', '%', '=', '&&', 'X-Amz-Signature=00', 'versionId=', 'acl'])}`;
    case 2: return `${path}/${'a'.repeat(g.pick([100, 2000, 9000, 70000]))}`;
    case 3: return path.replace(/X-Amz-Date=\d+T\d+Z/, 'X-Amz-Date=20000101T000000Z').replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=999999999');
    case 4: return path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
    default: return `${path}/../..`;
  }
}

function serialize(method: string, path: string, headers: [string, string][], body: Buffer, version = 'HTTP/1.1'): Buffer {
  const head = `${method} ${path} ${version}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** One request's bytes: a valid signed request mutated, or a request made of odd parts. */
export async function generate(g: Gen, ctx: Ctx): Promise<Buffer> {
  const kind = g.int(10);
  if (kind <= 4) {
    const req = await signedRequest(g, ctx);
    let { path, body } = req;
    let headers = req.headers;
    const n = g.int(3);
    for (let i = 0; i < n; i++) {
      switch (g.int(6)) {
        case 0: body = mutateBody(g, body); break;
        case 1: headers = headers.map(([k, v]) => (k === 'authorization' ? [k, mutateAuth(g, v)] : [k, v])); break;
        case 2: path = mutatePath(g, path); break;
        case 3: headers.push([g.pick(ODD_HEADER_NAMES), g.pick(ODD_VALUES)]); break;
        case 4: headers = headers.filter(() => g.chance(0.85)); break;
        default: headers = headers.map(([k, v]) => (k === 'x-amz-date' ? [k, g.pick(['20000101T000000Z', 'garbage', '20991231T235959Z', v])] : [k, v]));
      }
    }
    return serialize(req.method, path, headers, body);
  }
  if (kind === 5) { // framing
    const body = g.bytes(g.int(200));
    const headers: [string, string][] = [['Host', ctx.host]];
    switch (g.int(8)) {
      case 0: headers.push(['Content-Length', String(body.length)], ['Content-Length', String(body.length + 1)]); break;
      case 1: headers.push(['Transfer-Encoding', 'chunked'], ['Content-Length', String(body.length)]); break;
      case 2: headers.push(['Transfer-Encoding', g.pick(['gzip', 'chunked, gzip', 'gzip, chunked', 'identity', 'chunked, chunked', ' chunked'])]); break;
      case 3: return serialize('PUT', '/fuzz-bucket/k', [...headers, ['Transfer-Encoding', 'chunked']], Buffer.from(`${g.pick(['zz', 'ffffffffffffffffff', '-1', '5;ext', '5 ', ''])}\r\nhello\r\n0\r\n\r\n`));
      case 4: headers.push(['Content-Length', String(body.length + 50)]); break; // truncated body
      case 5: { const one = serialize('GET', '/fuzz-bucket/a', headers, Buffer.alloc(0)); return Buffer.concat([one, one, serialize('PUT', '/fuzz-bucket/b', [...headers, ['Content-Length', '3']], Buffer.from('abc')), one]); }
      case 6: headers.push(['X-Huge', 'a'.repeat(g.pick([8000, 17000, 70000]))]); break;
      default: headers.push(['Content-Length', g.pick(['-1', '1e3', '0x10', ' 5', '5,5', '99999999999999999999'])]);
    }
    return serialize(g.pick(['PUT', 'POST', 'GET']), '/fuzz-bucket/k', headers, body);
  }
  if (kind === 6) return g.bytes(g.int(400)); // noise
  if (kind === 7) { // aws-chunked framing without a valid signature (sidecar: signet re-signs it)
    const decoded = g.int(100);
    const size = g.pick([decoded.toString(16), 'zz', '', '-1', 'fffffffffffff', `${decoded.toString(16)};chunk-signature=${'0'.repeat(64)}`]);
    const body = Buffer.from(`${size}\r\n${'x'.repeat(decoded)}\r\n${g.chance(0.5) ? '0\r\n\r\n' : ''}`, 'latin1');
    const sha = g.pick(['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'UNSIGNED-PAYLOAD', 'x']);
    return serialize('PUT', '/fuzz-bucket/c', [['Host', ctx.host], ['Content-Encoding', 'aws-chunked'], ['x-amz-content-sha256', sha],
      ['x-amz-decoded-content-length', String(g.chance(0.7) ? decoded : decoded + g.int(10) - 5)], ['Content-Length', String(g.chance(0.8) ? body.length : g.int(20))]], body);
  }
  // odd request lines, headers and URLs
  const headers: [string, string][] = g.chance(0.9) ? [['Host', ctx.host]] : [];
  for (let i = g.int(6); i > 0; i--) {
    const name = g.chance(0.8) ? g.pick(ODD_HEADER_NAMES) : g.pick(['X\x01', 'a b', 'ü', 'x:y', '', g.str(300)]);
    headers.push([name, g.pick(ODD_VALUES)]);
  }
  if (g.chance(0.2)) headers.push(['Authorization', mutateAuth(g, `AWS4-HMAC-SHA256 Credential=${CLIENT.accessKeyId}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`)]);
  const path = g.chance(0.5) ? mutatePath(g, g.pick(PATHS)) : g.pick(PATHS);
  return serialize(g.pick(METHODS), path, headers, Buffer.alloc(0), g.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', '']));
}

/** Sends bytes, reads until the server closes or goes quiet; resolves with the first status line seen. */
export function exchange(port: number, bytes: Buffer, timeoutMs: number): Promise<{ statuses: number[]; hung: boolean; text: string }> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    let halfClose: NodeJS.Timeout | undefined = undefined;
    const finish = (hung: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(hard); clearTimeout(idle); clearTimeout(halfClose);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ statuses, hung: hung && statuses.length === 0, text });
    };
    // A hang is no answer at all within timeoutMs; a quiet keep-alive socket after an answer is normal.
    const hard = setTimeout(() => finish(true), timeoutMs);
    let idle: NodeJS.Timeout | undefined = undefined;
    const armIdle = () => { clearTimeout(idle); idle = setTimeout(() => finish(false), 50); };
    sock.on('data', (c: Buffer) => { chunks.push(c); armIdle(); });
    sock.on('error', () => finish(false));
    sock.on('close', () => finish(false));
    sock.on('connect', () => {
      // A request whose body is short waits for more; after 300 ms our side ends, so a truncated
      // request counts as finished, and only silence after that (up to timeoutMs) is a hang.
      sock.write(bytes);
      halfClose = setTimeout(() => { if (chunks.length === 0) sock.end(); }, 300);
    });
  });
}

export async function startMode(mode: Mode) {
  const keys = demoCredentials();
  const s3 = await startDemoS3({ region: REGION, keys: staticKeys([keys]) });
  const args = ['--region', REGION, '--upstream', s3.url, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'];
  if (mode === 'gateway' || mode === 'routes') {
    const dir = mkdtempSync(join(tmpdir(), 'signet-fuzz-'));
    writeFileSync(join(dir, 'keys'), `${CLIENT.accessKeyId} ${CLIENT.secretAccessKey}\n`);
    args.push('--inbound-keys', join(dir, 'keys'));
    if (mode === 'routes') {
      // A gateway with routes: a generic SigV4 route under a prefix the generated paths hit, one by
      // Host, one by bucket; anything else is 404. The generic route's upstream refuses (the demo S3
      // does not speak `es`): what is fuzzed is signet's side of it.
      writeFileSync(join(dir, 'signet.yaml'), [
        'routes:',
        `  - { name: svc, match: { pathPrefix: /fuzz-bucket/a }, upstream: "${s3.url}", service: es }`,
        `  - { name: by-host, match: { hosts: ["*.fuzz.internal"] }, upstream: "${s3.url}" }`,
        `  - { name: bucket, match: { buckets: ["fuzz-*"] }, upstream: "${s3.url}" }`,
        '',
      ].join('\n'));
      args.push('--config', join(dir, 'signet.yaml'));
    }
  }
  const config = loadConfig(args, {});
  const sink = new Writable({ write(_c, _e, cb) { cb(); } });
  const signet = await startSignet(config, { logger: createLogger({ level: 'fatal', destination: sink }), accessLog: createAccessLog('fatal', sink),
    fetchCredentials: async () => ({ credentials: { ...keys }, source: 'fuzz' }) });
  return { s3, signet };
}

export async function runMode(mode: Mode, opts: FuzzOptions): Promise<ModeResult> {
  const crashes: Finding[] = [];
  const hangs: Finding[] = [];
  const fiveHundreds: Finding[] = [];
  let current: { index: number; bytes: Buffer } = { index: -1, bytes: Buffer.alloc(0) };
  const onCrash = (err: unknown) => {
    crashes.push({ kind: 'crash', mode, seed: opts.seed, index: current.index, request: `${String(err instanceof Error ? err.stack : err)}\n--- last request sent (base64) ---\n${current.bytes.toString('base64')}` });
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const { s3, signet } = await startMode(mode);
  const port = Number(new URL(signet.proxy.url).port);
  const ctx: Ctx = { host: `127.0.0.1:${port}`, mode, signer: new SignatureV4({ service: 's3', region: REGION, sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false, credentials: CLIENT }) };
  const statuses: Record<string, number> = {};
  let healthFailures = 0;
  const adminUrl = signet.admin?.url ?? '';
  const health = setInterval(() => {
    fetch(`${adminUrl}/healthz`, { signal: AbortSignal.timeout(900) }).then((r) => { if (r.status !== 200) healthFailures++; }, () => { healthFailures++; });
  }, 1000);
  const rss = () => Math.round(process.memoryUsage().rss / 1048576);
  const rssStartMb = rss();
  let rssMidMb = rssStartMb;
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= opts.requests) return;
      if (index === Math.floor(opts.requests / 2)) rssMidMb = rss();
      // Each request's generator is seeded from (seed, index) so one request replays alone.
      const g = new Gen(prng((opts.seed * 1000003 + index) >>> 0));
      const bytes = await generate(g, ctx);
      current = { index, bytes };
      const res = await exchange(port, bytes, opts.timeoutMs);
      if (res.hung) hangs.push({ kind: 'hang', mode, seed: opts.seed, index, request: bytes.toString('base64') });
      const key = res.statuses.length === 0 ? 'none' : String(res.statuses[0]);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (key.startsWith('5') && key !== '501' && fiveHundreds.length < 5) fiveHundreds.push({ kind: '5xx', mode, seed: opts.seed, index, request: bytes.toString('base64'), response: res.text.slice(0, 600) });
      if (index > 0 && index % 10000 === 0) opts.log?.(`${mode}: ${index} requests, ${Math.round(index / ((Date.now() - started) / 1000))} req/s, rss ${rss()} MB`);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (Date.now() - started) / 1000;
  clearInterval(health);
  await new Promise((r) => setTimeout(r, 2000));
  const inFlightAfter = signet.proxy.inFlight();
  const finalHealth = await fetch(`${adminUrl}/healthz`).then((r) => r.status, () => 0);
  if (finalHealth !== 200) healthFailures++;
  globalThis.gc?.();
  const rssEndMb = rss();
  await signet.close();
  await s3.close();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  const server5xx = Object.entries(statuses).filter(([s]) => s.startsWith('5') && s !== '501').reduce((a, [, n]) => a + n, 0);
  return { mode, requests: opts.requests, seconds, statuses, hangs, crashes, fiveHundreds, healthFailures, rssStartMb, rssMidMb, rssEndMb, server5xx, inFlightAfter };
}

export async function runFuzz(opts: FuzzOptions): Promise<ModeResult[]> {
  const out: ModeResult[] = [];
  for (const mode of opts.modes) out.push(await runMode(mode, opts));
  return out;
}

export function summarize(results: readonly ModeResult[]): string {
  return results.map((r) => [
    `${r.mode}: ${r.requests} requests in ${r.seconds.toFixed(1)} s (${Math.round(r.requests / r.seconds)} req/s)`,
    `  crashes ${r.crashes.length}, hangs ${r.hangs.length}, /healthz failures ${r.healthFailures}`,
    `  rss MB start ${r.rssStartMb} mid ${r.rssMidMb} end ${r.rssEndMb}`,
    `  statuses ${Object.entries(r.statuses).sort().map(([s, n]) => `${s}:${n}`).join(' ')}`,
    `  5xx other than 501: ${r.server5xx}; still in flight 2 s after the end: ${r.inFlightAfter}`,
    ...[...r.crashes, ...r.hangs, ...r.fiveHundreds].slice(0, 8).map((f) => `  ${f.kind} mode=${f.mode} seed=${f.seed} index=${f.index}\n  ${f.request.slice(0, 4000)}${f.response === undefined ? '' : `\n  answer: ${JSON.stringify(f.response)}`}`),
  ].join('\n')).join('\n');
}
