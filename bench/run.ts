// `npm run bench`: every benchmark in one run, markdown on stdout (paste into bench/RESULTS.md).
// Needs the benchmark-only dependencies (npm --prefix bench ci) and, for the GET load, wrk
// (apt-get install wrk; autocannon is used when wrk is absent; the tracing bench needs wrk, and strace).
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

const benches = ['bench/sigv4/signer.bench.ts', 'bench/sigv4/chunk-encoder.bench.ts', 'bench/proxy/proxy.bench.ts', 'bench/proxy/multipart.bench.ts',
  'bench/proxy/tracing.bench.ts'];

console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}\n`);
execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
for (const bench of benches) {
  console.log(`## ${bench}\n`);
  console.log(execFileSync('npx', ['tsx', bench], { encoding: 'utf8', maxBuffer: 1 << 24 }));
}
