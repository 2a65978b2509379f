/** `npm run fuzz:http -- [--seed N] [--requests N] [--concurrency N] [--timeout-ms N] [--mode sidecar|gateway|routes]` */
import { parseArgs } from 'node:util';
import { runFuzz, summarize } from '../bench/fuzz/http-fuzz.js';
import type { Mode } from '../bench/fuzz/http-fuzz.js';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
const { values } = parseArgs({ options: {
  seed: { type: 'string', default: '1' }, requests: { type: 'string', default: '100000' },
  concurrency: { type: 'string', default: '32' }, 'timeout-ms': { type: 'string', default: '10000' }, mode: { type: 'string' },
} });
const modes: Mode[] = values.mode === 'sidecar' || values.mode === 'gateway' || values.mode === 'routes' ? [values.mode] : ['sidecar', 'gateway', 'routes'];
const results = await runFuzz({ seed: Number(values.seed), requests: Number(values.requests), concurrency: Number(values.concurrency),
  timeoutMs: Number(values['timeout-ms']), modes, log: (l) => console.log(l) });
console.log(summarize(results));
const bad = results.some((r) => r.crashes.length > 0 || r.hangs.length > 0 || r.healthFailures > 0);
process.exit(bad ? 1 : 0);
