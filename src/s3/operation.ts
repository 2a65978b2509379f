import { AMZ_PREFIX } from '../sigv4/constants.js';

/** Every operation name `s3Operation` can return: a closed set, safe as a metric label. */
export const S3_OPERATIONS = [
  'ListBuckets', 'CreateBucket', 'HeadBucket', 'DeleteBucket', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions',
  'ListMultipartUploads', 'GetBucketLocation', 'PostObject', 'DeleteObjects',
  'GetBucketAcl', 'PutBucketAcl', 'GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy', 'GetBucketPolicyStatus',
  'GetBucketLifecycleConfiguration', 'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle',
  'GetBucketTagging', 'PutBucketTagging', 'DeleteBucketTagging', 'GetBucketCors', 'PutBucketCors', 'DeleteBucketCors',
  'GetBucketVersioning', 'PutBucketVersioning', 'GetBucketWebsite', 'PutBucketWebsite', 'DeleteBucketWebsite',
  'GetBucketEncryption', 'PutBucketEncryption', 'DeleteBucketEncryption', 'GetBucketLogging', 'PutBucketLogging',
  'GetBucketNotificationConfiguration', 'PutBucketNotificationConfiguration',
  'GetBucketReplication', 'PutBucketReplication', 'DeleteBucketReplication',
  'GetBucketRequestPayment', 'PutBucketRequestPayment',
  'GetBucketAccelerateConfiguration', 'PutBucketAccelerateConfiguration',
  'GetBucketOwnershipControls', 'PutBucketOwnershipControls', 'DeleteBucketOwnershipControls',
  'GetPublicAccessBlock', 'PutPublicAccessBlock', 'DeletePublicAccessBlock',
  'GetObjectLockConfiguration', 'PutObjectLockConfiguration',
  'GetBucketAnalyticsConfiguration', 'PutBucketAnalyticsConfiguration', 'DeleteBucketAnalyticsConfiguration',
  'ListBucketAnalyticsConfigurations', 'GetBucketMetricsConfiguration', 'PutBucketMetricsConfiguration',
  'DeleteBucketMetricsConfiguration', 'ListBucketMetricsConfigurations', 'GetBucketInventoryConfiguration',
  'PutBucketInventoryConfiguration', 'DeleteBucketInventoryConfiguration', 'ListBucketInventoryConfigurations',
  'GetObject', 'HeadObject', 'PutObject', 'CopyObject', 'DeleteObject',
  'CreateMultipartUpload', 'UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload', 'AbortMultipartUpload', 'ListParts',
  'GetObjectTagging', 'PutObjectTagging', 'DeleteObjectTagging', 'GetObjectAcl', 'PutObjectAcl',
  'GetObjectRetention', 'PutObjectRetention', 'GetObjectLegalHold', 'PutObjectLegalHold', 'GetObjectAttributes',
  'GetObjectTorrent', 'RestoreObject', 'SelectObjectContent', 'Other',
] as const;

export type S3Operation = (typeof S3_OPERATIONS)[number];

type ByMethod = Partial<Record<'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE', S3Operation>>;

