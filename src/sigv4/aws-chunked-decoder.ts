import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { EMPTY_SHA256 } from './constants.js';
import { SigV4Error } from './errors.js';
import type { SigV4ErrorCode } from './errors.js';
import { chunkSignature } from './chunk-signature.js';
import type { ChunkSigningContext } from './aws-chunked-wire.js';
import { parseChunkSizeLine, parseTrailerLine } from './aws-chunked-line.js';
import { AwsChunkedTrailers, sameSignature } from './aws-chunked-trailers.js';

export interface AwsChunkedDecoderOptions {
  /** Verify every chunk signature and the trailer signature, chained from the seed. */
  readonly signed?: ChunkSigningContext | undefined;
  /** `x-amz-decoded-content-length`; a body of another length errors with SIGV4_CHUNK_LENGTH. */
  readonly expectedDecodedLength?: number | undefined;
  /**
   * The `x-amz-trailer` header. The checksum it names is computed while the data streams and the
   * trailer checked against it; a verifiable checksum trailer it does not announce is refused.
   */
  readonly trailer?: string | undefined;
  readonly maxChunkSize?: number;
  readonly maxHeaderLineBytes?: number;
}

const enum State { SizeLine, Data, DataCr, DataLf, TrailerLine, MaybeLateTrailers, Done }

function fail(code: SigV4ErrorCode, what: string): SigV4Error {
  return new SigV4Error(code, 'aws-chunked: ' + what);
}

/**
 * Decodes an aws-chunked body as it arrives: data is pushed on in the pieces it came in, and only
 * one header or trailer line is ever held. A signature is checked when its chunk ends, so a bad
 * chunk's data has already been pushed: whoever consumes this stream must abort on its error.
 * The one exception is the last chunk of a signed body of known length: its data is held back
 * until the final chunk and the trailer have been verified, because a consumer that streams the
 * decoded bytes upstream with a Content-Length completes the upload with its last byte — a
 * tampered or truncated last chunk must fail the request before that, never after.
 */
export class AwsChunkedDecoder extends Transform {
  /** Trailers read (lower-case name → value), signature excluded; complete after 'end'. */
  readonly trailers: ReadonlyMap<string, string>;
  private readonly trailerSection: AwsChunkedTrailers;
  private readonly signing: ChunkSigningContext | undefined;
  private readonly expectedLength: number | undefined;
  private readonly maxChunkSize: number;
  private readonly line: Buffer;
  private state = State.SizeLine;
  private lineLength = 0;
  private chunkLeft = 0;
  private decoded = 0;
  private hash: Hash | undefined = undefined;
  private expectedSignature = '';
  private previousSignature: string;
  private sawBlankLine = false;
  private holding = false;
  private held: Buffer[] = [];

