// Multipart conversion (issue 13): 1 GiB uploads of unknown length (Transfer-Encoding: chunked)
// and of known length above the threshold, through signet and direct, in one run; then part size
// × concurrency. Run: npm run bench:multipart (BENCH_ROUNDS=3, BENCH_GIB=1, BENCH_ONLY=main|latency|sizes, BENCH_PART_DELAY_MS=50).
// Upstream: bench/lib/sink.mjs, which speaks the multipart calls and discards every body, so
// signet's peak RSS is signet's own. A fresh signet process per upload (VmHWM is per process).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, peakRssMiB, stop } from '../lib/procs.js';
import { fmt, median, pinSelf, putStream, sinkStats, startSignet, startSink, strategyOf } from '../lib/signet-proc.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZE = Math.round(Number(process.env.BENCH_GIB ?? 1) * 1024 ** 3);
const MiB = 1024 * 1024;
const PART_DELAY_MS = Number(process.env.BENCH_PART_DELAY_MS ?? 50);

/** Bytes on disk under `dir` (blocks, so a sparse or half-written file counts as what it holds). */
function diskUsed(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      total += statSync(join(dir, name)).blocks * 512;
    } catch { /* deleted meanwhile */ }
  }
  return total;
}

interface Run {
  readonly seconds: number;
  readonly mbps: number;
  readonly rssMiB: number;
  readonly cpuSeconds: number;
  readonly spoolPeakMiB: number;
  readonly strategy: string;
  readonly parts: number;
}

interface Case {
  readonly name: string;
  /** null: direct to the sink. */
  readonly args: readonly string[] | null;
  readonly chunked: boolean;
}

let port = 18600;

async function runCase(sinkUrl: string, c: Case): Promise<Run> {
  const before = await sinkStats(sinkUrl);
  if (c.args === null) {
    const seconds = await putStream(`${sinkUrl}/bkt/big`, SIZE, c.chunked);
    return { seconds, mbps: SIZE / 1e6 / seconds, rssMiB: Number.NaN, cpuSeconds: Number.NaN, spoolPeakMiB: 0, strategy: '', parts: 0 };
  }
  const spool = mkdtempSync(join(tmpdir(), 'signet-bench-spool-'));
  const p = (port += 2);
  const proc = await startSignet(sinkUrl, p, ['--upstream-capabilities', 'all', '--spool-dir', spool, '--max-spool', '2GiB', ...c.args]);
  let spoolPeak = 0;
  const watch = setInterval(() => { spoolPeak = Math.max(spoolPeak, diskUsed(spool)); }, 20);
  try {
    const cpu0 = cpuSeconds(proc.pid!);
    const seconds = await putStream(`http://127.0.0.1:${p}/bkt/big`, SIZE, c.chunked);
    const cpu = cpuSeconds(proc.pid!) - cpu0;
    clearInterval(watch);
    const rssMiB = peakRssMiB(proc.pid!);
    const strategy = await strategyOf(p + 1);
    const after = await sinkStats(sinkUrl);
    const got = after.bytes - before.bytes;
    // Every byte must have reached the upstream (plus the Complete call's XML).
    if (got < SIZE) throw new Error(`${c.name}: the upstream received ${got} of ${SIZE} bytes`);
    return { seconds, mbps: SIZE / 1e6 / seconds, rssMiB, cpuSeconds: cpu, spoolPeakMiB: spoolPeak / MiB, strategy, parts: after.parts - before.parts };
  } finally {
    clearInterval(watch);
    await stop(proc);
    rmSync(spool, { recursive: true, force: true });
  }
}