/** Highest priority first: `?uploadId&partNumber` is a part, `?tagging&versionId` tagging. */
const BUCKET: ReadonlyArray<readonly [string, ByMethod]> = [
  ['', { GET: 'ListObjects', HEAD: 'HeadBucket', PUT: 'CreateBucket', DELETE: 'DeleteBucket', POST: 'PostObject' }],
  ['uploads', { GET: 'ListMultipartUploads' }],
  ['delete', { POST: 'DeleteObjects' }],
  ['versions', { GET: 'ListObjectVersions' }],
  ['location', { GET: 'GetBucketLocation' }],
  ['acl', { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' }],
  ['policyStatus', { GET: 'GetBucketPolicyStatus' }],
  ['policy', { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' }],
  ['lifecycle', { GET: 'GetBucketLifecycleConfiguration', PUT: 'PutBucketLifecycleConfiguration', DELETE: 'DeleteBucketLifecycle' }],
  ['tagging', { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'DeleteBucketTagging' }],
  ['cors', { GET: 'GetBucketCors', PUT: 'PutBucketCors', DELETE: 'DeleteBucketCors' }],
  ['versioning', { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' }],
  ['website', { GET: 'GetBucketWebsite', PUT: 'PutBucketWebsite', DELETE: 'DeleteBucketWebsite' }],
  ['encryption', { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption', DELETE: 'DeleteBucketEncryption' }],
  ['logging', { GET: 'GetBucketLogging', PUT: 'PutBucketLogging' }],
  ['notification', { GET: 'GetBucketNotificationConfiguration', PUT: 'PutBucketNotificationConfiguration' }],
  ['replication', { GET: 'GetBucketReplication', PUT: 'PutBucketReplication', DELETE: 'DeleteBucketReplication' }],
  ['requestPayment', { GET: 'GetBucketRequestPayment', PUT: 'PutBucketRequestPayment' }],
  ['accelerate', { GET: 'GetBucketAccelerateConfiguration', PUT: 'PutBucketAccelerateConfiguration' }],
  ['ownershipControls', { GET: 'GetBucketOwnershipControls', PUT: 'PutBucketOwnershipControls', DELETE: 'DeleteBucketOwnershipControls' }],
  ['publicAccessBlock', { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' }],
  ['object-lock', { GET: 'GetObjectLockConfiguration', PUT: 'PutObjectLockConfiguration' }],
  ['analytics', { GET: 'GetBucketAnalyticsConfiguration', PUT: 'PutBucketAnalyticsConfiguration', DELETE: 'DeleteBucketAnalyticsConfiguration' }],
  ['metrics', { GET: 'GetBucketMetricsConfiguration', PUT: 'PutBucketMetricsConfiguration', DELETE: 'DeleteBucketMetricsConfiguration' }],
  ['inventory', { GET: 'GetBucketInventoryConfiguration', PUT: 'PutBucketInventoryConfiguration', DELETE: 'DeleteBucketInventoryConfiguration' }],
];

const OBJECT: ReadonlyArray<readonly [string, ByMethod]> = [
  ['', { GET: 'GetObject', HEAD: 'HeadObject', PUT: 'PutObject', DELETE: 'DeleteObject' }],
  ['uploadId', { GET: 'ListParts', PUT: 'UploadPart', POST: 'CompleteMultipartUpload', DELETE: 'AbortMultipartUpload' }],
  ['uploads', { POST: 'CreateMultipartUpload' }],
  ['select', { POST: 'SelectObjectContent' }],
  ['restore', { POST: 'RestoreObject' }],
  ['tagging', { GET: 'GetObjectTagging', PUT: 'PutObjectTagging', DELETE: 'DeleteObjectTagging' }],
  ['acl', { GET: 'GetObjectAcl', PUT: 'PutObjectAcl' }],
  ['retention', { GET: 'GetObjectRetention', PUT: 'PutObjectRetention' }],
  ['legal-hold', { GET: 'GetObjectLegalHold', PUT: 'PutObjectLegalHold' }],
  ['attributes', { GET: 'GetObjectAttributes' }],
  ['torrent', { GET: 'GetObjectTorrent' }],
];

/** A GET of these without `id` lists every configuration of the bucket. */
const LISTED_BY_ID: ReadonlyMap<string, S3Operation> = new Map<string, S3Operation>([
  ['analytics', 'ListBucketAnalyticsConfigurations'],
  ['metrics', 'ListBucketMetricsConfigurations'],
  ['inventory', 'ListBucketInventoryConfigurations'],
]);

/** Header naming the source of CopyObject and UploadPartCopy; sigv4/constants.ts has no entry for it. */
const AMZ_COPY_SOURCE = AMZ_PREFIX + 'copy-source';
const LIST_TYPE = 'list-type';
const CONFIG_ID = 'id';

interface Table {
  readonly rank: ReadonlyMap<string, number>;
  readonly ops: ReadonlyArray<ReadonlyMap<string, S3Operation>>;
}

// Built once at load: per sub-resource its priority, and a method → operation map.
function table(rows: ReadonlyArray<readonly [string, ByMethod]>): Table {
  const rank = new Map<string, number>();
  const ops = rows.map(([sub, byMethod], i) => {
    if (sub !== '') rank.set(sub, i);
    return new Map(Object.entries(byMethod)) as ReadonlyMap<string, S3Operation>;
  });
  return { rank, ops };
}

const BUCKET_TABLE = table(BUCKET);
const OBJECT_TABLE = table(OBJECT);

/**
 * The S3 API operation of a request, for metrics and logs. Cheap enough for every request: one
 * pass over the query with Map lookups, no regexes and no allocation. Unknown shapes give 'Other'.
 */
export function s3Operation(
  method: string,
  hasBucket: boolean,
  hasKey: boolean,
  query: ReadonlyArray<readonly [string, string]>,
  headers?: Readonly<Record<string, string | undefined>>,
): S3Operation {
  if (!hasBucket) return method === 'GET' ? 'ListBuckets' : 'Other';
  const t = hasKey ? OBJECT_TABLE : BUCKET_TABLE;
  let best = 0; // row 0 is the request without a sub-resource; the others rank from 1
  let listV2 = false;
  let hasId = false;
  for (let i = 0; i < query.length; i++) {
    const [name, value] = query[i]!;
    const r = t.rank.get(name);
    if (r !== undefined) {
      if (best === 0 || r < best) best = r;
    } else if (name === LIST_TYPE) listV2 = value === '2';
    else if (name === CONFIG_ID) hasId = true;
  }
  const op = t.ops[best]!.get(method);
  if (op === undefined) return 'Other';
  if (hasKey) {
    if (method === 'PUT' && (op === 'PutObject' || op === 'UploadPart') && headers?.[AMZ_COPY_SOURCE] !== undefined) {
      return op === 'PutObject' ? 'CopyObject' : 'UploadPartCopy';
    }
    return op;
  }
  if (op === 'ListObjects' && listV2) return 'ListObjectsV2';
  if (method === 'GET' && !hasId) return LISTED_BY_ID.get(BUCKET[best]![0]) ?? op;
  return op;
}
