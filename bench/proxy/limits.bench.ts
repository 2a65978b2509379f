// Issue 14, "closer to the limits": signet against the least a Node signing proxy can do
// (bench/lib/minimal-forwarder.mjs), in one run, rounds alternating (ABAB…) so that the shared
// VM's drift hits both alike. Figures per round, then medians and ranges.
//
//   npm run build && npm --prefix bench ci && apt-get install -y wrk
//   npx tsx bench/proxy/limits.bench.ts            (BENCH_ONLY=small|stream|download, BENCH_ROUNDS, BENCH_SECONDS)
//
// Small requests: 1 KiB GETs, wrk -t1 -c64 on CPU 0 with the upstream; the proxy under test alone
// on CPU 1. Measured per request: the proxy's CPU time (user + system from /proc, over the run)
// and the bytes it allocated on the V8 heap (bench/lib/alloc-probe.mjs, from V8's GC reports).
// Streaming: 1 GiB PUTs with a Content-Length, the client (this process) and the upstream on
// CPU 0; each proxy either on CPU 1 alone (no spare CPU: signet hashes on its event loop) or
// allowed both CPUs (where signet's hashing thread can run beside its event loop; with
// --hash-offload on, auto and off). "Unsigned pipe" is the minimal forwarder: UNSIGNED-PAYLOAD.
// Downloads: 256 MiB GETs, the client (this process) and the upstream on CPU 0, each proxy alone
// on CPU 1: the answer path (undici's parser to the client's socket) with nothing to hash.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { baselineCheckout } from '../lib/baseline.js';
import { cpuSeconds, peakRssMiB, startPrinting, stop } from '../lib/procs.js';
import { fmt, getStream, median, pinned, pinSelf, putStream, root, startSignet, startSink } from '../lib/signet-proc.js';
import { wrk } from '../lib/wrk.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ONLY = process.env.BENCH_ONLY ?? '';
const PROBE = `${root}/bench/lib/alloc-probe.mjs`;
const GIB = 1024 ** 3;

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly allocFile: string;
}

async function startMinimal(name: string, upstream: string, cpus: string, allocFile: string): Promise<Proc> {
  const env = { ...process.env, ALLOC_PROBE_FILE: allocFile };
  const { child, line } = await startPrinting(...pinned(cpus, 'node', ['--import', PROBE, `${root}/bench/lib/minimal-forwarder.mjs`, upstream]), env);
  return { name, child, url: `http://127.0.0.1:${line.trim()}`, allocFile };
}

async function startSignetProc(name: string, upstream: string, port: number, cpus: string, extra: string[], allocFile: string, checkout?: string): Promise<Proc> {
  const child = await startSignet(upstream, port, ['--upstream-capabilities', 'all', ...extra], {
    cpus, nodeArgs: ['--import', PROBE], env: { ALLOC_PROBE_FILE: allocFile }, ...(checkout === undefined ? {} : { checkout }),
  });
  return { name, child, url: `http://127.0.0.1:${port}`, allocFile };
}

/** Heap bytes the process has allocated so far (alloc-probe.mjs writes them on SIGUSR2). */
async function allocated(p: Proc): Promise<number> {
  const before = statMs(p.allocFile);
  p.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await sleep(20);
    if (statMs(p.allocFile) !== before) return Number(readFileSync(p.allocFile, 'utf8'));
  }
  return Number.NaN;
}

function statMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

