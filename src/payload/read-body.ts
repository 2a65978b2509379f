import { createHash } from 'node:crypto';
import { SignetError } from '../errors.js';

export interface BufferedBody {
  readonly body: Buffer;
  readonly sha256: string;
}

/** Reads a known-length body into one Buffer, hashing it; the length must match exactly. */
export async function readBody(source: AsyncIterable<Buffer>, expectedLength: number): Promise<BufferedBody> {
  const body = Buffer.allocUnsafe(expectedLength);
  const hash = createHash('sha256');
  let offset = 0;
  for await (const chunk of source) {
    if (offset + chunk.length > expectedLength) {
      throw new SignetError('InvalidRequest', 'request body is longer than Content-Length');
    }
    chunk.copy(body, offset);
    hash.update(chunk);
    offset += chunk.length;
  }
  if (offset !== expectedLength) throw new SignetError('IncompleteBody', `received ${offset} of ${expectedLength} bytes`);
  return { body, sha256: hash.digest('hex') };
}