  constructor(options: AwsChunkedDecoderOptions = {}) {
    super();
    this.signing = options.signed;
    this.expectedLength = options.expectedDecodedLength;
    this.maxChunkSize = options.maxChunkSize ?? 16 * 1024 * 1024;
    // The line buffer also holds the CR before the LF.
    this.line = Buffer.allocUnsafe((options.maxHeaderLineBytes ?? 4096) + 1);
    this.previousSignature = options.signed?.seedSignature ?? '';
    this.trailerSection = new AwsChunkedTrailers(options.trailer, options.signed);
    this.trailers = this.trailerSection.values;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(data);
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.state === State.MaybeLateTrailers) {
      this.state = State.Done;
      try {
        this.trailerSection.finish();
      } catch (err) {
        callback(err as Error);
        return;
      }
    }
    if (this.state !== State.Done) {
      callback(fail('SIGV4_CHUNK_TRUNCATED', 'body ended before the final chunk'));
      return;
    }
    for (const piece of this.held) this.push(piece);
    this.held = [];
    callback();
  }

  private consume(data: Buffer): void {
    const n = data.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.SizeLine:
        case State.TrailerLine: {
          const lf = data.indexOf(0x0a, i);
          const end = lf < 0 ? n : lf;
          if (this.lineLength + end - i > this.line.length) throw fail('SIGV4_CHUNK_TOO_LARGE', 'line exceeds the limit');
          this.lineLength += data.copy(this.line, this.lineLength, i, end);
          if (lf < 0) return;
          i = lf + 1;
          if (this.lineLength === 0 || this.line[this.lineLength - 1] !== 0x0d) {
            throw fail('SIGV4_CHUNK_MALFORMED', 'line not ended by CRLF');
          }
          const length = this.lineLength - 1;
          this.lineLength = 0;
          if (this.state === State.SizeLine) this.onSizeLine(length);
          else this.onTrailerLine(length);
          break;
        }
        case State.Data: {
          const take = Math.min(this.chunkLeft, n - i);
          const piece = take === n ? data : data.subarray(i, i + take);
          this.hash?.update(piece);
          this.trailerSection.update(piece);
          if (this.holding) this.held.push(piece);
          else this.push(piece);
          i += take;
          this.chunkLeft -= take;
          if (this.chunkLeft === 0) {
            if (this.hash !== undefined) this.verifyChunk(this.hash.digest('hex'));
            this.state = State.DataCr;
          }
          break;
        }
        case State.DataCr:
        case State.DataLf:
          if (data[i] !== (this.state === State.DataCr ? 0x0d : 0x0a)) {
            throw fail('SIGV4_CHUNK_MALFORMED', 'chunk data not followed by CRLF');
          }
          i++;
          this.state = this.state === State.DataCr ? State.DataLf : State.SizeLine;
          break;
        case State.MaybeLateTrailers:
          // Some writers put a blank line between the 0-size chunk and the trailers; read on.
          this.state = State.TrailerLine;
          break;
        case State.Done:
          throw fail('SIGV4_CHUNK_MALFORMED', 'bytes after the end of the body');
      }
    }
  }

  private onSizeLine(length: number): void {
    const { size, signature } = parseChunkSizeLine(this.line, length, this.maxChunkSize);
    if (this.signing !== undefined) {
      if (signature === undefined) throw fail('SIGV4_CHUNK_MALFORMED', 'chunk without a chunk-signature');
      this.expectedSignature = signature;
    }
    this.decoded += size;
    if (this.expectedLength !== undefined && this.decoded > this.expectedLength) {
      throw fail('SIGV4_CHUNK_LENGTH', 'body is longer than its decoded length');
    }
    if (size > 0) {
      this.chunkLeft = size;
      this.hash = this.signing === undefined ? undefined : createHash('sha256');
      this.holding = this.signing !== undefined && this.decoded === this.expectedLength;
      this.state = State.Data;
      return;
    }
    if (this.signing !== undefined) this.verifyChunk(EMPTY_SHA256);
    if (this.expectedLength !== undefined && this.decoded !== this.expectedLength) {
      throw fail('SIGV4_CHUNK_LENGTH', 'body is shorter than its decoded length');
    }
    this.state = State.TrailerLine;
  }

  private verifyChunk(chunkSha256Hex: string): void {
    const s = this.signing as ChunkSigningContext;
    const expected = chunkSignature(s.signingKey, s.amzDate, s.scope, this.previousSignature, chunkSha256Hex);
    if (!sameSignature(expected, this.expectedSignature)) throw fail('SIGV4_CHUNK_SIGNATURE', 'chunk signature does not match');
    this.previousSignature = expected;
  }

  private onTrailerLine(length: number): void {
    if (length > 0) {
      this.trailerSection.add(parseTrailerLine(this.line, length), this.previousSignature);
    } else if (this.trailerSection.empty && !this.sawBlankLine) {
      this.sawBlankLine = true;
      this.state = State.MaybeLateTrailers;
    } else {
      this.state = State.Done;
      this.trailerSection.finish();
    }
  }
}

export function createAwsChunkedDecoder(options: AwsChunkedDecoderOptions = {}): AwsChunkedDecoder {
  return new AwsChunkedDecoder(options);
}
