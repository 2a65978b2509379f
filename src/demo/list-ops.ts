import { MAX_KEYS } from './constants.js';
import { bodyText, isoDate, requireBucket } from './context.js';
import type { OpContext } from './context.js';
import { DemoError, invalidArgument } from './demo-error.js';
import { sendXml } from './respond.js';
import type { StoredBucket } from './store.js';
import { allTags, firstTag, s3Document, unescapeXml } from './xml.js';
import type { XmlNode } from './xml.js';

interface Listing {
  keys: string[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned: where the next page starts after. */
  last: string | undefined;
}

/**
 * One page of keys after `after`, grouped by `delimiter`. A common prefix counts once toward
 * max-keys; a marker that is a common prefix skips every key under it.
 */
function list(bucket: StoredBucket, prefix: string, delimiter: string, after: string, maxKeys: number): Listing {
  const sorted = [...bucket.objects.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Listing = { keys: [], prefixes: [], truncated: false, last: undefined };
  let count = 0;
  for (const key of sorted) {
    if (!key.startsWith(prefix) || key <= after) continue;
    const at = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const entry = at === -1 ? key : key.slice(0, at + delimiter.length);
    // A common prefix at or before the marker was returned on an earlier page.
    if (at !== -1 && (entry <= after || entry === out.prefixes[out.prefixes.length - 1])) continue;
    if (count === maxKeys) {
      out.truncated = true;
      break;
    }
    if (at === -1) out.keys.push(key);
    else out.prefixes.push(entry);
    out.last = entry;
    count++;
  }
  return out;
}

function maxKeysParam(params: Map<string, string>): number {
  const raw = params.get('max-keys');
  if (raw === undefined) return MAX_KEYS;
  if (!/^\d+$/.test(raw)) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', raw);
  return Math.min(Number(raw), MAX_KEYS);
}

function encoder(params: Map<string, string>): (text: string) => string {
  const type = params.get('encoding-type');
  if (type === undefined) return (t) => t;
  if (type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
  return (t) => encodeURIComponent(t).replace(/%2F/g, '/');
}

function contents(bucket: StoredBucket, keys: string[], enc: (t: string) => string): XmlNode[] {
  return keys.map((key) => {
    const o = bucket.objects.get(key);
    return [['Key', enc(key)], ['LastModified', isoDate(o?.lastModified ?? 0)], ['ETag', o?.etag ?? ''], ['Size', o?.size ?? 0], ['StorageClass', 'STANDARD']];
  });
}

export function listObjectsV2(ctx: OpContext): void {
  const bucket = requireBucket(ctx);
  const p = ctx.info.params;
  const prefix = p.get('prefix') ?? '';
  const delimiter = p.get('delimiter') ?? '';
  const token = p.get('continuation-token');
  const startAfter = p.get('start-after') ?? '';
  let after = startAfter;
  if (token !== undefined) {
    after = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || Buffer.from(after, 'utf8').toString('base64url') !== token) {
      throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
    }
  }
  const maxKeys = maxKeysParam(p);
  const enc = encoder(p);
  const page = list(bucket, prefix, delimiter, after, maxKeys);
  const next = page.truncated && page.last !== undefined ? Buffer.from(page.last, 'utf8').toString('base64url') : undefined;
  sendXml(ctx.res, 200, s3Document('ListBucketResult', [
    ['Name', bucket.name],
    ['Prefix', enc(prefix)],
    ['Delimiter', delimiter === '' ? undefined : enc(delimiter)],
    ['MaxKeys', maxKeys],
    ['EncodingType', p.get('encoding-type')],
    ['KeyCount', page.keys.length + page.prefixes.length],
    ['IsTruncated', page.truncated],
    ['ContinuationToken', token],
    ['NextContinuationToken', next],
    ['StartAfter', startAfter === '' ? undefined : enc(startAfter)],
    ['Contents', { each: contents(bucket, page.keys, enc) }],
    ['CommonPrefixes', { each: page.prefixes.map((cp): XmlNode => [['Prefix', enc(cp)]]) }],
  ]));
}

export function listObjectsV1(ctx: OpContext): void {
  const bucket = requireBucket(ctx);
  const p = ctx.info.params;
  const prefix = p.get('prefix') ?? '';
  const delimiter = p.get('delimiter') ?? '';
  const marker = p.get('marker') ?? '';
  const maxKeys = maxKeysParam(p);
  const enc = encoder(p);
  const page = list(bucket, prefix, delimiter, marker, maxKeys);
  sendXml(ctx.res, 200, s3Document('ListBucketResult', [
    ['Name', bucket.name],
    ['Prefix', enc(prefix)],
    ['Marker', enc(marker)],
    ['NextMarker', page.truncated && delimiter !== '' && page.last !== undefined ? enc(page.last) : undefined],
    ['MaxKeys', maxKeys],
    ['Delimiter', delimiter === '' ? undefined : enc(delimiter)],
    ['EncodingType', p.get('encoding-type')],
    ['IsTruncated', page.truncated],
    ['Contents', { each: contents(bucket, page.keys, enc) }],
    ['CommonPrefixes', { each: page.prefixes.map((cp): XmlNode => [['Prefix', enc(cp)]]) }],
  ]));
}

export function deleteObjects(ctx: OpContext): void {
  const bucket = requireBucket(ctx);
  const xml = bodyText(ctx);
  const objects = allTags(xml, 'Object');
  if (firstTag(xml, 'Delete') === undefined || objects.length > 1000) {
    throw new DemoError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  const quiet = firstTag(xml, 'Quiet')?.trim() === 'true';
  const deleted: XmlNode[] = [];
  for (const object of objects) {
    const key = unescapeXml(firstTag(object, 'Key') ?? '');
    bucket.objects.delete(key);
    if (!quiet) deleted.push([['Key', key]]);
  }
  sendXml(ctx.res, 200, s3Document('DeleteResult', [['Deleted', { each: deleted }]]));
}
