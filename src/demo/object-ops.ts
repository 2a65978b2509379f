import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { AMZ_CHECKSUM_PREFIX } from '../sigv4/constants.js';
import { evaluateConditions, evaluateWriteConditions } from './conditions.js';
import { COPY_SOURCE, METADATA_DIRECTIVE } from './constants.js';
import { bucketForWrite } from './bucket-ops.js';
import { isoDate, requireBucket } from './context.js';
import type { OpContext } from './context.js';
import { DemoError, invalidRequest, noSuchKey } from './demo-error.js';
import { objectResponseHeaders, storableHeaders } from './object-headers.js';
import { parseRange } from './range.js';
import { decodePath } from './request-info.js';
import { sendEmpty, sendXml } from './respond.js';
import { quotedMd5, sliceParts } from './store.js';
import type { StoredObject } from './store.js';
import { s3Document } from './xml.js';

export function putObject(ctx: OpContext): void {
  const bucket = bucketForWrite(ctx);
  evaluateWriteConditions(ctx.info.headers, bucket.objects.get(ctx.key));
  const { body } = ctx;
  const object: StoredObject = {
    parts: body.parts,
    size: body.size,
    etag: quotedMd5(body.md5),
    lastModified: ctx.now,
    headers: storableHeaders(ctx.info.headers),
    checksums: body.checksums,
  };
  bucket.objects.set(ctx.key, object);
  const headers: Record<string, string> = { etag: object.etag };
  for (const [algorithm, value] of Object.entries(body.checksums)) headers[AMZ_CHECKSUM_PREFIX + algorithm] = value;
  sendEmpty(ctx.res, 200, headers);
}

const ZEROS = Buffer.alloc(64 * 1024);

/** Bodies of a server that discards data read as zeros of the right length (benchmarks). */
function* zeros(length: number): Generator<Buffer> {
  for (let left = length; left > 0; left -= ZEROS.length) yield left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left);
}

export async function getObject(ctx: OpContext): Promise<void> {
  const object = requireBucket(ctx).objects.get(ctx.key);
  if (object === undefined) throw noSuchKey(ctx.key);
  const { headers, params } = ctx.info;
  const out = objectResponseHeaders(object, headers, params);
  if (evaluateConditions(headers, object) === 304) {
    sendEmpty(ctx.res, 304, { etag: object.etag, 'last-modified': out['last-modified'] ?? '' });
    return;
  }
  const range = parseRange(headers['range'], object.size);
  let status = 200;
  let start = 0;
  let end = object.size - 1;
  if (range !== null) {
    ({ start, end } = range);
    status = 206;
    out['content-range'] = `bytes ${start}-${end}/${object.size}`;
    for (const name of Object.keys(out)) if (name.startsWith(AMZ_CHECKSUM_PREFIX)) delete out[name];
  }
  out['content-length'] = String(Math.max(0, end - start + 1));
  ctx.res.writeHead(status, out);
  if (ctx.info.method === 'HEAD' || object.size === 0) {
    ctx.res.end();
    return;
  }
  const source = ctx.state.discardBodies ? zeros(end - start + 1) : sliceParts(object.parts, start, end);
  await pipeline(Readable.from(source, { objectMode: false }), ctx.res);
}

export function deleteObject(ctx: OpContext): void {
  requireBucket(ctx).objects.delete(ctx.key);
  sendEmpty(ctx.res, 204);
}

function parseCopySource(raw: string): { bucket: string; key: string } {
  const withoutVersion = raw.split('?')[0] ?? '';
  const decoded = decodePath(withoutVersion.startsWith('/') ? withoutVersion.slice(1) : withoutVersion);
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw new DemoError(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', [['ArgumentName', COPY_SOURCE], ['ArgumentValue', raw]]);
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

/** The source object of CopyObject/UploadPartCopy, after its x-amz-copy-source-if-* checks. */
export function copySource(ctx: OpContext): StoredObject {
  const source = parseCopySource(ctx.info.headers[COPY_SOURCE] ?? '');
  const bucket = ctx.state.buckets.get(source.bucket);
  if (bucket === undefined) throw new DemoError(404, 'NoSuchBucket', 'The specified bucket does not exist', [['BucketName', source.bucket]]);
  const object = bucket.objects.get(source.key);
  if (object === undefined) throw noSuchKey(source.key);
  return object;
}

export function copyObject(ctx: OpContext): void {
  const target = requireBucket(ctx);
  const source = copySource(ctx);
  const replace = ctx.info.headers[METADATA_DIRECTIVE]?.toUpperCase() === 'REPLACE';
  if (!replace && target.objects.get(ctx.key) === source) {
    throw invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  const copy: StoredObject = {
    ...source,
    parts: [...source.parts],
    lastModified: ctx.now,
    headers: replace ? storableHeaders(ctx.info.headers) : { ...source.headers },
  };
  target.objects.set(ctx.key, copy);
  sendXml(ctx.res, 200, s3Document('CopyObjectResult', [['LastModified', isoDate(copy.lastModified)], ['ETag', copy.etag]]));
}
