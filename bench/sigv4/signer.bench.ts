// Header-auth signing throughput: signet vs @smithy/signature-v4 (the AWS SDK's signer) vs aws4,
// all signing the same GET with four headers, a query parameter and a 420-char session token;
// then SigV4A: signet vs @smithy/signature-v4a (the JS SDK's SigV4A signer), and the key derivation.
// Run: npx tsx bench/sigv4/signer.bench.ts   (bench deps: npm --prefix bench ci)
import { createRequire } from 'node:module';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { SignatureV4a } from '@smithy/signature-v4a';
import { deriveSigV4aPrivateKey, sigV4aKeyPairOf } from '../../src/sigv4/sigv4a-key.js';
import { presignV4a } from '../../src/sigv4/sigv4a-presign.js';
import { signRequestV4a } from '../../src/sigv4/sigv4a-signer.js';
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

const smithyV4a = new SignatureV4a({ credentials, region: '*', service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });

/** SigV4A rows; `vs smithy` is against @smithy/signature-v4a. */
export async function runSigV4aBench(ms = 2000): Promise<Array<{ name: string; ops: number }>> {
  const rows: Array<{ name: string; ops: number }> = [];
  rows.push({
    name: 'signet signRequestV4a',
    ops: await opsPerSecond(() =>
      signRequestV4a({ method: 'GET', path: '/photos/2026/a%20b.jpg', query: [['versionId', '3']], headers }, {
        credentials, regionSet: ['*'], service: 's3', date: new Date(), payloadHash: EMPTY_SHA256,
      }), ms),
  });
  rows.push({
    name: 'signet presignV4a',
    ops: await opsPerSecond(() =>
      presignV4a({ method: 'GET', path: '/photos/2026/a%20b.jpg', query: [['versionId', '3']], headers: { host } }, {
        credentials, regionSet: ['*'], service: 's3', date: new Date(), expiresSeconds: 3600,
      }), ms),
  });
  rows.push({
    name: '@smithy/signature-v4a sign',
    ops: await opsPerSecond(() =>
      smithyV4a.sign(
        { method: 'GET', protocol: 'https:', hostname: host, path: '/photos/2026/a%20b.jpg', query: { versionId: '3' }, headers: { ...headers, 'x-amz-content-sha256': EMPTY_SHA256 } },
        { signingDate: new Date() },
      ), ms, true),
  });
  rows.push({
    name: 'signet SigV4A key derivation + import (uncached)',
    ops: await opsPerSecond(() => sigV4aKeyPairOf(deriveSigV4aPrivateKey(credentials.accessKeyId, credentials.secretAccessKey)), ms),
  });
  return rows;
}

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
  const v4a = await runSigV4aBench();
  const smithyV4aOps = v4a.find((r) => r.name.startsWith('@smithy'))!.ops;
  console.log('\n| SigV4A | ops/s | µs/op | vs smithy v4a |\n|---|---:|---:|---:|');
  for (const r of v4a) console.log(`| ${r.name} | ${fmt(r.ops)} | ${fmt(1e6 / r.ops, 1)} | ${fmt(r.ops / smithyV4aOps, 2)}× |`);
}
