// Tracing cost (issue 16): 1 KiB GETs at 64 connections (wrk) direct, through signet with tracing
// off, and with --tracing at 100 % and 1 % sampling exporting OTLP/HTTP (protobuf) to a local
// receiver that discards; signet CPU per request and req/s. Run: npm run bench:tracing
// (BENCH_ROUNDS=3, BENCH_SECONDS=8; BENCH_BASELINE=<commit> adds that build as "before tracing").
// Then, in separate processes under strace, which @opentelemetry files signet opens with tracing
// off and on (every module file Node loads, CommonJS or ESM, is opened: the check needs nothing
// inside the process).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineCheckout } from '../lib/baseline.js';
import { cpuSeconds, peakRssMiB, startPrinting, stop } from '../lib/procs.js';
import { fmt, median, PIN, pinned, pinSelf, root, startSignet, startSink } from '../lib/signet-proc.js';
import type { SignetOptions } from '../lib/signet-proc.js';
import { wrk } from '../lib/wrk.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WRK_CPU = PIN ? 0 : undefined;

async function startOtlpSink(): Promise<{ child: ChildProcess; url: string }> {
  const { child, line } = await startPrinting(...pinned(0, 'node', [`${root}/bench/lib/otlp-sink.mjs`]));
  return { child, url: `http://127.0.0.1:${line.trim()}` };
}

const otlpStats = async (url: string): Promise<{ exports: number; bytes: number; spans: number }> =>
  (await (await fetch(`${url}/__stats`)).json()) as { exports: number; bytes: number; spans: number };

