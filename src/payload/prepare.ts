import type { Readable } from 'node:stream';
import { SignetError } from '../errors.js';
import {
  AMZ_DECODED_CONTENT_LENGTH, AMZ_TRAILER, AWS_CHUNKED, CONTENT_ENCODING, EMPTY_SHA256, STREAMING_UNSIGNED_TRAILER,
  UNSIGNED_PAYLOAD,
} from '../sigv4/constants.js';
import { createAwsChunkedDecoder } from '../sigv4/aws-chunked-decoder.js';
import { createAwsChunkedEncoder } from '../sigv4/aws-chunked-encoder.js';
import type { ChunkHasher } from '../sigv4/aws-chunked-encoder.js';
import { awsChunkedEncodedLength } from '../sigv4/aws-chunked-length.js';
import { awsChunkedContentSha256, awsChunkedModeOf } from '../sigv4/aws-chunked-wire.js';
import type { AwsChunkedMode, ChunkSigningContext } from '../sigv4/aws-chunked-wire.js';
import { checksumAlgorithmOf, checksumTrailerName } from '../sigv4/trailer-checksum.js';
import type { ChecksumAlgorithm } from '../sigv4/trailer-checksum.js';
import type { SignedRequest } from '../sigv4/signer.js';
import { BodyRelay } from './body-relay.js';
import { readBody } from './read-body.js';
import { Spool } from './spool.js';
import { chooseStrategy } from './strategy.js';
import type { PayloadPolicy, Strategy } from './strategy.js';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The body facts the pipeline read from the client's headers. */
export interface BodyFacts {
  readonly contentLength: number; // -1 when absent
  readonly chunked: boolean; // Transfer-Encoding: chunked
  readonly clientPayloadHash: string; // '' when absent
  readonly contentEncoding: string; // '' when absent
  readonly decodedContentLength: number; // -1 when absent
  readonly trailer: string; // x-amz-trailer, lower case, '' when absent
  /** The client's signing context when its signed aws-chunked body can be verified (gateway mode). */
  readonly clientSigning?: ChunkSigningContext | null;
}

export interface PayloadSettings extends PayloadPolicy {
  readonly chunkSize: number;
  /** Requests are signed with SigV4A: signed aws-chunked bodies carry ECDSA chunk signatures. */
  readonly sigv4a?: boolean | undefined;
  readonly spoolDir: string;
  readonly spoolMemory: number;
  readonly maxSpool: number;
  readonly onSpoolBytes?: (delta: number) => void;
  /** Signed streaming hashes its chunks on worker threads when a core is spare (hash-pool.ts). */
  readonly hashPool?: { forUpload(): ChunkHasher | undefined };
}

/**
 * A body ready to be signed and sent. `payloadHash` goes into the signature; `headers` replace
 * the client's body headers; `body()` is called once per attempt, after signing, because signed
 * aws-chunked chains its chunk signatures from the request's own signature.
 */
export interface PreparedPayload {
  readonly strategy: Strategy;
  readonly payloadHash: string;
  /** -1: length unknown to signet (never happens for S3 bodies; kept for the type's honesty). */
  readonly contentLength: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly replayable: boolean;
  body(signed: SignedRequest): Buffer | Readable | null;
  /**
   * The upstream answered before it had the whole body: stop the stream handed to it, leaving the
   * client's request readable (its rest is discarded, not sent).
   */
  abandon(): void;
  /** Lets go of what the body held (a spool); undefined when there was nothing to wait for. */
  dispose(): Promise<void> | undefined;
}

const NOTHING = (): undefined => undefined;
const NO_STREAM = (): void => undefined;
const ignore = (): void => undefined;

function drained(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('data', ignore);
    stream.once('end', resolve);
    stream.once('error', reject);
  });
}

function checkContract(contract: string, sha256: string): void {
  if (contract !== '' && contract !== sha256) throw new SignetError('XAmzContentSHA256Mismatch', 'body differs from the client x-amz-content-sha256');
}

/** A streamed body: what was handed to undici, kept so it can be stopped when the upstream answers early. */
function streamed(make: () => Readable): { body: () => Readable; abandon: () => void } {
  let stream: Readable | null = null;
  return {
    body: () => (stream = make()),
    abandon: () => {
      if (stream !== null && !stream.destroyed) stream.destroy();
    },
  };
}

/** content-encoding without `aws-chunked` (it describes the framing we remove), or null when nothing is left. */
function withoutAwsChunked(encoding: string): string | null {
  const rest = encoding.split(',').map((s) => s.trim()).filter((s) => s !== '' && s.toLowerCase() !== AWS_CHUNKED);
  return rest.length === 0 ? null : rest.join(',');
}

