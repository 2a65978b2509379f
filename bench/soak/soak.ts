// `npm run soak -- --duration 10m [--rate 25] [--concurrency 32] [--warmup 60s] [--no-build]`
//
// signet as users run it (`bin/signet.js serve`, info logs to a file, metrics on) in front of the
// embedded S3, with its credentials from a loopback container endpoint that mints new keys living
// 90 s (refreshed 30 s ahead: a rotation about every minute; the S3 accepts exactly the live keys).
// A mixed workload at a steady rate (workload.ts) runs for the duration. Everything is on 127.0.0.1.
//
// Warm-up: the first `--warmup` (default a fifth of the run, 30 s to 2 min) is not judged; JIT,
// pools, V8's heap and malloc's arenas grow to their working size there. Then:
// - open fds: at the end of the warm-up, in the middle and at the end the load pauses, in-flight
//   requests finish, the client's keep-alive sockets are closed and idle upstream sockets time out,
//   and /proc/<pid>/fd is counted: exact, comparable numbers (RSS is shown there too);
// - RSS: sampled every 10 s under load; single readings swing by a third with the GC and with how
//   many multipart uploads (part size × 5 each) happen to overlap, so it is read every 2 s and the
//   median of the first window after warm-up is compared with that of the last (1 min each at most).
// Bounds (exit 1 when one breaks): no unexpected answer or error; RSS and fds at the end within
// 10 % of the start; no multipart upload left; no error-level log line; signet exits 0 on SIGTERM.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startDemoS3, staticKeys } from '../../src/demo/index.js';
import { cpuSeconds, killOnExit } from '../lib/procs.js';
import { root } from '../lib/signet-proc.js';
import { startRotatingCredentials } from './rotating-credentials.js';
import { FORBIDDEN_PREFIX, fixtures, picker, seed } from './workload.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10m' },
    rate: { type: 'string', default: '25' },
    concurrency: { type: 'string', default: '32' },
    warmup: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});

