// End to end: the same load, direct to a local upstream and through signet, in one run.
// Run: npm --prefix bench ci && npx tsx bench/proxy/proxy.bench.ts
// signet runs as users run it: `signet serve`, info logging (to /dev/null) and metrics on.
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { cpuSeconds, peakRssMiB, startPrinting, stop } from '../lib/procs.js';
import { fmt, PIN, pinned, putStream, root, startSignet, startSink, strategyOf } from '../lib/signet-proc.js';
import { hasWrk, wrk } from '../lib/wrk.js';
import type { LoadResult } from '../lib/wrk.js';

const require = createRequire(import.meta.url);
type AutocannonResult = { requests: { average: number; total: number }; latency: { p50: number; p99: number }; throughput: { average: number }; non2xx: number; errors: number };
const autocannon = require('../node_modules/autocannon') as (opts: object) => Promise<AutocannonResult>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

// As in the research runs (reference/protocol.md §5c): signet alone on CPU 1; the upstream and
// the load generator share CPU 0, for the direct run and the proxied run alike.

async function load(url: string, connections: number, opts: object = {}): Promise<AutocannonResult> {
  return autocannon({ url, connections, duration: SECONDS, pipelining: 1, ...opts });
}


export async function runProxyBench(): Promise<string> {
  const lines: string[] = [];
  const sink = await startSink();
  const signet = await startSignet(sink.url, 18480, ['--upstream-capabilities', 'all']);
  const naiveStart = await startPrinting(...pinned(1, 'node', [`${root}/bench/lib/naive-proxy.mjs`, sink.url]));
  const naive = { child: naiveStart.child, url: `http://127.0.0.1:${naiveStart.line.trim()}` };
  // The floor (issue 14): node:http in, undici out, aws4 UNSIGNED-PAYLOAD, no logs or metrics.
  const minimalStart = await startPrinting(...pinned(1, 'node', [`${root}/bench/lib/minimal-forwarder.mjs`, sink.url]));
  const minimal = { child: minimalStart.child, url: `http://127.0.0.1:${minimalStart.line.trim()}` };
  try {
    const useWrk = await hasWrk();
    const get = async (url: string, c: number, seconds: number): Promise<LoadResult> => {
      if (useWrk) return wrk(url, c, seconds, PIN ? 0 : undefined);
      const r = await load(url, c, { duration: seconds });
      return { rps: r.requests.average, p50ms: r.latency.p50, p99ms: r.latency.p99, requests: r.requests.total, errors: r.non2xx + r.errors };
    };
    lines.push(`### 1 KiB GET (load: ${useWrk ? 'wrk -t1' : 'autocannon'}${PIN ? '; signet on CPU 1, upstream and load generator on CPU 0' : ''})`, '',
      '| path | connections | req/s | p50 ms | p99 ms | proxy CPU µs/req | vs direct |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const c of [1, 64]) {
      await get(`${sink.url}/bkt/key`, c, 2);
      const direct = await get(`${sink.url}/bkt/key`, c, SECONDS);
      await get('http://127.0.0.1:18480/bkt/key', c, 2);
      const cpu0 = cpuSeconds(signet.pid!);
      const via = await get('http://127.0.0.1:18480/bkt/key', c, SECONDS);
      const cpuPerReq = ((cpuSeconds(signet.pid!) - cpu0) / via.requests) * 1e6;
      if (via.errors > 0) throw new Error(`signet answered ${via.errors} errors or non-2xx`);
      await get(`${naive.url}/bkt/key`, c, 2);
      const ncpu0 = cpuSeconds(naive.child.pid!);
      const nv = await get(`${naive.url}/bkt/key`, c, SECONDS);
      const naiveCpu = ((cpuSeconds(naive.child.pid!) - ncpu0) / nv.requests) * 1e6;
      await get(`${minimal.url}/bkt/key`, c, 2);
      const mcpu0 = cpuSeconds(minimal.child.pid!);
      const mv = await get(`${minimal.url}/bkt/key`, c, SECONDS);
      const minimalCpu = ((cpuSeconds(minimal.child.pid!) - mcpu0) / mv.requests) * 1e6;
      lines.push(`| direct | ${c} | ${fmt(direct.rps)} | ${fmt(direct.p50ms, 2)} | ${fmt(direct.p99ms, 2)} | | |`);
      lines.push(`| signet | ${c} | ${fmt(via.rps)} | ${fmt(via.p50ms, 2)} | ${fmt(via.p99ms, 2)} | ${fmt(cpuPerReq, 1)} | ${fmt((100 * via.rps) / direct.rps)} % |`);
      lines.push(`| http-proxy + aws4 (comparison) | ${c} | ${fmt(nv.rps)} | ${fmt(nv.p50ms, 2)} | ${fmt(nv.p99ms, 2)} | ${fmt(naiveCpu, 1)} | ${fmt((100 * nv.rps) / direct.rps)} % |`);
      lines.push(`| minimal forwarder (the floor) | ${c} | ${fmt(mv.rps)} | ${fmt(mv.p50ms, 2)} | ${fmt(mv.p99ms, 2)} | ${fmt(minimalCpu, 1)} | ${fmt((100 * mv.rps) / direct.rps)} % |`);
    }
    lines.push('', '### 1 MiB PUT (buffered and hashed through signet), 8 concurrent clients', '', '| path | req/s | MB/s | p99 ms |', '|---|---:|---:|---:|');
    for (const [name, url] of [['direct', `${sink.url}/bkt/put`], ['signet', 'http://127.0.0.1:18480/bkt/put']] as const) {
      const r = await putLoop(url, 1024 * 1024, 8, SECONDS);
      lines.push(`| ${name} | ${fmt(r.rps)} | ${fmt((r.rps * 1024 * 1024) / 1e6)} | ${fmt(r.p99ms, 1)} |`);
    }
  } finally {
    await stop(signet);
    await stop(naive.child);
    await stop(minimal.child);
  }

  if (process.env.BENCH_PARTS === 'small') {
    await stop(sink.child);
    return lines.join('\n');
  }
  const GIB = 1024 * 1024 * 1024;
  lines.push('', '### 1 GiB PUT, one client, per payload mode (fresh signet process each)', '', '| mode | strategy | seconds | MB/s | signet peak RSS MiB |', '|---|---|---:|---:|---:|');
  const directSeconds = await putStream(`${sink.url}/bkt/big`, GIB);
  lines.push(`| direct (no proxy) | | ${fmt(directSeconds, 2)} | ${fmt(GIB / 1e6 / directSeconds)} | |`);
  const modes: Array<[string, string[], boolean]> = [
    ['auto', [], false],
    ['streaming', ['--payload', 'streaming'], false],
    ['unsigned-trailer', ['--payload', 'unsigned-trailer'], false],
    ['unsigned', ['--payload', 'unsigned'], false],
    ['signed', ['--payload', 'signed', '--max-spool', '2GiB'], false],
    ['auto, Transfer-Encoding: chunked', ['--max-spool', '2GiB'], true],
  ];
  let port = 18500;
  for (const [name, args, chunked] of modes) {
    const p = (port += 2);
    const proc = await startSignet(sink.url, p, ['--upstream-capabilities', 'all', ...args]);
    try {
      const seconds = await putStream(`http://127.0.0.1:${p}/bkt/big`, GIB, chunked);
      const strategy = await strategyOf(p + 1);
      lines.push(`| ${name} | ${strategy} | ${fmt(seconds, 2)} | ${fmt(GIB / 1e6 / seconds)} | ${fmt(peakRssMiB(proc.pid!), 0)} |`);
    } finally {
      await stop(proc);
    }
  }
  await stop(sink.child);
  return lines.join('\n');
}

/** `clients` keep-alive clients, each PUTting `size` bytes back to back for `seconds`. */
async function putLoop(url: string, size: number, clients: number, seconds: number): Promise<{ rps: number; p99ms: number }> {
  const body = Buffer.alloc(size, 99);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(url, { method: 'PUT', agent, headers: { 'content-length': size } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
          latencies.push(performance.now() - t0);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < until) await one();
  }));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p99ms: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN };
}


if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runProxyBench());
}
