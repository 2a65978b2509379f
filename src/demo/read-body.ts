import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AMZ_CHECKSUM_PREFIX, CONTENT_MD5 } from '../sigv4/constants.js';
import { AwsChunkedDecoder } from './aws-chunked-decoder.js';
import type { ChunkEvents } from './aws-chunked-decoder.js';
import { createChecksum } from './checksum.js';
import type { Checksum } from './checksum.js';
import type { ChecksumAlgorithm } from './constants.js';
import { ChunkVerifier } from './chunk-verifier.js';
import { DemoError, badDigest } from './demo-error.js';
import type { Authenticated } from './authenticate.js';
import type { PayloadPlan } from './payload-plan.js';

/** The decoded body, verified. `parts` is empty when bodies are discarded. */
export interface ReceivedBody {
  parts: Buffer[];
  size: number;
  md5: Buffer;
  /** Verified checksums (base64), whether they came as headers or as a trailer. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  wireBytes: number;
  wireSha256: string;
}

export interface ReadOptions {
  discard: boolean;
  hashWire: boolean;
}

/**
 * Reads the whole body once, streaming: hashes, checks chunk signatures and checksums as the
 * bytes pass. After the first failure the rest is drained unread, so the client gets the error
 * instead of a reset; the failure is thrown at the end.
 */
export async function readBody(req: IncomingMessage, plan: PayloadPlan, auth: Authenticated | null, options: ReadOptions): Promise<ReceivedBody> {
  const parts: Buffer[] = [];
  let size = 0;
  const md5 = createHash('md5');
  const sha256: Hash | null = plan.mode === 'hex' ? createHash('sha256') : null;
  const sums = new Map<ChecksumAlgorithm, Checksum>();
  for (const [algorithm] of plan.headerChecksums) sums.set(algorithm, createChecksum(algorithm));
  if (plan.trailerChecksum !== undefined && !sums.has(plan.trailerChecksum)) sums.set(plan.trailerChecksum, createChecksum(plan.trailerChecksum));
  const take = (data: Buffer): void => {
    size += data.length;
    md5.update(data);
    sha256?.update(data);
    for (const sum of sums.values()) sum.update(data);
    if (!options.discard) parts.push(data);
  };

  const trailers = new Map<string, string>();
  let verifier: ChunkVerifier | null = null;
  let decoder: AwsChunkedDecoder | null = null;
  if (plan.mode === 'signed-chunked' || plan.mode === 'unsigned-trailer') {
    if (plan.mode === 'signed-chunked' && auth !== null) {
      verifier = new ChunkVerifier(await auth.chunkCheck(), auth.amzDate, auth.scope, auth.seedSignature);
    }
    const v = verifier;
    const events: ChunkEvents = {
      chunkStart: (n, signature) => v?.chunkStart(n, signature ?? ''),
      data: (bytes) => { v?.data(bytes); take(bytes); },
      chunkEnd: () => v?.chunkEnd(),
      trailer: (name, value) => { trailers.set(name, value); v?.trailer(name, value); },
    };
    decoder = new AwsChunkedDecoder(events, plan.mode === 'signed-chunked', plan.trailerChecksum !== undefined);
  }

  const wire = options.hashWire ? createHash('sha256') : null;
  let wireBytes = 0;
  let failure: unknown = null;
  for await (const buf of req as AsyncIterable<Buffer>) {
    wireBytes += buf.length;
    wire?.update(buf);
    if (failure !== null) continue;
    try {
      if (decoder !== null) decoder.write(buf);
      else take(buf);
    } catch (err) {
      failure = err;
      parts.length = 0;
    }
  }
  if (failure !== null) throw failure;

  if (decoder !== null) {
    decoder.end();
    if (size !== plan.decodedLength) {
      throw new DemoError(400, 'IncompleteBody', `The decoded body has ${size} bytes but x-amz-decoded-content-length says ${String(plan.decodedLength)}`);
    }
    if (plan.signedTrailer) verifier?.finishTrailer();
  }
  if (sha256 !== null) {
    const computed = sha256.digest('hex');
    if (computed !== plan.sha256) {
      throw new DemoError(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", [
        ['ClientComputedContentSHA256', plan.sha256 ?? ''], ['S3ComputedContentSHA256', computed],
      ]);
    }
  }
  const md5Digest = md5.digest();
  const checksums = verifyChecksums(plan, sums, trailers);
  const contentMd5 = req.headers[CONTENT_MD5];
  if (typeof contentMd5 === 'string') {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) throw new DemoError(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
    if (contentMd5 !== md5Digest.toString('base64')) throw badDigest('The Content-MD5 you specified did not match what we received.');
  }
  return { parts, size, md5: md5Digest, checksums, wireBytes, wireSha256: wire === null ? '' : wire.digest('hex') };
}

function verifyChecksums(plan: PayloadPlan, sums: Map<ChecksumAlgorithm, Checksum>, trailers: Map<string, string>): Partial<Record<ChecksumAlgorithm, string>> {
  const verified: Partial<Record<ChecksumAlgorithm, string>> = {};
  const expected: Array<[ChecksumAlgorithm, string | undefined]> = [...plan.headerChecksums];
  if (plan.trailerChecksum !== undefined) {
    expected.push([plan.trailerChecksum, trailers.get(AMZ_CHECKSUM_PREFIX + plan.trailerChecksum)]);
  }
  for (const [algorithm, value] of expected) {
    if (value === undefined) throw new DemoError(400, 'MalformedTrailerError', `The request contained a trailer header ${AMZ_CHECKSUM_PREFIX}${algorithm} that was not sent.`);
    const actual = verified[algorithm] ?? (sums.get(algorithm) as Checksum).digestBase64();
    if (actual !== value) throw badDigest(`The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
    verified[algorithm] = actual;
  }
  return verified;
}