function ms(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (m === null) throw new Error(`not a duration: ${text} (e.g. 90s, 10m)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

const DURATION = ms(args.duration);
// Warm-up: a fifth of the run, at least 30 s, at most 2 min (JIT, pools, V8's heap and malloc's arenas
// grow to their working size there: on this workload RSS climbed for ~110 s, then stayed flat).
const WARMUP = args.warmup !== undefined ? ms(args.warmup) : Math.min(120_000, Math.max(30_000, DURATION / 5));
/** RSS is judged on medians over windows this long, after warm-up and at the end, not on single readings. */
const WINDOW = Math.min(60_000, (DURATION - WARMUP) / 4);
const RATE = Number(args.rate);
const CONCURRENCY = Number(args.concurrency);
const KEY_LIFETIME_MS = 90_000;
const GROWTH_BOUND = 0.1;
const IDLE_MS = 12_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const fds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
function metric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name + ' ') || line.startsWith(name + '{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

if (!args['no-build']) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
mkdirSync(`${root}/bench/out`, { recursive: true });
const logPath = `${root}/bench/out/soak-signet.log`;

// The embedded S3: strict signature checks; keys come and go with the rotation; one prefix is forbidden.
const keys = staticKeys([]);
const s3 = await startDemoS3({
  region: 'us-east-1', keys,
  faults: { rules: [{ match: (t) => t.rawPath.startsWith(FORBIDDEN_PREFIX), response: { status: 403, code: 'AccessDenied' } }] },
});
const creds = await startRotatingCredentials(keys, KEY_LIFETIME_MS);
const port = await freePort();
const adminPort = await freePort();
const admin = `http://127.0.0.1:${adminPort}`;
const base = `http://127.0.0.1:${port}`;
const signet = spawn(process.execPath, [`${root}/bin/signet.js`, 'serve', '--region', 'us-east-1', '--upstream', s3.url,
  '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`, '--log-level', 'info', '--credentials-refresh-margin', '30s'], {
  env: {
    PATH: process.env.PATH, HOME: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: creds.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: creds.token,
  },
  stdio: ['ignore', openSync(logPath, 'w'), 'inherit'],
});
killOnExit(signet);
const pid = signet.pid!;
// signet dying mid-run is the worst outcome there is: say so plainly rather than through the
// samplers' errors once /proc/<pid> is gone.
let stopping = false;
signet.once('exit', (code, signal) => {
  if (stopping) return;
  console.error(`soak: signet exited during the run (code ${code}, signal ${signal}); its log: ${logPath}`);
  process.exit(1);
});
for (let i = 0; ; i++) {
  if (signet.exitCode !== null) throw new Error(`signet exited with ${signet.exitCode}; see ${logPath}`);
  if (await fetch(`${admin}/readyz`).then((r) => r.status === 200, () => false)) break;
  if (i > 100) throw new Error('signet did not become ready');
  await sleep(100);
}

let agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const f = fixtures();
await seed(base, agent, f);

// --- the load: an open loop at RATE operations/s, at most CONCURRENCY in flight ---
const pick = picker();
const done = new Map<string, number>();
const injected = new Map<string, number>();
const failures = new Map<string, number>();
const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
let inFlight = 0;
let behind = 0;
let n = 0;
let paused = false;

function launch(): void {
  const [name, , op] = pick(n);
  const i = n++;
  inFlight++;
  op(base, agent, f, i).then(
    (outcome) => {
      bump(done, name);
      if (outcome.startsWith('injected:')) bump(injected, outcome.slice(9));
      else if (outcome !== '') bump(failures, `${name}: ${outcome}`);
    },
    (err: NodeJS.ErrnoException) => bump(failures, `${name}: ${err.code ?? err.message}`),
  ).finally(() => inFlight--);
}

let loadStopped = false;
const load = (async () => {
  let t0 = performance.now();
  let ticks = 0;
  while (!loadStopped) {
    if (paused) {
      await sleep(50);
      t0 = performance.now();
      ticks = 0;
      continue;
    }
    if (inFlight < CONCURRENCY) launch();
    else behind++;
    ticks++;
    const wait = t0 + (ticks * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
  }
})();

// Every 10 s under load: RSS, fds, event-loop delay p99 since the last scrape (prom-client resets it).
// Samples are skipped while the load pauses for an idle point; `lt` is the load clock (pauses excluded).
const timeline: Array<{ lt: number; rss: number; heap: number; fds: number; loopP99Ms: number }> = [];
const started = Date.now();
const sampler = setInterval(() => {
  void fetch(`${admin}/metrics`).then((r) => r.text()).then((text) => {
    if (paused) return;
    timeline.push({
      lt: Date.now() - started - pausedMs, rss: rssMiB(pid), heap: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20, fds: fds(pid),
      loopP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    });
  }, () => undefined);
}, 10_000);

// RSS every 2 s under load, for the window medians (many readings: one multipart overlap moves it by 40 MiB).
const rssSamples: Array<{ lt: number; rss: number }> = [];
const rssSampler = setInterval(() => {
  if (!paused) rssSamples.push({ lt: Date.now() - started - pausedMs, rss: rssMiB(pid) });
}, 2000);

interface Snapshot { readonly label: string; readonly t: number; readonly rss: number; readonly fds: number; readonly connections: number }
const snapshots: Snapshot[] = [];
let pausedMs = 0;
async function quiesce(label: string): Promise<void> {
  const p0 = Date.now();
  paused = true;
  while (inFlight > 0) await sleep(20);
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  // Idle sockets time out (undici: 4 s) and V8's memory reducer, which collects once allocation has
  // stopped for ~8 s, runs: the RSS read then is the live set plus what V8 keeps, not a GC's sawtooth.
  await sleep(IDLE_MS);
  const text = await (await fetch(`${admin}/metrics`)).text();
  snapshots.push({ label, t: (Date.now() - started) / 1000, rss: rssMiB(pid), fds: fds(pid), connections: metric(text, 'signet_connections_open') });
  paused = false;
  pausedMs += Date.now() - p0;
}

const runUntil = async (atMs: number): Promise<void> => {
  while (Date.now() - started - pausedMs < atMs) await sleep(Math.min(1000, atMs - (Date.now() - started - pausedMs)));
};
await runUntil(WARMUP);
const opsAtWarmup = [...done.values()].reduce((a, b) => a + b, 0);
const loadClockAtWarmup = Date.now() - started - pausedMs;
const cpuAtWarmup = cpuSeconds(pid);
const loadAtWarmup = loadavg()[0]!;
// This process's own event-loop delay: what the machine does to any process here, for comparison.
const driverLoop = monitorEventLoopDelay({ resolution: 10 });
driverLoop.enable();
await quiesce('start (end of warm-up)');
await runUntil(WARMUP + (DURATION - WARMUP) / 2);
await quiesce('middle');
await runUntil(DURATION);
const loadClockAtEnd = Date.now() - started - pausedMs;
const opsAtEnd = [...done.values()].reduce((a, b) => a + b, 0);
const cpuAtEnd = cpuSeconds(pid);
driverLoop.disable();
const loadAtEnd = loadavg()[0]!;
await quiesce('end');
loadStopped = true;
await load;
while (inFlight > 0) await sleep(20);
clearInterval(sampler);
clearInterval(rssSampler);

// --- after the load: what is left, then a graceful stop ---
let uploadsLeft = 0;
for (let i = 0; i < 50; i++) {
  uploadsLeft = [...s3.buckets.values()].reduce((sum, b) => sum + b.uploads.size, 0);
  if (uploadsLeft === 0) break;
  await sleep(200);
}
const finalMetrics = await (await fetch(`${admin}/metrics`)).text();
agent.destroy();
stopping = true;
signet.kill('SIGTERM');
const exitCode = await new Promise<number | null>((r) => (signet.exitCode !== null ? r(signet.exitCode) : signet.once('exit', (c) => r(c))));
await creds.close();
await s3.close();

const logLines = readFileSync(logPath, 'utf8').split('\n').filter((l) => l !== '');
const errorLines = logLines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
const status499 = logLines.filter((l) => l.includes('"status":499')).length;

// --- report ---
const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const first = snapshots[0]!;
const last = snapshots.at(-1)!;
const growth = (a: number, b: number): number => (b - a) / a;
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const windowRss = (from: number, to: number): number => median(rssSamples.filter((x) => x.lt >= from && x.lt <= to).map((x) => x.rss));
const rssStart = windowRss(WARMUP, WARMUP + WINDOW);
const rssMiddle = windowRss((WARMUP + DURATION - WINDOW) / 2, (WARMUP + DURATION + WINDOW) / 2);
const rssEnd = windowRss(DURATION - WINDOW, DURATION);
const rssGrowth = growth(rssStart, rssEnd);
const fdGrowth = growth(first.fds, last.fds);
const loopP99s = timeline.map((s) => s.loopP99Ms).sort((a, b) => a - b);
const judgedSeconds = (loadClockAtEnd - loadClockAtWarmup) / 1000;
const failureCount = [...failures.values()].reduce((a, b) => a + b, 0);
const broken: string[] = [];
if (failureCount > 0) broken.push(`${failureCount} unexpected outcomes`);
if (rssGrowth > GROWTH_BOUND) broken.push(`RSS grew ${fmt(rssGrowth * 100, 1)} % after warm-up`);
if (fdGrowth > GROWTH_BOUND) broken.push(`open fds grew ${fmt(fdGrowth * 100, 1)} % after warm-up`);
if (uploadsLeft > 0) broken.push(`${uploadsLeft} multipart uploads left`);
if (errorLines.length > 0) broken.push(`${errorLines.length} error-level log lines`);
if (exitCode !== 0) broken.push(`signet exited ${exitCode} on SIGTERM`);

const out: string[] = [];
out.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
out.push(`Command: npm run soak -- --duration ${args.duration} (rate ${RATE}/s, concurrency ${CONCURRENCY}, warm-up ${WARMUP / 1000} s)`, '');
out.push(`| | |`, `|---|---|`);
out.push(`| operations | ${fmt(opsAtEnd)} in ${fmt(loadClockAtEnd / 1000)} s of load; ${fmt((opsAtEnd - opsAtWarmup) / judgedSeconds, 1)} ops/s after warm-up (target ${RATE}); ${behind} ticks skipped at the concurrency cap |`);
out.push(`| signet_requests_total | ${fmt(metric(finalMetrics, 'signet_requests_total'))} client requests (seeding included), ${fmt(metric(finalMetrics, 'signet_requests_total') / (loadClockAtEnd / 1000), 1)} req/s |`);
out.push(`| by operation | ${[...done].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')} |`);
out.push(`| unexpected outcomes | **${failureCount}**${failureCount > 0 ? ': ' + [...failures].map(([k, v]) => `${k} ×${v}`).join('; ') : ''} |`);
out.push(`| injected (as intended) | ${[...injected].map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}; signet logged ${status499} × 499 |`);
out.push(`| credentials | ${creds.issued} sets issued (the first at start, then one every ~60 s), ${fmt(metric(finalMetrics, 'signet_credentials_refreshes_total{result="failure"}'))} failed refreshes |`);
out.push(`| multipart | started ${metric(finalMetrics, 'signet_multipart_uploads_started_total')}, completed ${metric(finalMetrics, 'signet_multipart_uploads_completed_total')}, aborted ${metric(finalMetrics, 'signet_multipart_uploads_aborted_total')}; **${uploadsLeft} left** in the store |`);
for (const s of snapshots) out.push(`| ${s.label} (t=${fmt(s.t)} s, idle) | RSS ${fmt(s.rss, 1)} MiB, ${s.fds} open fds, ${s.connections} client connections |`);
out.push(`| RSS under load, median of each ${fmt(WINDOW / 1000)} s window (read every 2 s) | start ${fmt(rssStart, 1)} MiB, middle ${fmt(rssMiddle, 1)} MiB, end ${fmt(rssEnd, 1)} MiB |`);
out.push(`| growth after warm-up | RSS ${fmt(rssGrowth * 100, 1)} % (window medians), fds ${fmt(fdGrowth * 100, 1)} % (idle points); bound ${GROWTH_BOUND * 100} % |`);
out.push(`| under load (every 10 s) | RSS ${fmt(Math.min(...timeline.map((s) => s.rss)), 1)}–${fmt(Math.max(...timeline.map((s) => s.rss)), 1)} MiB, fds ${Math.min(...timeline.map((s) => s.fds))}–${Math.max(...timeline.map((s) => s.fds))} |`);
out.push(`| RSS MiB every 10 s | ${timeline.map((x) => fmt(x.rss)).join(' ')} |`);
out.push(`| JS heap used MiB every 10 s | ${timeline.map((x) => fmt(x.heap)).join(' ')} |`);
out.push(`| event-loop delay p99 (per 10 s, signet's /metrics) | median ${fmt(loopP99s[Math.floor(loopP99s.length / 2)] ?? NaN, 1)} ms, max ${fmt(loopP99s.at(-1) ?? NaN, 1)} ms |`);
out.push(`| for comparison | this driver's own event-loop delay p99 ${fmt(driverLoop.percentile(99) / 1e6, 1)} ms; machine load average ${fmt(loadAtWarmup, 1)} → ${fmt(loadAtEnd, 1)} on ${cpus().length} cores |`);
out.push(`| signet CPU after warm-up | ${fmt(cpuAtEnd - cpuAtWarmup, 1)} s (${fmt((100 * (cpuAtEnd - cpuAtWarmup)) / judgedSeconds, 1)} % of a core; pauses for the idle points included) |`);
out.push(`| error-level log lines | ${errorLines.length}${errorLines.length > 0 ? ': ' + errorLines.slice(0, 3).join(' ') : ''} |`);
out.push(`| SIGTERM at the end | exit ${exitCode} |`);
out.push('', broken.length === 0 ? 'Result: every bound held.' : `Result: BOUND BROKEN: ${broken.join('; ')}.`);
console.log(out.join('\n'));
process.exitCode = broken.length === 0 ? 0 : 1;
