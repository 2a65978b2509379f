// Per-request cost of metrics and logging: `npx tsx bench/observability.bench.ts [N]`.
// End to end: N sequential small GETs through signet (keep-alive) with info logging vs silent;
// metrics cannot be turned off, so the observer and the log line are also timed on their own.
import { Writable } from 'node:stream';
import pino from 'pino';
import { Agent, request } from 'undici';
import { createMetrics, requestObserver } from '../src/observability/index.js';
import { startHarness } from '../test/support/harness.js';
import { fmt } from './lib/measure.js';

const N = Number(process.argv[2] ?? 3000);

async function endToEnd(logLevel: string): Promise<number> {
  const h = await startHarness({ logLevel });
  const agent = new Agent({ connections: 1 });
  try {
    await request(`${h.url}/bench-bucket/small.txt`, { method: 'PUT', body: 'x'.repeat(64), dispatcher: agent }).then((r) => r.body.dump());
    const get = async (): Promise<void> => {
      const r = await request(`${h.url}/bench-bucket/small.txt`, { dispatcher: agent });
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    };
    for (let i = 0; i < 300; i++) await get();
    h.logs.length = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await get();
    return Number(process.hrtime.bigint() - t0) / 1e3 / N;
  } finally {
    await agent.close();
    await h.close();
  }
}

function perCall(fn: (i: number) => void, n = 200_000): number {
  for (let i = 0; i < 20_000; i++) fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

const rows: Array<[string, number]> = [];
// Alternate the two runs so drift (JIT, CPU frequency) does not favour one.
const info: number[] = [];
const silent: number[] = [];
for (let round = 0; round < 3; round++) {
  info.push(await endToEnd('info'));
  silent.push(await endToEnd('silent'));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
rows.push(['GET through signet, info logging + metrics', median(info)]);
rows.push(['GET through signet, --log-level silent (metrics on)', median(silent)]);

const metrics = createMetrics();
const observe = requestObserver(metrics);
const statuses = [200, 200, 200, 404];
rows.push(['request observer alone (counter + histogram)', perCall((i) => observe.observe('GET', 'GetObject', statuses[i & 3]!, 0.0012))]);
const sink = new Writable({ write: (_c, _e, cb) => cb() });
const logger = pino({ level: 'info', base: { service: 'signet' } }, sink);
rows.push(['request log line alone (pino → null sink)', perCall((i) => logger.info({
  reqId: '0123456789ABCDEF', method: 'GET', bucket: 'bench-bucket', op: 'GetObject', status: statuses[i & 3], bytesIn: 0, bytesOut: 64,
  ms: 1.2, upstreamMs: 0.8, payload: 'empty', retries: 0, region: 'us-east-1', s3RequestId: '0123456789ABCDEF', s3Id2: 'abc',
}, 'request'), 100_000)]);

console.log(`runs (µs): info ${info.map((x) => fmt(x, 0)).join(', ')}; silent ${silent.map((x) => fmt(x, 0)).join(', ')}`);
console.log(`\n${N} sequential GETs per run, median of 3 runs; node ${process.version}\n`);
console.log('| measurement | µs per request |');
console.log('|---|---:|');
for (const [name, us] of rows) console.log(`| ${name} | ${fmt(us, 2)} |`);
console.log(`| difference: logging cost end to end | ${fmt(median(info) - median(silent), 2)} |`);
