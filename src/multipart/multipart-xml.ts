import { escapeXml, unescapeXml } from '../s3/xml-escape.js';
import type { ChecksumAlgorithm } from '../sigv4/trailer-checksum.js';

export interface CompletedPart {
  readonly partNumber: number;
  /** As S3 sent it, quotes included. */
  readonly etag: string;
  /** The part's checksum (base64) when the upload has an algorithm. */
  readonly checksum: string;
}

/** The text of the first <tag>…</tag>, unescaped; undefined when absent. S3 answers are flat enough for this. */
export function tagText(xml: string, tag: string): string | undefined {
  const open = xml.indexOf('<' + tag + '>');
  if (open === -1) return undefined;
  const start = open + tag.length + 2;
  const end = xml.indexOf('</' + tag + '>', start);
  return end === -1 ? undefined : unescapeXml(xml.slice(start, end));
}

const CHECKSUM_ELEMENT: Readonly<Record<ChecksumAlgorithm, string>> = {
  crc32: 'ChecksumCRC32', crc32c: 'ChecksumCRC32C', sha1: 'ChecksumSHA1', sha256: 'ChecksumSHA256',
};

/** CompleteMultipartUpload's body: every part in order, with its ETag and checksum. */
export function completeBody(parts: readonly CompletedPart[], algorithm: ChecksumAlgorithm | undefined): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'];
  for (const p of parts) {
    let part = '<Part><PartNumber>' + p.partNumber + '</PartNumber><ETag>' + escapeXml(p.etag) + '</ETag>';
    if (algorithm !== undefined) part += '<' + CHECKSUM_ELEMENT[algorithm] + '>' + p.checksum + '</' + CHECKSUM_ELEMENT[algorithm] + '>';
    out.push(part + '</Part>');
  }
  out.push('</CompleteMultipartUpload>');
  return out.join('');
}

/**
 * CompleteMultipartUpload can answer 200 and still fail: the status line goes out before the
 * work is done, and an <Error> document follows. Returns the ETag, or the error's code and message.
 */
export function parseCompleteAnswer(xml: string): { etag: string } | { code: string; message: string } {
  if (xml.includes('<Error>')) return { code: tagText(xml, 'Code') ?? 'InternalError', message: tagText(xml, 'Message') ?? '' };
  const etag = tagText(xml, 'ETag');
  return etag === undefined ? { code: 'InternalError', message: 'CompleteMultipartUpload answered without an ETag' } : { etag };
}
