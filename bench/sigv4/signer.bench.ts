// Header-auth signing throughput: signet vs @smithy/signature-v4 (the AWS SDK's signer) vs aws4,
// all signing the same GET with four headers, a query parameter and a 420-char session token.
// Run: npx tsx bench/sigv4/signer.bench.ts   (bench deps: npm --prefix bench ci)
import { createRequire } from 'node:module';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { signRequest } from '../../src/sigv4/signer.js';
import { presign } from '../../src/sigv4/presign.js';
import { EMPTY_SHA256 } from '../../src/sigv4/constants.js';
import { fmt, opsPerSecond } from '../lib/measure.js';

const require = createRequire(import.meta.url);
const aws4 = require('./../node_modules/aws4') as { sign(opts: object, creds: object): unknown };

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'T'.repeat(420),
};
const host = 'examplebucket.s3.us-east-1.amazonaws.com';
const headers = { host, range: 'bytes=0-1023', 'content-type': 'application/octet-stream', 'x-amz-meta-owner': 'team a' };
const date = new Date();

const smithy = new SignatureV4({ credentials, region: 'us-east-1', service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });

export async function runSignerBench(ms = 2000): Promise<Array<{ name: string; ops: number }>> {
  const rows: Array<{ name: string; ops: number }> = [];
  rows.push({
    name: 'signet signRequest',
    ops: await opsPerSecond(() =>
      signRequest({ method: 'GET', path: '/photos/2026/a%20b.jpg', query: [['versionId', '3']], headers }, {
        credentials, region: 'us-east-1', service: 's3', date: new Date(), payloadHash: EMPTY_SHA256,
      }), ms),
  });
  rows.push({
    name: 'signet presign',
    ops: await opsPerSecond(() =>
      presign({ method: 'GET', path: '/photos/2026/a%20b.jpg', query: [['versionId', '3']], headers: { host } }, {
        credentials, region: 'us-east-1', service: 's3', date: new Date(), expiresSeconds: 3600,
      }), ms),
  });
  rows.push({
    name: '@smithy/signature-v4 sign',
    ops: await opsPerSecond(() =>
      smithy.sign(
        { method: 'GET', protocol: 'https:', hostname: host, path: '/photos/2026/a%20b.jpg', query: { versionId: '3' }, headers: { ...headers, 'x-amz-content-sha256': EMPTY_SHA256 } },
        { signingDate: new Date() },
      ), ms, true),
  });
  rows.push({
    name: 'aws4 sign',
    ops: await opsPerSecond(() =>
      aws4.sign({ host, path: '/photos/2026/a%20b.jpg?versionId=3', method: 'GET', service: 's3', region: 'us-east-1', headers: { ...headers } }, credentials),
      ms),
  });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  void date;
  const rows = await runSignerBench();
  const smithyOps = rows.find((r) => r.name.startsWith('@smithy'))!.ops;
  console.log('| signer | ops/s | µs/op | vs smithy |\n|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${fmt(r.ops)} | ${fmt(1e6 / r.ops, 1)} | ${fmt(r.ops / smithyOps, 2)}× |`);
}
