import { createHash, randomBytes } from 'node:crypto';
import { COPY_SOURCE_RANGE, MIN_PART_SIZE, SSE_C_ALGORITHM, SSE_C_KEY, SSE_C_KEY_MD5, STORAGE_CLASS } from './constants.js';
import { evaluateWriteConditions } from './conditions.js';
import { bucketForWrite } from './bucket-ops.js';
import { bodyText, isoDate, requireBucket } from './context.js';
import type { OpContext } from './context.js';
import { DemoError, invalidArgument, invalidRequest, noSuchUpload } from './demo-error.js';
import { copySource } from './object-ops.js';
import { storableHeaders } from './object-headers.js';
import { parseRange } from './range.js';
import { sendEmpty, sendXml } from './respond.js';
import { multipartEtag, quotedMd5, sliceParts } from './store.js';
import type { MultipartUpload, UploadPart } from './store.js';
import { allTags, firstTag, s3Document, unescapeXml } from './xml.js';
import type { XmlNode } from './xml.js';

function upload(ctx: OpContext): MultipartUpload {
  const uploadId = ctx.info.params.get('uploadId') ?? '';
  const found = requireBucket(ctx).uploads.get(uploadId);
  if (found === undefined || found.key !== ctx.key) throw noSuchUpload(uploadId);
  return found;
}

function partNumber(ctx: OpContext): number {
  const raw = ctx.info.params.get('partNumber') ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 10000) throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw);
  return n;
}

/**
 * The SSE-C key a request names, checked as S3 does: AES256, a 256-bit key, and its MD5 given
 * right. undefined when the request names none.
 */
function sseCustomerKey(headers: Record<string, string>): { algorithm: string; keyMd5: string } | undefined {
  const algorithm = headers[SSE_C_ALGORITHM];
  const key = headers[SSE_C_KEY];
  const keyMd5 = headers[SSE_C_KEY_MD5];
  if (algorithm === undefined && key === undefined && keyMd5 === undefined) return undefined;
  if (algorithm !== 'AES256') throw invalidArgument('The encryption method specified is not supported', SSE_C_ALGORITHM, algorithm ?? '');
  const raw = Buffer.from(key ?? '', 'base64');
  if (raw.length !== 32) throw invalidArgument('The secret key was invalid for the specified algorithm.', SSE_C_KEY, '');
  if (createHash('md5').update(raw).digest('base64') !== keyMd5) {
    throw invalidArgument('The calculated MD5 hash of the key did not match the hash that was provided.', SSE_C_KEY_MD5, '');
  }
  return { algorithm, keyMd5 };
}

export function createMultipartUpload(ctx: OpContext): void {
  const bucket = bucketForWrite(ctx);
  const uploadId = randomBytes(24).toString('base64url');
  const mpu: MultipartUpload = { uploadId, key: ctx.key, initiated: ctx.now, headers: storableHeaders(ctx.info.headers), parts: new Map() };
  const sseC = sseCustomerKey(ctx.info.headers);
  if (sseC !== undefined) mpu.sseC = sseC;
  bucket.uploads.set(uploadId, mpu);
  sendXml(ctx.res, 200, s3Document('InitiateMultipartUploadResult', [['Bucket', bucket.name], ['Key', ctx.key], ['UploadId', uploadId]]));
}

/** A part of an SSE-C upload must name the upload's key; a part of any other upload must name none. */
function checkPartEncryption(mpu: MultipartUpload, headers: Record<string, string>): void {
  const given = sseCustomerKey(headers);
  if (mpu.sseC === undefined) {
    if (given !== undefined) invalidRequestThrow('The multipart upload initiate did not request encryption, but this part request names an encryption key.');
    return;
  }
  if (given === undefined) {
    invalidRequestThrow('The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.');
  }
  if (given.keyMd5 !== mpu.sseC.keyMd5) {
    invalidRequestThrow('The provided encryption parameters did not match the ones used originally.');
  }
}

function invalidRequestThrow(message: string): never {
  throw invalidRequest(message);
}

export function uploadPart(ctx: OpContext): void {
  const mpu = upload(ctx);
  const n = partNumber(ctx);
  checkPartEncryption(mpu, ctx.info.headers);
  const { body } = ctx;
  mpu.parts.set(n, { partNumber: n, parts: body.parts, size: body.size, etag: quotedMd5(body.md5), lastModified: ctx.now });
  sendEmpty(ctx.res, 200, { etag: quotedMd5(body.md5) });
}