const range = (xs: readonly number[], d = 0): string => `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;

/**
 * signet and the minimal forwarder, each alone on CPU 1; with BENCH_BASELINE=<commit>, that build
 * of signet too, as "before" (on `port + 2`).
 */
async function startCompared(upstream: string, port: number, tag: string): Promise<Proc[]> {
  const file = (who: string): string => `${tmpdir()}/alloc-${tag}-${who}-${process.pid}`;
  const procs = [
    await startSignetProc('signet', upstream, port, '1', [], file('signet')),
    await startMinimal('minimal forwarder', upstream, '1', file('minimal')),
  ];
  const baseline = process.env.BENCH_BASELINE;
  if (baseline !== undefined) {
    procs.push(await startSignetProc(`signet before (${baseline})`, upstream, port + 2, '1', [], file('base'), baselineCheckout(baseline)));
  }
  return procs;
}

async function small(lines: string[]): Promise<void> {
  const sink = await startSink();
  const procs = await startCompared(sink.url, 18610, 'small');
  const baseline = process.env.BENCH_BASELINE;
  const cpu = new Map<string, number[]>(procs.map((p) => [p.name, []]));
  const bytes = new Map<string, number[]>(procs.map((p) => [p.name, []]));
  const rps = new Map<string, number[]>(procs.map((p) => [p.name, []]));
  const p99 = new Map<string, number[]>(procs.map((p) => [p.name, []]));
  const ratios: number[] = [];
  const baseRatios: number[] = [];
  const direct: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      direct.push((await wrk(`${sink.url}/bkt/key`, 64, 2, 0)).rps);
      // Each round in another order (ABC, CBA, …), so that drift on the shared VM hits all alike.
      const order = round % 2 === 0 ? procs : [...procs].reverse();
      const perReq: Record<string, number> = {};
      for (const p of order) {
        await wrk(`${p.url}/bkt/key`, 64, 1, 0);
        const cpu0 = cpuSeconds(p.child.pid!);
        const a0 = await allocated(p);
        const r = await wrk(`${p.url}/bkt/key`, 64, SECONDS, 0);
        const a1 = await allocated(p);
        const us = ((cpuSeconds(p.child.pid!) - cpu0) / r.requests) * 1e6;
        if (r.errors > 0) throw new Error(`${p.name} answered ${r.errors} errors or non-2xx`);
        perReq[p.name] = us;
        cpu.get(p.name)!.push(us);
        bytes.get(p.name)!.push((a1 - a0) / r.requests / 1024);
        rps.get(p.name)!.push(r.rps);
        p99.get(p.name)!.push(r.p99ms);
      }
      ratios.push(perReq['signet']! / perReq['minimal forwarder']!);
      if (baseline !== undefined) baseRatios.push(perReq[`signet before (${baseline})`]! / perReq['minimal forwarder']!);
    }
  } finally {
    for (const p of procs) await stop(p.child);
    await stop(sink.child);
    for (const p of procs) rmSync(p.allocFile, { force: true });
  }
  lines.push(`### 1 KiB GET, wrk -t1 -c64, ${ROUNDS} rounds of ${SECONDS} s alternating; median (range)`, '',
    `direct: ${range(direct)} req/s`, '',
    '| proxy | CPU µs/req | heap KiB allocated/req | req/s | p99 ms |', '|---|---:|---:|---:|---:|');
  for (const p of procs) {
    lines.push(`| ${p.name} | ${range(cpu.get(p.name)!, 1)} | ${range(bytes.get(p.name)!, 1)} | ${range(rps.get(p.name)!)} | ${range(p99.get(p.name)!, 1)} |`);
  }
  lines.push('', `signet CPU per request ÷ the minimal forwarder's, per round: ${ratios.map((r) => fmt(r, 2)).join(', ')} — median ${fmt(median(ratios), 2)}`);
  if (baseline !== undefined) lines.push(`before ÷ the minimal forwarder's, per round: ${baseRatios.map((r) => fmt(r, 2)).join(', ')} — median ${fmt(median(baseRatios), 2)}`);
  lines.push('');
}

