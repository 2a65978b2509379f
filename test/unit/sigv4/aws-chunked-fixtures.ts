// Shared inputs of the aws-chunked tests: the published vectors (protocol.md §2.6, §2.7) and a
// helper that runs bytes through a Transform with a deadline, so that a hang fails the test.
import { Readable, Writable } from 'node:stream';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { deriveSigningKey } from '../../../src/sigv4/signing-key.js';
import type { ChunkSigningContext } from '../../../src/sigv4/aws-chunked-wire.js';

export const signingKey = deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3');
export const amzDate = '20130524T000000Z';
export const scope = '20130524/us-east-1/s3/aws4_request';

export const streamingContext: ChunkSigningContext = {
  signingKey,
  amzDate,
  scope,
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
};
export const trailerContext: ChunkSigningContext = {
  ...streamingContext,
  seedSignature: '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
};

export const vectorObject = Buffer.alloc(66560, 'a');

/** §2.6 wire body, spelled out from the published signatures. */
export const streamingBody = Buffer.concat([
  Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
  Buffer.alloc(65536, 'a'),
  Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
  Buffer.alloc(1024, 'a'),
  Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
]);

/** §2.7 wire body. */
export const trailerBody = Buffer.concat([
  Buffer.from('10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n'),
  Buffer.alloc(65536, 'a'),
  Buffer.from('\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n'),
  Buffer.alloc(1024, 'a'),
  Buffer.from(
    '\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n' +
      'x-amz-checksum-crc32c:sOO8/Q==\r\n' +
      'x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n',
  ),
]);

/** Cuts `data` into pieces of the given sizes, cycling through them. */
export function split(data: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let k = 0;
  for (let i = 0; i < data.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length] ?? 1);
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Writes `pieces` through `transform` and resolves with everything it emitted; rejects after `ms`. */
export async function run(transform: Transform, pieces: Iterable<Buffer>, ms = 10_000): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('stream hung')), ms);
  });
  try {
    await Promise.race([pipeline(Readable.from(pieces), transform, sink), deadline]);
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(out);
}