export function uploadPartCopy(ctx: OpContext): void {
  const mpu = upload(ctx);
  const n = partNumber(ctx);
  const source = copySource(ctx);
  const range = parseRange(ctx.info.headers[COPY_SOURCE_RANGE], source.size);
  const start = range?.start ?? 0;
  const end = range?.end ?? source.size - 1;
  const parts = sliceParts(source.parts, start, end);
  const md5 = createHash('md5');
  for (const p of parts) md5.update(p);
  const part: UploadPart = { partNumber: n, parts, size: end - start + 1, etag: quotedMd5(md5.digest()), lastModified: ctx.now };
  mpu.parts.set(n, part);
  sendXml(ctx.res, 200, s3Document('CopyPartResult', [['LastModified', isoDate(part.lastModified)], ['ETag', part.etag]]));
}

const malformedXml = (): DemoError => new DemoError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');

export function completeMultipartUpload(ctx: OpContext): void {
  const bucket = requireBucket(ctx);
  const mpu = upload(ctx);
  // S3 checks If-None-Match / If-Match on Complete (conditional writes), against the key's object now.
  evaluateWriteConditions(ctx.info.headers, bucket.objects.get(ctx.key));
  const xml = bodyText(ctx);
  const listed = allTags(xml, 'Part');
  if (firstTag(xml, 'CompleteMultipartUpload') === undefined || listed.length === 0) throw malformedXml();
  const chosen: UploadPart[] = [];
  let previous = 0;
  for (const entry of listed) {
    const n = Number(firstTag(entry, 'PartNumber'));
    const etag = unescapeXml(firstTag(entry, 'ETag') ?? '').replace(/"/g, '');
    if (!(n > previous)) throw new DemoError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
    const part = mpu.parts.get(n);
    if (part === undefined || part.etag.replace(/"/g, '') !== etag) {
      throw new DemoError(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', [['UploadId', mpu.uploadId], ['PartNumber', n], ['ETag', etag]]);
    }
    chosen.push(part);
    previous = n;
  }
  chosen.forEach((part, i) => {
    if (i < chosen.length - 1 && part.size < MIN_PART_SIZE) {
      throw new DemoError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', [['ProposedSize', part.size], ['MinSizeAllowed', MIN_PART_SIZE], ['PartNumber', part.partNumber]]);
    }
  });
  const etag = multipartEtag(chosen.map((p) => p.etag));
  bucket.objects.set(ctx.key, {
    parts: chosen.flatMap((p) => p.parts),
    size: chosen.reduce((sum, p) => sum + p.size, 0),
    etag,
    lastModified: ctx.now,
    headers: mpu.headers,
    checksums: {},
    partsCount: chosen.length,
  });
  bucket.uploads.delete(mpu.uploadId);
  sendXml(ctx.res, 200, s3Document('CompleteMultipartUploadResult', [
    ['Location', `/${bucket.name}/${ctx.key}`], ['Bucket', bucket.name], ['Key', ctx.key], ['ETag', etag],
  ]));
}

export function abortMultipartUpload(ctx: OpContext): void {
  const mpu = upload(ctx);
  requireBucket(ctx).uploads.delete(mpu.uploadId);
  sendEmpty(ctx.res, 204);
}

export function listParts(ctx: OpContext): void {
  const mpu = upload(ctx);
  const parts = [...mpu.parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  sendXml(ctx.res, 200, s3Document('ListPartsResult', [
    ['Bucket', ctx.bucketName], ['Key', ctx.key], ['UploadId', mpu.uploadId],
    ['PartNumberMarker', 0], ['MaxParts', 1000], ['IsTruncated', false],
    ['Part', { each: parts.map((p): XmlNode => [['PartNumber', p.partNumber], ['LastModified', isoDate(p.lastModified)], ['ETag', p.etag], ['Size', p.size]]) }],
  ]));
}

/** ListMultipartUploads: the uploads begun and neither completed nor aborted (optionally under a prefix). */
export function listMultipartUploads(ctx: OpContext): void {
  const bucket = requireBucket(ctx);
  const prefix = ctx.info.params.get('prefix') ?? '';
  const uploads = [...bucket.uploads.values()]
    .filter((u) => u.key.startsWith(prefix))
    .sort((a, b) => (a.key === b.key ? a.initiated - b.initiated : a.key < b.key ? -1 : 1));
  sendXml(ctx.res, 200, s3Document('ListMultipartUploadsResult', [
    ['Bucket', bucket.name], ['KeyMarker', ''], ['UploadIdMarker', ''], ['Prefix', prefix], ['MaxUploads', 1000], ['IsTruncated', false],
    ['Upload', { each: uploads.map((u): XmlNode => [
      ['Key', u.key], ['UploadId', u.uploadId], ['Initiated', isoDate(u.initiated)], ['StorageClass', u.headers[STORAGE_CLASS] ?? 'STANDARD'],
    ]) }],
  ]));
}
