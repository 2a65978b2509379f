// signet and its upstream as benchmark processes, and a 1 GiB-class upload client: shared by the
// multipart and tracing benches. signet runs as users run it (`bin/signet.js serve`, info logging
// to /dev/null, metrics on), with no credentials source but two fixed keys, and only on 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { killOnExit, startPrinting } from './procs.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** signet alone on CPU 1; the upstream, the client and the load generator on CPU 0 (reference/protocol.md §5c). */
export const PIN = process.env.BENCH_PIN !== 'off';
export const pinned = (cpu: number | string, cmd: string, args: string[]): [string, string[]] => (PIN ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args]);

/** Moves this process (every thread) to CPU 0, beside the upstream: the client must not compete with signet's core. */
export function pinSelf(): void {
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
}

/** `partDelayMs`: how long the sink holds each UploadPart answer (S3's time per part). */
export async function startSink(partDelayMs = 0): Promise<{ child: ChildProcess; url: string }> {
  const { child, line } = await startPrinting(...pinned(0, 'node', [`${root}/bench/lib/sink.mjs`, String(partDelayMs)]));
  return { child, url: `http://127.0.0.1:${line.trim()}` };
}

export interface SinkStats {
  readonly puts: number;
  readonly creates: number;
  readonly parts: number;
  readonly completes: number;
  readonly aborts: number;
  readonly bytes: number;
  readonly partBytes: number;
}

export async function sinkStats(url: string): Promise<SinkStats> {
  return (await (await fetch(`${url}/__stats`)).json()) as SinkStats;
}

export interface SignetOptions {
  /** Extra environment (OTEL_*…). */
  readonly env?: Readonly<Record<string, string>>;
  /** Another build of signet (a checkout with bin/ and dist/): the baseline of a before/after. */
  readonly checkout?: string;
  /** A command signet runs under, e.g. `['strace', '-f', …]`; the child's pid is then the wrapper's. */
  readonly wrap?: readonly string[];
  /** Flags for node itself (`--cpu-prof`, `--import …`), before signet's own. */
  readonly nodeArgs?: readonly string[];
  /** The CPUs signet may run on (taskset -c): '1' by default; '0,1' lets a hashing thread find the other core. */
  readonly cpus?: string;
}

/** Starts `signet serve` and waits for /readyz. The environment is built from nothing: no AWS_* leaks in, IMDS is off. */
export async function startSignet(upstream: string, port: number, extra: readonly string[], o: SignetOptions = {}): Promise<ChildProcess> {
  const argv = [...(o.wrap ?? []), 'node', ...(o.nodeArgs ?? []), `${o.checkout ?? root}/bin/signet.js`, 'serve', '--region', 'us-east-1', '--upstream', upstream,
    '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${port + 1}`, '--log-level', 'info', ...extra,
    // BENCH_SIGNET_ARGS="--flag value …": one setting changed, to measure what it costs.
    ...(process.env.BENCH_SIGNET_ARGS ?? '').split(' ').filter((a) => a !== '')];
  const [cmd, args] = pinned(o.cpus ?? 1, argv[0]!, argv.slice(1));
  const child = spawn(cmd, args, {
    env: {
      PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'AKIABENCHMARK0000000', AWS_SECRET_ACCESS_KEY: 'bench/secret/key',
      AWS_EC2_METADATA_DISABLED: 'true', HOME: '/nonexistent', ...o.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  killOnExit(child);
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`signet exited with ${child.exitCode}`);
    try {
      const ok = await fetch(`http://127.0.0.1:${port + 1}/readyz`);
      if (ok.status === 200) return child;
    } catch { /* not up yet */ }
    await sleep(100);
  }
  throw new Error('signet did not become ready');
}

/**
 * PUTs `bytes` (1 MiB writes, as fast as the socket takes them) with a Content-Length, or with
 * `Transfer-Encoding: chunked` when `chunked`; resolves with the seconds until the answer's end.
 */
export function putStream(url: string, bytes: number, chunked = false): Promise<number> {
  const block = Buffer.alloc(1024 * 1024, 97);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers = chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': bytes };
    const req = request(url, { method: 'PUT', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve((performance.now() - started) / 1000) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const piece = left >= block.length ? block : block.subarray(0, left);
        left -= piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** GETs `url` and reads the body as fast as it comes; resolves with the seconds and the bytes read. */
export function getStream(url: string): Promise<{ seconds: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve({ seconds: (performance.now() - started) / 1000, bytes }) : reject(new Error(`status ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The payload strategy signet chose for the one request it served (from its metrics). */
export async function strategyOf(adminPort: number): Promise<string> {
  // The strategy counter moves after the response went out (spool clean-up comes first).
  await sleep(300);
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const m = /signet_payload_strategy_total\{strategy="([^"]+)"\} [1-9]/.exec(text);
  return m ? m[1]! : '?';
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