async function stream(lines: string[]): Promise<void> {
  pinSelf();
  const sink = await startSink();
  const dir = tmpdir();
  const procs = [
    await startMinimal('unsigned pipe (minimal forwarder), CPU 1', sink.url, '1', `${dir}/alloc-m1-${process.pid}`),
    await startSignetProc('signet streaming-signed, CPU 1', sink.url, 18620, '1', ['--payload', 'streaming'], `${dir}/alloc-s1-${process.pid}`),
    await startMinimal('unsigned pipe (minimal forwarder), CPUs 0,1', sink.url, '0,1', `${dir}/alloc-m2-${process.pid}`),
    await startSignetProc('signet streaming-signed, CPUs 0,1, --hash-offload on', sink.url, 18630, '0,1', ['--payload', 'streaming', '--hash-offload', 'on'], `${dir}/alloc-s2-${process.pid}`),
    await startSignetProc('signet streaming-signed, CPUs 0,1, --hash-offload auto', sink.url, 18640, '0,1', ['--payload', 'streaming'], `${dir}/alloc-s3-${process.pid}`),
    await startSignetProc('signet streaming-signed, CPUs 0,1, --hash-offload off', sink.url, 18650, '0,1', ['--payload', 'streaming', '--hash-offload', 'off'], `${dir}/alloc-s4-${process.pid}`),
  ];
  const mbs = new Map<string, number[]>(procs.map((p) => [p.name, []]));
  const cpuS = new Map<string, number[]>(procs.map((p) => [p.name, []]));
  const direct: number[] = [];
  const ratio1: number[] = [];
  const ratio2: number[] = [];
  const ratio3: number[] = [];
  const ratio4: number[] = [];
  const rss = new Map<string, number>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(GIB / 1e6 / (await putStream(`${sink.url}/bkt/big`, GIB)));
      const order = round % 2 === 0 ? procs : [...procs].reverse();
      const got: Record<string, number> = {};
      for (const p of order) {
        const c0 = cpuSeconds(p.child.pid!);
        const seconds = await putStream(`${p.url}/bkt/big`, GIB);
        cpuS.get(p.name)!.push(cpuSeconds(p.child.pid!) - c0);
        got[p.name] = GIB / 1e6 / seconds;
        mbs.get(p.name)!.push(got[p.name]!);
      }
      ratio1.push(got[procs[1]!.name]! / got[procs[0]!.name]!);
      ratio2.push(got[procs[3]!.name]! / got[procs[2]!.name]!);
      ratio3.push(got[procs[4]!.name]! / got[procs[2]!.name]!);
      ratio4.push(got[procs[5]!.name]! / got[procs[2]!.name]!);
    }
    for (const p of procs) rss.set(p.name, peakRssMiB(p.child.pid!));
  } finally {
    for (const p of procs) await stop(p.child);
    await stop(sink.child);
    for (const p of procs) rmSync(p.allocFile, { force: true });
  }
  lines.push(`### 1 GiB PUT with Content-Length, ${ROUNDS} rounds alternating; client and upstream on CPU 0; median (range)`, '',
    `direct: ${range(direct)} MB/s`, '', '| proxy | MB/s | proxy CPU s per GiB | peak RSS MiB |', '|---|---:|---:|---:|');
  for (const p of procs) lines.push(`| ${p.name} | ${range(mbs.get(p.name)!)} | ${range(cpuS.get(p.name)!, 2)} | ${fmt(rss.get(p.name)!, 0)} |`);
  lines.push('', `signed ÷ unsigned pipe, per round — CPU 1: ${ratio1.map((r) => fmt(r, 2)).join(', ')} (median ${fmt(median(ratio1), 2)}); ` +
    `CPUs 0,1 with --hash-offload on: ${ratio2.map((r) => fmt(r, 2)).join(', ')} (median ${fmt(median(ratio2), 2)}); ` +
    `auto: ${ratio3.map((r) => fmt(r, 2)).join(', ')} (median ${fmt(median(ratio3), 2)}); off: ${ratio4.map((r) => fmt(r, 2)).join(', ')} (median ${fmt(median(ratio4), 2)})`, '');
}

const DOWNLOAD = 256 * 1024 * 1024;

async function download(lines: string[]): Promise<void> {
  pinSelf();
  const sink = await startSink();
  const procs = await startCompared(sink.url, 18660, 'download');
  const path = `/bkt/big?size=${DOWNLOAD}`;
  const mbs = new Map<string, number[]>(procs.map((p) => [p.name, []]));
  const cpuS = new Map<string, number[]>(procs.map((p) => [p.name, []]));
  const direct: number[] = [];
  const rss = new Map<string, number>();
  try {
    await getStream(`${sink.url}${path}`);
    for (let round = 0; round < ROUNDS; round++) {
      const d = await getStream(`${sink.url}${path}`);
      direct.push(d.bytes / 1e6 / d.seconds);
      const order = round % 2 === 0 ? procs : [...procs].reverse();
      for (const p of order) {
        const c0 = cpuSeconds(p.child.pid!);
        const r = await getStream(`${p.url}${path}`);
        if (r.bytes !== DOWNLOAD) throw new Error(`${p.name}: ${r.bytes} of ${DOWNLOAD} bytes`);
        cpuS.get(p.name)!.push(((cpuSeconds(p.child.pid!) - c0) * GIB) / DOWNLOAD);
        mbs.get(p.name)!.push(r.bytes / 1e6 / r.seconds);
      }
    }
    for (const p of procs) rss.set(p.name, peakRssMiB(p.child.pid!));
  } finally {
    for (const p of procs) await stop(p.child);
    await stop(sink.child);
    for (const p of procs) rmSync(p.allocFile, { force: true });
  }
  lines.push(`### 256 MiB GET, ${ROUNDS} rounds alternating; client and upstream on CPU 0, each proxy on CPU 1; median (range)`, '',
    `direct: ${range(direct)} MB/s`, '', '| proxy | MB/s | proxy CPU s per GiB | peak RSS MiB |', '|---|---:|---:|---:|');
  for (const p of procs) lines.push(`| ${p.name} | ${range(mbs.get(p.name)!)} | ${range(cpuS.get(p.name)!, 2)} | ${fmt(rss.get(p.name)!, 0)} |`);
  lines.push('');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines: string[] = [];
  if (ONLY === '' || ONLY === 'small') await small(lines);
  if (ONLY === '' || ONLY === 'stream') await stream(lines);
  if (ONLY === '' || ONLY === 'download') await download(lines);
  console.log(lines.join('\n'));
}
