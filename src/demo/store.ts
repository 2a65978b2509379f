import { createHash } from 'node:crypto';
import type { ChecksumAlgorithm } from './constants.js';

export interface StoredObject {
  /** Decoded object bytes in arrival order; empty when the server discards bodies. */
  parts: Buffer[];
  size: number;
  /** Quoted, as S3 sends it. */
  etag: string;
  lastModified: number;
  /** Entity and x-amz-meta-* headers as stored (lower-case names). */
  headers: Record<string, string>;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  partsCount?: number;
}

export interface UploadPart {
  partNumber: number;
  parts: Buffer[];
  size: number;
  etag: string;
  lastModified: number;
}

export interface MultipartUpload {
  uploadId: string;
  key: string;
  initiated: number;
  headers: Record<string, string>;
  parts: Map<number, UploadPart>;
  /** SSE-C the upload was created with: every part must carry the same key. */
  sseC?: { algorithm: string; keyMd5: string };
}

export interface StoredBucket {
  name: string;
  created: number;
  objects: Map<string, StoredObject>;
  uploads: Map<string, MultipartUpload>;
}

export function newBucket(name: string, created: number): StoredBucket {
  return { name, created, objects: new Map(), uploads: new Map() };
}

/** The stored bytes of an object as one Buffer (tests and small reads). */
export function objectBytes(object: Pick<StoredObject, 'parts'>): Buffer {
  return Buffer.concat(object.parts);
}

/** The bytes [start, end] (inclusive) without joining the whole object first. */
export function sliceParts(parts: Buffer[], start: number, end: number): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const partEnd = offset + part.length;
    if (partEnd > start && offset <= end) {
      out.push(part.subarray(Math.max(0, start - offset), Math.min(part.length, end - offset + 1)));
    }
    offset = partEnd;
    if (offset > end) break;
  }
  return out;
}

export const quotedMd5 = (md5: Buffer): string => `"${md5.toString('hex')}"`;

/** S3's multipart ETag: md5 of the concatenated binary part md5s, then "-<count>". */
export function multipartEtag(partEtags: string[]): string {
  const hash = createHash('md5');
  for (const etag of partEtags) hash.update(Buffer.from(etag.replace(/"/g, ''), 'hex'));
  return `"${hash.digest('hex')}-${partEtags.length}"`;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function validBucketName(name: string): boolean {
  return BUCKET_NAME.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
}