/** The headers of a body that goes upstream aws-chunked: the client's own encoding kept in front. */
function awsChunkedHeaders(base: Readonly<Record<string, string>>, encoding: string | null, decodedLength: number): Record<string, string> {
  return {
    ...base,
    [CONTENT_ENCODING]: encoding === null ? AWS_CHUNKED : encoding + ',' + AWS_CHUNKED,
    [AMZ_DECODED_CONTENT_LENGTH]: String(decodedLength),
  };
}

/**
 * Decides the strategy and does the reading it needs before signing (buffering, spooling). The
 * source is the client's request stream; bodies of clients that aws-chunked themselves are
 * decoded first (their chunk signatures were made with keys signet does not hold), except a
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER body that the upstream takes as it is.
 */
export function preparePayload(source: Readable, facts: BodyFacts, settings: PayloadSettings): PreparedPayload | Promise<PreparedPayload> {
  const clientMode = awsChunkedModeOf(facts.clientPayloadHash);
  const clientAwsChunked = clientMode !== undefined || facts.contentEncoding.toLowerCase().includes(AWS_CHUNKED);
  // The client's own content-encoding (gzip, br…) is object metadata S3 stores: it is always
  // forwarded. Only `aws-chunked`, which describes the client's framing, is taken out of it.
  const encoding = clientAwsChunked ? withoutAwsChunked(facts.contentEncoding) : facts.contentEncoding === '' ? null : facts.contentEncoding;
  const baseHeaders: Record<string, string> = {};
  if (encoding !== null) baseHeaders[CONTENT_ENCODING] = encoding;
  // A hex x-amz-content-sha256 is the client's contract for the body: S3 checks it where it is
  // forwarded (client-hash); where signet hashes the body itself, signet checks it.
  const contract = !clientAwsChunked && HEX_SHA256.test(facts.clientPayloadHash) ? facts.clientPayloadHash : '';
  const hasBody = facts.chunked || facts.contentLength > 0;
  if (!hasBody) {
    // Most requests (GET, HEAD, DELETE): answered here, without a promise to wait on.
    checkContract(contract, EMPTY_SHA256);
    return { strategy: 'empty', payloadHash: EMPTY_SHA256, contentLength: 0, headers: baseHeaders, replayable: true, body: () => null, abandon: NO_STREAM, dispose: NOTHING };
  }
  return prepareBody(source, facts, settings, { clientMode, clientAwsChunked, encoding, baseHeaders, contract });
}

/** What preparePayload read from the client's body headers, for the strategies that read a body. */
interface BodyHeaderFacts {
  readonly clientMode: AwsChunkedMode | undefined;
  readonly clientAwsChunked: boolean;
  readonly encoding: string | null;
  readonly baseHeaders: Record<string, string>;
  readonly contract: string;
}

