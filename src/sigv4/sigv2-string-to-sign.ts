import { AMZ_DATE, AMZ_PREFIX, CONTENT_MD5, CONTENT_TYPE, DATE } from './constants.js';

/**
 * Query parameters that are part of the SigV2 CanonicalizedResource, every other parameter is left
 * out. The list is botocore's (HmacV1Auth.QSAOfInterest), the most complete one a SigV2 signer in
 * use today applies; S3's RESTAuthentication page lists the older subset.
 */
export const SIGV2_SUB_RESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'defaultObjectAcl', 'delete', 'inventory', 'lifecycle', 'location',
  'logging', 'metrics', 'notification', 'object-lock', 'partNumber', 'policy', 'replication', 'requestPayment',
  'restore', 'select', 'select-type', 'storageClass', 'tagging', 'torrent', 'uploadId', 'uploads', 'versionId',
  'versioning', 'versions', 'website',
  'response-content-type', 'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding',
]);

/**
 * Sub-resources newer than the SigV2 signers: none of them puts these in the string to sign, so a
 * SigV2 signature never covers them (S3 serves them with SigV4).
 */
export const SIGV2_UNSIGNABLE_SUB_RESOURCES: ReadonlySet<string> = new Set([
  'encryption', 'legal-hold', 'retention', 'intelligent-tiering', 'ownershipControls', 'policyStatus',
  'publicAccessBlock', 'attributes', 'renameObject', 'metadataConfiguration', 'metadataTable', 'session',
]);

/**
 * Parameters of the list operations (ListObjects[V2], ListObjectVersions, ListMultipartUploads,
 * ListParts): never part of a SigV2 string to sign, and they only narrow a listing.
 */
export const SIGV2_LISTING_PARAMETERS: ReadonlySet<string> = new Set([
  'prefix', 'delimiter', 'marker', 'max-keys', 'list-type', 'continuation-token', 'start-after', 'encoding-type',
  'fetch-owner', 'key-marker', 'upload-id-marker', 'version-id-marker', 'max-uploads', 'max-parts', 'part-number-marker',
]);

export interface SigV2StringToSignOptions {
  /** Bucket of a virtual-hosted request (`bucket.s3.amazonaws.com/key`); the path then holds only the key. */
  readonly bucket?: string;
  /** Query auth: the `Expires` value takes the place of the Date line. */
  readonly expires?: string;
}

/** A decoded (Unicode) query value as the octets S3 signs: its UTF-8, one char per byte. */
function utf8Octets(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}

// RFC 2616 folded values: the line break and the whitespace around it become one space.
function unfold(value: string): string {
  if (!value.includes('\n') && !value.includes('\r')) return value.trim();
  return value.replace(/[ \t]*\r?\n[ \t]*/g, ' ').trim();
}

function canonicalAmzHeaders(
  headers: Readonly<Record<string, string>>,
  query: ReadonlyArray<readonly [string, string]>,
  queryAuth: boolean,
): string {
  const values = new Map<string, string>();
  for (const name in headers) {
    if (name.startsWith(AMZ_PREFIX)) values.set(name, unfold(headers[name]!));
  }
  // Query-auth signers (botocore HmacV1QueryAuth) move signed x-amz-* headers into the query.
  if (queryAuth) {
    for (const [rawName, value] of query) {
      const name = rawName.toLowerCase();
      if (!name.startsWith(AMZ_PREFIX)) continue;
      const prev = values.get(name);
      const octets = utf8Octets(unfold(value));
      values.set(name, prev === undefined ? octets : prev + ',' + octets);
    }
  }
  if (values.size === 0) return '';
  const names = [...values.keys()].sort();
  let out = '';
  for (const name of names) out += name + ':' + values.get(name)! + '\n';
  return out;
}

function canonicalResource(
  rawPath: string,
  query: ReadonlyArray<readonly [string, string]>,
  bucket: string | undefined,
): string {
  const q = rawPath.indexOf('?');
  const path = q === -1 ? rawPath : rawPath.slice(0, q);
  // The path is signed exactly as sent: S3's own example keeps `%c3%a9` in lower case.
  let resource = bucket ? '/' + bucket + (path.startsWith('/') ? path : '/' + path) : path || '/';
  const subs: Array<readonly [string, string]> = [];
  for (const pair of query) if (SIGV2_SUB_RESOURCES.has(pair[0])) subs.push(pair);
  if (subs.length === 0) return resource;
  subs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // Sub-resource values are signed decoded (RESTAuthentication: "you do not encode these values").
  for (let i = 0; i < subs.length; i++) {
    const [name, value] = subs[i]!;
    resource += (i === 0 ? '?' : '&') + (value === '' ? name : name + '=' + utf8Octets(value));
  }
  return resource;
}

/**
 * The SigV2 StringToSign for S3, as a byte string (one char per octet: header values and the raw
 * path as Node received them, decoded query values as their UTF-8): VERB, Content-MD5, Content-Type, Date (empty when x-amz-date is
 * sent; Expires for query auth), then CanonicalizedAmzHeaders + CanonicalizedResource.
 * `headers` has lower-case names, repeated values joined with ','; `query` holds decoded pairs.
 */
export function sigV2StringToSign(
  method: string,
  rawPath: string,
  query: ReadonlyArray<readonly [string, string]>,
  headers: Readonly<Record<string, string>>,
  options: SigV2StringToSignOptions = {},
): string {
  const queryAuth = options.expires !== undefined;
  const date = queryAuth ? options.expires! : headers[AMZ_DATE] !== undefined ? '' : (headers[DATE] ?? '');
  return (
    method + '\n' +
    (headers[CONTENT_MD5] ?? '').trim() + '\n' +
    (headers[CONTENT_TYPE] ?? '').trim() + '\n' +
    date.trim() + '\n' +
    canonicalAmzHeaders(headers, query, queryAuth) +
    canonicalResource(rawPath, query, options.bucket)
  );
}
