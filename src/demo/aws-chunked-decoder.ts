import { MAX_CHUNK_LINE } from './constants.js';
import { DemoError } from './demo-error.js';

/** What the decoder reports, in wire order. `data` slices never include framing bytes. */
export interface ChunkEvents {
  chunkStart(size: number, signature: string | undefined): void;
  data(bytes: Buffer): void;
  chunkEnd(): void;
  trailer(name: string, value: string): void;
}

type State = 'size' | 'data' | 'crlf' | 'trailer' | 'done';

const CR = 13;
const LF = 10;
// 64 hex (SigV4) or 144 chars of hex padded with '*' (SigV4A); the verifier checks which fits.
const SIZE_LINE = /^([0-9a-fA-F]{1,12})(?:;chunk-signature=([0-9a-f]{64}|[0-9a-f*]{144}))?$/;

const malformed = (why: string): DemoError => new DemoError(400, 'InvalidRequest', `Malformed aws-chunked body: ${why}`);

/**
 * A push decoder for aws-chunked bodies (sigv4-streaming): `hex;chunk-signature=sig\r\n data \r\n`
 * repeated, a 0-size chunk, then trailer lines and an empty line. Written for the demo server
 * alone so it checks signet's encoder rather than agreeing with it by construction.
 */
export class AwsChunkedDecoder {
  private state: State = 'size';
  private line = '';
  private remaining = 0;
  private crlfSeen = 0;
  private trailersSeen = 0;

  constructor(
    private readonly events: ChunkEvents,
    private readonly signed: boolean,
    private readonly trailersExpected: boolean,
  ) {}

  write(buf: Buffer): void {
    let pos = 0;
    while (pos < buf.length) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, buf.length - pos);
        this.events.data(buf.subarray(pos, pos + take));
        pos += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'crlf';
      } else if (this.state === 'crlf') {
        const expected = this.crlfSeen === 0 ? CR : LF;
        if (buf[pos] !== expected) throw malformed('chunk data is not followed by CRLF');
        pos++;
        if (++this.crlfSeen === 2) {
          this.crlfSeen = 0;
          this.state = 'size';
          this.events.chunkEnd();
        }
      } else if (this.state === 'done') {
        throw malformed('bytes after the final chunk');
      } else {
        pos = this.readLine(buf, pos);
      }
    }
  }

  /** Call at end of input; throws when the body stopped before the final chunk. */
  end(): void {
    if (this.state === 'trailer' && this.line === '') this.state = 'done';
    if (this.state !== 'done') throw new DemoError(400, 'IncompleteBody', 'The request body terminated unexpectedly');
  }

  private readLine(buf: Buffer, start: number): number {
    const lf = buf.indexOf(LF, start);
    const stop = lf === -1 ? buf.length : lf;
    this.line += buf.toString('latin1', start, stop);
    if (this.line.length > MAX_CHUNK_LINE) throw malformed('header line too long');
    if (lf === -1) return buf.length;
    if (!this.line.endsWith('\r')) throw malformed('line not terminated by CRLF');
    const line = this.line.slice(0, -1);
    this.line = '';
    if (this.state === 'size') this.sizeLine(line);
    else this.trailerLine(line);
    return lf + 1;
  }

  private sizeLine(line: string): void {
    const m = SIZE_LINE.exec(line);
    if (m === null) throw malformed(`bad chunk header "${line.slice(0, 100)}"`);
    const signature = m[2];
    if (this.signed !== (signature !== undefined)) {
      throw malformed(this.signed ? 'chunk-signature missing' : 'unexpected chunk-signature');
    }
    const size = parseInt(m[1] as string, 16);
    this.events.chunkStart(size, signature);
    if (size === 0) {
      this.events.chunkEnd();
      this.state = 'trailer';
    } else {
      this.remaining = size;
      this.state = 'data';
    }
  }

  private trailerLine(line: string): void {
    if (line === '') {
      // Some encoders put an empty line between the final chunk and the trailers; when trailers
      // are expected the blank that ends the body is the one after at least one of them.
      if (!this.trailersExpected || this.trailersSeen > 0) this.state = 'done';
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('bad trailer line');
    this.trailersSeen++;
    this.events.trailer(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
}