async function prepareBody(source: Readable, facts: BodyFacts, settings: PayloadSettings, h: BodyHeaderFacts): Promise<PreparedPayload> {
  const { clientMode, clientAwsChunked, encoding, baseHeaders, contract } = h;
  let length = facts.chunked ? -1 : facts.contentLength;
  let trailerAlgorithm: ChecksumAlgorithm | undefined;
  if (clientAwsChunked) {
    if (facts.decodedContentLength < 0) {
      throw new SignetError('MissingContentLength', 'aws-chunked body without x-amz-decoded-content-length');
    }
    length = facts.decodedContentLength;
    trailerAlgorithm = facts.trailer === '' ? undefined : checksumAlgorithmOf(facts.trailer);
  }
  const strategy = chooseStrategy(
    {
      length,
      clientHexHash: !clientAwsChunked && HEX_SHA256.test(facts.clientPayloadHash),
      clientUnsignedTrailer: clientMode === 'unsigned-trailer',
    },
    settings,
  );

  if (strategy === 'chunked-passthrough') {
    // Byte for byte: the framing is unsigned, so re-signing the headers is all it takes.
    const headers = awsChunkedHeaders(baseHeaders, encoding, length);
    if (facts.trailer !== '') headers[AMZ_TRAILER] = facts.trailer;
    return {
      strategy, payloadHash: STREAMING_UNSIGNED_TRAILER, contentLength: facts.chunked ? -1 : facts.contentLength,
      headers, replayable: false, ...streamed(() => new BodyRelay(source)), dispose: NOTHING,
    };
  }

  // From here on the body signet sends is the decoded data.
  const decoder = clientAwsChunked
    ? createAwsChunkedDecoder({
        expectedDecodedLength: length,
        trailer: facts.trailer === '' ? undefined : facts.trailer,
        signed: clientMode !== undefined && clientMode !== 'unsigned-trailer' ? (facts.clientSigning ?? undefined) : undefined,
      })
    : null;
  const data: Readable = decoder === null ? source : source.pipe(decoder);
  if (decoder !== null) {
    source.on('error', (err) => decoder.destroy(err));
    // A malformed body fails the request that sent it, through whoever reads the decoder next
    // (buffering, spooling, undici); until one does, this listener keeps its 'error' from being
    // an uncaught exception that would take the process down.
    decoder.on('error', ignore);
  }
  /** After the data is read: the checksum the client sent in its trailer, to forward as a header. */
  const clientChecksumHeader = (): Record<string, string> => {
    if (decoder === null || trailerAlgorithm === undefined) return {};
    const name = checksumTrailerName(trailerAlgorithm);
    const value = decoder.trailers.get(name);
    return value === undefined ? {} : { [name]: value };
  };

  switch (strategy) {
    case 'empty': {
      // An aws-chunked body that decodes to nothing: read its framing to the end (it may still be
      // malformed, or carry a trailer checksum), send no body.
      await drained(data);
      return { strategy, payloadHash: EMPTY_SHA256, contentLength: 0, headers: baseHeaders, replayable: true, body: () => null, abandon: NO_STREAM, dispose: NOTHING };
    }
    case 'client-hash':
      return {
        strategy, payloadHash: facts.clientPayloadHash, contentLength: length, headers: baseHeaders, replayable: false,
        ...streamed(() => (data === source ? new BodyRelay(source) : data)), dispose: NOTHING,
      };
    case 'buffered': {
      const { body, sha256 } = await readBody(data, length);
      checkContract(contract, sha256);
      return {
        strategy, payloadHash: sha256, contentLength: length, headers: { ...baseHeaders, ...clientChecksumHeader() },
        replayable: true, body: () => body, abandon: NO_STREAM, dispose: NOTHING,
      };
    }
    case 'spooled': {
      const spool = new Spool({
        dir: settings.spoolDir, memoryLimit: settings.spoolMemory, maxBytes: settings.maxSpool,
        ...(settings.onSpoolBytes ? { onBytes: settings.onSpoolBytes } : {}),
      });
      try {
        await spool.fill(data);
      } catch (err) {
        await spool.dispose();
        throw err;
      }
      if (length >= 0 && spool.length !== length) {
        await spool.dispose();
        throw new SignetError('IncompleteBody', `received ${spool.length} of ${length} bytes`);
      }
      try {
        checkContract(contract, spool.sha256);
      } catch (err) {
        await spool.dispose();
        throw err;
      }
      return {
        strategy, payloadHash: spool.sha256, contentLength: spool.length, headers: { ...baseHeaders, ...clientChecksumHeader() },
        replayable: true, body: () => spool.open(), abandon: NO_STREAM, dispose: () => spool.dispose(),
      };
    }
    case 'unsigned':
      return {
        strategy, payloadHash: UNSIGNED_PAYLOAD, contentLength: length, headers: baseHeaders, replayable: false,
        ...streamed(() => (data === source ? new BodyRelay(source) : data)), dispose: NOTHING,
      };
    case 'streaming-signed':
    case 'unsigned-trailer': {
      const mode: AwsChunkedMode =
        strategy === 'unsigned-trailer' ? 'unsigned-trailer' : trailerAlgorithm !== undefined && settings.capabilities.has('unsigned-trailer') ? 'signed-trailer' : 'signed';
      const trailer = mode === 'signed' ? undefined : (trailerAlgorithm ?? 'crc32');
      const ecdsa = settings.sigv4a === true && mode !== 'unsigned-trailer';
      const layout = { mode, chunkSize: settings.chunkSize, trailer, ecdsa };
      const encodedLength = awsChunkedEncodedLength(length, layout);
      const headers = awsChunkedHeaders(baseHeaders, encoding, length);
      if (trailer !== undefined) headers[AMZ_TRAILER] = checksumTrailerName(trailer);
      let sent: Readable | null = null;
      return {
        strategy, payloadHash: awsChunkedContentSha256(mode, ecdsa), contentLength: encodedLength, headers, replayable: false,
        body: (signed) => {
          const isSigned = mode !== 'unsigned-trailer';
          const encoder = createAwsChunkedEncoder({
            ...layout, decodedLength: length,
            signed: !isSigned ? undefined : {
              signingKey: signed.signingKey, amzDate: signed.amzDate, scope: signed.scope, seedSignature: signed.signature,
              ecdsaKey: signed.ecdsaKey,
            },
            hasher: isSigned ? settings.hashPool?.forUpload() : undefined,
          });
          data.on('error', (err) => encoder.destroy(err));
          sent = data.pipe(encoder);
          return sent;
        },
        abandon: () => {
          if (sent !== null && !sent.destroyed) sent.destroy();
          if (data !== source && !data.destroyed) data.destroy();
        },
        dispose: NOTHING,
      };
    }
    default:
      throw new SignetError('InternalError', `unhandled payload strategy ${strategy}`);
  }
}