/** ROUNDS rounds of every case, interleaved (so drift on the shared VM hits all alike); medians, and each relative to the direct run of its round. */
async function table(sinkUrl: string, cases: readonly Case[], directName: string): Promise<string[]> {
  const runs = new Map<string, Run[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of cases) runs.get(c.name)!.push(await runCase(sinkUrl, c));
  }
  const direct = runs.get(directName)!;
  const lines = [
    '| path | strategy | parts | s | MB/s | vs direct | signet CPU s | peak RSS MiB | spool on disk, peak MiB | MB/s per round |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const c of cases) {
    const rs = runs.get(c.name)!;
    const rel = rs.map((x, i) => x.mbps / direct[i]!.mbps);
    lines.push(`| ${c.name} | ${rs[0]!.strategy} | ${rs[0]!.parts || ''} | ${fmt(median(rs.map((x) => x.seconds)), 2)} | ${fmt(median(rs.map((x) => x.mbps)))} | ` +
      `${c.args === null ? '' : fmt(100 * median(rel), 1) + ' %'} | ${c.args === null ? '' : fmt(median(rs.map((x) => x.cpuSeconds)), 2)} | ` +
      `${c.args === null ? '' : fmt(median(rs.map((x) => x.rssMiB)))} | ${c.args === null ? '' : fmt(Math.max(...rs.map((x) => x.spoolPeakMiB)))} | ${rs.map((x) => fmt(x.mbps)).join(', ')} |`);
  }
  return lines;
}

export async function runMultipartBench(): Promise<string> {
  pinSelf();
  const sink = await startSink();
  const gib = fmt(SIZE / 1024 ** 3, 2);
  const out: string[] = [];
  const threshold = String(Math.floor(SIZE / 4));
  try {
    await putStream(`${sink.url}/bkt/warm-up`, SIZE, true); // the client's own JIT warm-up, not measured
    const only = process.env.BENCH_ONLY ?? 'all'; // all | main | sizes | latency
    if (only === 'all' || only === 'main') {
      out.push(`### ${gib} GiB of unknown length (Transfer-Encoding: chunked), ${ROUNDS} rounds, medians`, '');
      out.push(...await table(sink.url, [
        { name: 'direct (no proxy)', args: null, chunked: true },
        { name: 'signet, multipart on (default: 8 MiB parts, concurrency 4)', args: [], chunked: true },
        { name: 'signet, `--multipart off` (spooled)', args: ['--multipart', 'off'], chunked: true },
      ], 'direct (no proxy)'));
      out.push('', `### ${gib} GiB with a Content-Length: streaming single PUT vs converted (\`--multipart-threshold\` a quarter of it), ${ROUNDS} rounds, medians`, '');
      out.push(...await table(sink.url, [
        { name: 'direct (no proxy)', args: null, chunked: false },
        { name: 'signet, single PUT (default threshold 5GiB)', args: [], chunked: false },
        { name: `signet, \`--multipart-threshold ${threshold}\` (8 MiB parts, concurrency 4)`, args: ['--multipart-threshold', threshold], chunked: false },
        { name: 'signet, single PUT, `--payload unsigned-trailer`', args: ['--payload', 'unsigned-trailer'], chunked: false },
      ], 'direct (no proxy)'));
    }
    if (only === 'all' || only === 'latency') {
      // With an upstream that answers each UploadPart 50 ms after its last byte, as S3 takes its
      // time per part, concurrency is what keeps the client's bytes flowing.
      const slow = await startSink(PART_DELAY_MS);
      try {
        const cases: Case[] = [{ name: 'direct (no proxy)', args: null, chunked: true }];
        for (const conc of [1, 2, 4, 8]) cases.push({ name: `8 MiB parts, --multipart-concurrency ${conc}`, args: ['--multipart-concurrency', String(conc)], chunked: true });
        out.push('', `### Concurrency against an upstream that answers each part ${PART_DELAY_MS} ms after its body, ${gib} GiB chunked, ${ROUNDS} rounds, medians`, '');
        out.push(...await table(slow.url, cases, 'direct (no proxy)'));
      } finally {
        await stop(slow.child);
      }
    }
    if (only === 'all' || only === 'sizes') {
      const sweep: Case[] = [{ name: 'direct (no proxy)', args: null, chunked: true }];
      for (const size of [8, 16, 32]) {
        for (const conc of [2, 4, 8]) {
          sweep.push({ name: `--part-size ${size}MiB --multipart-concurrency ${conc}`, args: ['--part-size', `${size}MiB`, '--multipart-concurrency', String(conc)], chunked: true });
        }
      }
      out.push('', `### Part size × concurrency, ${gib} GiB chunked, ${ROUNDS} rounds, medians`, '');
      out.push(...await table(sink.url, sweep, 'direct (no proxy)'));
    }
  } finally {
    await stop(sink.child);
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runMultipartBench());
}