const tracingEnv = (otlp: string, ratio: string): Record<string, string> => ({
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: ratio,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp}/v1/traces`, OTEL_SERVICE_NAME: 'signet-bench',
});

interface Target {
  readonly name: string;
  readonly url: string;
  readonly proc: ChildProcess | null;
  readonly otlp: string | null;
  readonly runs: Array<{ rps: number; usPerReq: number; p99ms: number }>;
  requests: number;
}

/** Which @opentelemetry packages a signet process opens while serving GETs (strace -e openat). */
async function openedOtelPackages(sinkUrl: string, port: number, args: string[], o: SignetOptions): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-strace-'));
  const log = join(dir, 'openat.log');
  const proc = await startSignet(sinkUrl, port, args, { ...o, wrap: ['strace', '-f', '-qq', '-e', 'trace=openat', '-o', log] });
  try {
    // /readyz is the admin listener's: wait for the proxy listener too (slower under strace).
    for (let i = 0; i < 100; i++) {
      try {
        await (await fetch(`http://127.0.0.1:${port}/bkt/key`)).arrayBuffer();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await wrk(`http://127.0.0.1:${port}/bkt/key`, 8, 2, WRK_CPU);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    // strace's tracee is its child: killing strace alone would detach and leave signet running.
    const children = readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const pid of children) process.kill(Number(pid), 'SIGKILL');
    await stop(proc);
  }
  const packages = new Set<string>();
  for (const m of readFileSync(log, 'utf8').matchAll(/node_modules\/(@opentelemetry\/[^/"]+)\//g)) packages.add(m[1]!);
  rmSync(dir, { recursive: true, force: true });
  return [...packages].sort();
}

export async function runTracingBench(): Promise<string> {
  pinSelf();
  const sink = await startSink();
  const otlp100 = await startOtlpSink();
  const otlp1 = await startOtlpSink();
  const targets: Target[] = [{ name: 'direct (no proxy)', url: `${sink.url}/bkt/key`, proc: null, otlp: null, runs: [], requests: 0 }];
  const baseline = process.env.BENCH_BASELINE;
  let port = 18700;
  const add = async (name: string, args: string[], o: SignetOptions, otlp: string | null): Promise<void> => {
    const p = (port += 2);
    const proc = await startSignet(sink.url, p, ['--upstream-capabilities', 'all', ...args], o);
    targets.push({ name, url: `http://127.0.0.1:${p}/bkt/key`, proc, otlp, runs: [], requests: 0 });
  };
  const out: string[] = [];
  try {
    if (baseline !== undefined) await add(`signet before tracing (${baseline})`, [], { checkout: baselineCheckout(baseline) }, null);
    await add('signet, tracing off', [], {}, null);
    await add('signet, `--tracing`, 100 % sampled', ['--tracing'], { env: tracingEnv(otlp100.url, '1') }, otlp100.url);
    await add('signet, `--tracing`, 1 % sampled', ['--tracing'], { env: tracingEnv(otlp1.url, '0.01') }, otlp1.url);
    for (let r = 0; r < ROUNDS; r++) {
      for (const t of targets) {
        const warm = await wrk(t.url, CONNECTIONS, 2, WRK_CPU);
        const cpu0 = t.proc === null ? 0 : cpuSeconds(t.proc.pid!);
        const run = await wrk(t.url, CONNECTIONS, SECONDS, WRK_CPU);
        if (run.errors > 0 || warm.errors > 0) throw new Error(`${t.name}: ${run.errors + warm.errors} errors or non-2xx`);
        const usPerReq = t.proc === null ? Number.NaN : ((cpuSeconds(t.proc.pid!) - cpu0) / run.requests) * 1e6;
        t.runs.push({ rps: run.rps, usPerReq, p99ms: run.p99ms });
        t.requests += warm.requests + run.requests;
      }
    }
    // The batch processor exports every 5 s (OTEL_BSP_SCHEDULE_DELAY) or per 512 spans: wait for the last batch.
    await new Promise((r) => setTimeout(r, 6000));
    const direct = targets[0]!.runs;
    out.push(`### 1 KiB GET, ${CONNECTIONS} connections (wrk -t1${PIN ? '; signet on CPU 1, upstream, OTLP receiver and wrk on CPU 0' : ''}), ${ROUNDS} rounds of ${SECONDS} s, medians`, '',
      '| path | req/s | vs direct | signet CPU µs/req | p99 ms | peak RSS MiB | spans received / requests | req/s per round | µs/req per round |',
      '|---|---:|---:|---:|---:|---:|---:|---|---|');
    for (const t of targets) {
      const rel = t.runs.map((x, i) => x.rps / direct[i]!.rps);
      let spans = '';
      if (t.otlp !== null) {
        const s = await otlpStats(t.otlp);
        spans = `${fmt(s.spans)} / ${fmt(t.requests)} (${fmt((100 * s.spans) / t.requests, 1)} %)`;
      }
      const isProxy = t.proc !== null;
      out.push(`| ${t.name} | ${fmt(median(t.runs.map((x) => x.rps)))} | ${isProxy ? fmt(100 * median(rel), 1) + ' %' : ''} | ` +
        `${isProxy ? fmt(median(t.runs.map((x) => x.usPerReq)), 1) : ''} | ${fmt(median(t.runs.map((x) => x.p99ms)), 2)} | ${isProxy ? fmt(peakRssMiB(t.proc!.pid!)) : ''} | ${spans} | ` +
        `${t.runs.map((x) => fmt(x.rps)).join(', ')} | ${isProxy ? t.runs.map((x) => fmt(x.usPerReq, 1)).join(', ') : ''} |`);
    }
  } finally {
    for (const t of targets) if (t.proc !== null) await stop(t.proc);
  }
  console.log(out.join('\n')); // the figures first: the module check below is a separate step
  out.length = 0;
  try {
    const off = await openedOtelPackages(sink.url, 18790, [], {});
    const on = await openedOtelPackages(sink.url, 18792, ['--tracing'], { env: tracingEnv(otlp100.url, '1') });
    out.push('', '@opentelemetry packages whose files signet opened while serving GETs (`strace -f -e trace=openat`):', '',
    `- tracing off: ${off.length === 0 ? 'none' : off.map((p) => '`' + p + '`').join(', ')}`,
    `- \`--tracing\`: ${on.map((p) => '`' + p + '`').join(', ')}`);
  } finally {
    // Always: a helper left running holds the bench's stdout open.
    await stop(sink.child);
    await stop(otlp100.child);
    await stop(otlp1.child);
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runTracingBench());
}
