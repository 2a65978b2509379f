// Per-request cost of gateway admission's policy pieces (issue 12): the source-range match on the
// TCP peer, a limiter slot taken and released, the policy check, and the DeleteObjects reader.
// Run: npx tsx bench/proxy/admission.bench.ts
import { addressAllowed, Cidr } from '../../src/proxy/cidr.js';
import { ClientLimiter } from '../../src/proxy/client-limiter.js';
import { checkPolicy } from '../../src/proxy/client-policy.js';
import { parseInboundClients } from '../../src/proxy/inbound-clients.js';
import { parseDeleteObjects } from '../../src/s3/delete-objects-xml.js';
import { fmt, opsPerSecond } from '../lib/measure.js';

const ranges = ['10.0.0.0/8', '2001:db8::/32', '127.0.0.0/8'].map((r) => Cidr.parse(r)!);
const limiter = new ClientLimiter({ maxConcurrent: 1000, requestsPerSecond: 1e6, burst: 1e6 }, performance.now() / 1000);
const policy = parseInboundClients(`clients:
  - accessKeyId: K
    secret: s
    buckets: ["team-a-*", "shared"]
    keys: ["uploads/*", "reports/*/2026/*"]
    actions: ["read-only", "s3:PutObject"]
`, 'bench').get('K')!.policy!;
const keys = Array.from({ length: 1000 }, (_, i) => `<Object><Key>reports/team &amp; co/2026/file-${i}.csv</Key></Object>`);
const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${keys.join('')}</Delete>`);

export async function runAdmissionBench(ms = 1500): Promise<Array<{ name: string; ops: number }>> {
  const rows: Array<{ name: string; ops: number }> = [];
  rows.push({ name: 'sourceCidrs: 3 ranges, peer ::ffff:127.0.0.1 (last)', ops: await opsPerSecond(() => addressAllowed(ranges, '::ffff:127.0.0.1'), ms) });
  rows.push({ name: 'sourceCidrs: 3 ranges, peer 2001:db8::1', ops: await opsPerSecond(() => addressAllowed(ranges, '2001:db8::1'), ms) });
  rows.push({
    name: 'limiter: acquire + release',
    ops: await opsPerSecond(() => {
      limiter.tryAcquire(performance.now() / 1000);
      limiter.release();
    }, ms),
  });
  rows.push({ name: 'policy: GetObject allowed', ops: await opsPerSecond(() => checkPolicy(policy, { operation: 'GetObject', bucket: 'team-a-data', key: 'reports/x/2026/y.csv', copySource: '' }), ms) });
  rows.push({ name: `DeleteObjects reader: 1000 keys (${fmt(body.length / 1024)} KiB)`, ops: await opsPerSecond(() => parseDeleteObjects(body), ms) });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('| operation | ops/s |\n|---|---:|');
  for (const r of await runAdmissionBench()) console.log(`| ${r.name} | ${fmt(r.ops)} |`);
}
