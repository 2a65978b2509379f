// aws-chunked encoder throughput against plain SHA-256 over the same bytes.
// Run: npx tsx bench/sigv4/chunk-encoder.bench.ts   (BENCH_MIB=512 by default; BENCH_ROUNDS=3, best kept)
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createAwsChunkedEncoder } from '../../src/sigv4/aws-chunked-encoder.js';
import type { AwsChunkedEncoderOptions } from '../../src/sigv4/aws-chunked-encoder.js';
import { deriveSigningKey } from '../../src/sigv4/signing-key.js';
import { sigV4aKeyPair } from '../../src/sigv4/sigv4a-key.js';

const MIB = 1024 * 1024;
const totalBytes = Number(process.env['BENCH_MIB'] ?? 512) * MIB;
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const signed = {
  signingKey: deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3'),
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
};

// SigV4A: ECDSA chunk signatures (one P-256 signature per 64 KiB chunk instead of one HMAC).
const signedV4a = {
  signingKey: Buffer.alloc(0),
  amzDate: '20130524T000000Z',
  scope: '20130524/s3/aws4_request',
  seedSignature: '30440220' + '1'.repeat(64) + '0220' + '2'.repeat(64),
  ecdsaKey: sigV4aKeyPair({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }).privateKey,
};

function* pieces(size: number): Generator<Buffer> {
  const piece = Buffer.alloc(size, 0x61);
  for (let sent = 0; sent < totalBytes; sent += size) yield piece;
}

/** Seconds to push every piece through `make()` into a sink that drops what it gets. */
async function timeStream(make: () => Transform, pieceSize: number): Promise<number> {
  const sink = new Writable({ highWaterMark: 1 << 20, write: (_c, _e, cb) => cb() });
  const start = process.hrtime.bigint();
  await pipeline(Readable.from(pieces(pieceSize)), make(), sink);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function timeHash(pieceSize: number): number {
  const start = process.hrtime.bigint();
  const hash = createHash('sha256');
  for (const piece of pieces(pieceSize)) hash.update(piece);
  hash.digest();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function best(measure: () => Promise<number> | number): Promise<number> {
  let fastest = Infinity;
  for (let r = 0; r < rounds; r++) fastest = Math.min(fastest, await measure());
  return fastest;
}

const encoders: Array<[string, Omit<AwsChunkedEncoderOptions, 'decodedLength'>]> = [
  ['encoder signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', { mode: 'signed', signed }],
  ['encoder signed-trailer crc32', { mode: 'signed-trailer', trailer: 'crc32', signed }],
  ['encoder signed SigV4A (STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD)', { mode: 'signed', signed: signedV4a, ecdsa: true }],
  ['encoder unsigned-trailer crc32', { mode: 'unsigned-trailer', trailer: 'crc32' }],
  ['encoder unsigned-trailer crc32c', { mode: 'unsigned-trailer', trailer: 'crc32c' }],
];

console.log(`Node ${process.version}, ${totalBytes / MIB} MiB per run, best of ${rounds}, 64 KiB aws-chunks\n`);
for (const pieceSize of [64 * 1024, 16 * 1024]) {
  const hashSeconds = await best(() => timeHash(pieceSize));
  const mbps = (seconds: number): string => (totalBytes / 1e6 / seconds).toFixed(0);
  const rows: string[] = [`| plain createHash('sha256').update() | ${mbps(hashSeconds)} | 1.00 |`];
  const passSeconds = await best(() => timeStream(() => new PassThrough(), pieceSize));
  rows.push(`| stream pipeline alone (PassThrough, no hashing) | ${mbps(passSeconds)} | ${(hashSeconds / passSeconds).toFixed(2)} |`);
  for (const [name, options] of encoders) {
    const seconds = await best(() => timeStream(() => createAwsChunkedEncoder({ ...options, decodedLength: totalBytes }), pieceSize));
    rows.push(`| ${name} | ${mbps(seconds)} | ${(hashSeconds / seconds).toFixed(2)} |`);
  }
  console.log(`Input written in ${pieceSize / 1024} KiB pieces\n`);
  console.log('| run | MB/s | vs plain sha256 |\n|---|---:|---:|\n' + rows.join('\n') + '\n');
}
