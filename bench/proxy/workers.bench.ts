// --workers 1 vs 2 on 1 KiB GETs through signet (wrk, 64 connections), as users run it:
// `bin/signet.js serve` (build first: npm run build), info logging to /dev/null, metrics on.
// Run: npx tsx bench/proxy/workers.bench.ts   (BENCH_SECONDS=8, BENCH_ROUNDS=2)
//
// Two placements, because a 2-core machine cannot give signet two cores *and* the load generator
// one of its own:
//   pinned (default)   — signet (primary and workers) on CPU 1; wrk and the upstream on CPU 0.
//                        Two workers then share one core: this shows what the cluster costs.
//   BENCH_PIN=off      — nothing pinned: signet's processes, wrk and the upstream share both cores.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds, stop } from '../lib/procs.js';
import { fmt, median, PIN, pinSelf, startSignet, startSink } from '../lib/signet-proc.js';
import { hasWrk, wrk } from '../lib/wrk.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PORT = 18580;

/** The process and its children (the workers), from /proc. */
function tree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter((s) => s !== '').map(Number);
  } catch {
    // gone
  }
  return [pid, ...children.flatMap(tree)];
}

const treeCpu = (pid: number): number => tree(pid).reduce((sum, p) => {
  try {
    return sum + cpuSeconds(p);
  } catch {
    return sum;
  }
}, 0);

interface Row { rps: number; p50: number; p99: number; cpuUs: number; primaryUs: number; errors: number }

async function measure(workers: number, sinkUrl: string): Promise<Row> {
  const signet = await startSignet(sinkUrl, PORT, ['--upstream-capabilities', 'all', '--workers', String(workers)]);
  try {
    const url = `http://127.0.0.1:${PORT}/bkt/key`;
    // Each worker warms up its own JIT.
    await wrk(url, 64, 3, PIN ? 0 : undefined);
    const cpu0 = treeCpu(signet.pid!);
    const primary0 = cpuSeconds(signet.pid!);
    const r = await wrk(url, 64, SECONDS, PIN ? 0 : undefined);
    const cpu = treeCpu(signet.pid!) - cpu0;
    const primary = cpuSeconds(signet.pid!) - primary0;
    // On a loaded VM wrk's 2 s socket timeout fires now and then: counted, shown, not fatal.
    return { errors: r.errors, rps: r.rps, p50: r.p50ms, p99: r.p99ms, cpuUs: (cpu / r.requests) * 1e6, primaryUs: workers === 1 ? Number.NaN : (primary / r.requests) * 1e6 };
  } finally {
    await stop(signet);
    // Workers leave once their primary is gone.
    await sleep(500);
  }
}

export async function runWorkersBench(): Promise<string> {
  if (!(await hasWrk())) throw new Error('wrk is not installed (apt-get install -y wrk)');
  const lines = [`### --workers 1 vs 2, 1 KiB GET, wrk -t1 -c64, ${SECONDS} s, median of ${ROUNDS} rounds`, '',
    '| placement | workers | req/s | p50 ms | p99 ms | signet CPU µs/req (all processes) | of which primary | vs 1 worker | wrk errors (all rounds) |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
  pinSelf();
  const sink = await startSink();
  const rows = new Map<number, Row[]>([[1, []], [2, []]]);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of [1, 2]) rows.get(w)!.push(await measure(w, sink.url));
    }
  } finally {
    await stop(sink.child);
  }
  const med = (w: number, k: keyof Row): number => median(rows.get(w)!.map((r) => r[k]));
  for (const w of [1, 2]) {
    lines.push(`| ${PIN ? 'signet on CPU 1; wrk + upstream on CPU 0' : 'nothing pinned (2 CPUs shared)'} | ${w} | ${fmt(med(w, 'rps'))} | ${fmt(med(w, 'p50'), 2)} | ${fmt(med(w, 'p99'), 2)} | ${fmt(med(w, 'cpuUs'), 1)} | ${w === 1 ? '(no primary)' : fmt(med(w, 'primaryUs'), 1)} | ${fmt((100 * med(w, 'rps')) / med(1, 'rps'))} % | ${rows.get(w)!.reduce((n, r) => n + r.errors, 0)} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runWorkersBench().then((text) => console.log(text), (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
