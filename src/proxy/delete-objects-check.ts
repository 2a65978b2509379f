import type { IncomingMessage } from 'node:http';
import { SignetError } from '../errors.js';
import { DeleteObjectsXmlError, parseDeleteObjects } from '../s3/delete-objects-xml.js';
import { AWS_CHUNKED, CONTENT_ENCODING } from '../sigv4/constants.js';
import { awsChunkedModeOf } from '../sigv4/aws-chunked-wire.js';
import { checkDeleteEntries, deleteNeedsKeyCheck } from './client-policy.js';
import type { RequestContext } from './context.js';
import type { InboundHeaders } from './inbound-headers.js';

/**
 * Largest DeleteObjects body read for a per-key check. 1000 keys (S3's maximum) of a few hundred
 * bytes each, escaped, fit well within it; a body this size that is not such a list is refused
 * rather than held.
 */
export const MAX_DELETE_BODY = 2 * 1024 * 1024;

function tooLarge(): never {
  throw new SignetError('EntityTooLarge', 'DeleteObjects body over the per-key check limit', `A DeleteObjects body checked against a key policy may be at most ${MAX_DELETE_BODY} bytes.`);
}

/**
 * Gateway mode, DeleteObjects under a policy that does not allow every key it could name: its keys
 * are in the body. Returns null when there is nothing to check (the body streams as for any
 * request); otherwise refuses at once what cannot be checked (before a 100 Continue invites the
 * body) and returns the reader, which reads the body (bounded), checks every key and gives back
 * the exact bytes to forward (the client's x-amz-content-sha256 and checksums still bind them).
 */
export function deleteObjectsCheck(ctx: RequestContext, inbound: InboundHeaders): (() => Promise<Buffer>) | null {
  const policy = ctx.clientPolicy;
  if (ctx.operation !== 'DeleteObjects' || policy === null || !deleteNeedsKeyCheck(policy)) return null;
  // An aws-chunked body would need decoding (and its chunk signatures checking) before reading;
  // no SDK frames a small XML body that way.
  if (awsChunkedModeOf(inbound.clientPayloadHash) !== undefined || (inbound.forward[CONTENT_ENCODING] ?? '').toLowerCase().includes(AWS_CHUNKED)) {
    throw new SignetError('InvalidRequest', 'aws-chunked DeleteObjects under a key policy', 'A DeleteObjects body checked against a key policy must be sent whole, not aws-chunked.');
  }
  if (inbound.contentLength > MAX_DELETE_BODY) tooLarge();
  return async () => {
    const body = await readBounded(ctx.req, inbound.contentLength);
    let entries;
    try {
      entries = parseDeleteObjects(body);
    } catch (err) {
      if (err instanceof DeleteObjectsXmlError) throw new SignetError('MalformedXML', 'DeleteObjects body: ' + err.message);
      throw err;
    }
    checkDeleteEntries(policy, entries);
    return body;
  };
}

/** The whole body, at most MAX_DELETE_BODY bytes; a Content-Length must be met exactly. */
async function readBounded(req: IncomingMessage, contentLength: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_DELETE_BODY) tooLarge();
    chunks.push(chunk);
  }
  if (contentLength >= 0 && length !== contentLength) throw new SignetError('IncompleteBody', `received ${length} of ${contentLength} bytes`);
  return Buffer.concat(chunks, length);
}
