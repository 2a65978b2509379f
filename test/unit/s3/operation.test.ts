import { describe, expect, it } from 'vitest';
import { S3_OPERATIONS, s3Operation } from '../../../src/s3/operation.js';
import type { S3Operation } from '../../../src/s3/operation.js';

type Level = 'service' | 'bucket' | 'object';
type Case = [Level, string, string, S3Operation, Record<string, string>?];

// [level, method, query string (decoded pairs, '&' separated), expected, headers]
const CASES: Case[] = [
  ['service', 'GET', '', 'ListBuckets'],
  ['service', 'PUT', '', 'Other'],
  ['bucket', 'PUT', '', 'CreateBucket'],
  ['bucket', 'HEAD', '', 'HeadBucket'],
  ['bucket', 'DELETE', '', 'DeleteBucket'],
  ['bucket', 'GET', '', 'ListObjects'],
  ['bucket', 'GET', 'prefix=a&delimiter=/', 'ListObjects'],
  ['bucket', 'GET', 'list-type=2&prefix=a', 'ListObjectsV2'],
  ['bucket', 'GET', 'list-type=1', 'ListObjects'],
  ['bucket', 'GET', 'versions&prefix=a', 'ListObjectVersions'],
  ['bucket', 'GET', 'uploads', 'ListMultipartUploads'],
  ['bucket', 'GET', 'location', 'GetBucketLocation'],
  ['bucket', 'POST', 'delete', 'DeleteObjects'],
  ['bucket', 'POST', '', 'PostObject'],
  ['bucket', 'GET', 'acl', 'GetBucketAcl'],
  ['bucket', 'PUT', 'acl', 'PutBucketAcl'],
  ['bucket', 'GET', 'policy', 'GetBucketPolicy'],
  ['bucket', 'PUT', 'policy', 'PutBucketPolicy'],
  ['bucket', 'DELETE', 'policy', 'DeleteBucketPolicy'],
  ['bucket', 'GET', 'policyStatus', 'GetBucketPolicyStatus'],
  ['bucket', 'GET', 'lifecycle', 'GetBucketLifecycleConfiguration'],
  ['bucket', 'PUT', 'lifecycle', 'PutBucketLifecycleConfiguration'],
  ['bucket', 'DELETE', 'lifecycle', 'DeleteBucketLifecycle'],
  ['bucket', 'GET', 'tagging', 'GetBucketTagging'],
  ['bucket', 'PUT', 'tagging', 'PutBucketTagging'],
  ['bucket', 'DELETE', 'tagging', 'DeleteBucketTagging'],
  ['bucket', 'GET', 'cors', 'GetBucketCors'],
  ['bucket', 'PUT', 'cors', 'PutBucketCors'],
  ['bucket', 'DELETE', 'cors', 'DeleteBucketCors'],
  ['bucket', 'GET', 'versioning', 'GetBucketVersioning'],
  ['bucket', 'PUT', 'versioning', 'PutBucketVersioning'],
  ['bucket', 'GET', 'website', 'GetBucketWebsite'],
  ['bucket', 'PUT', 'website', 'PutBucketWebsite'],
  ['bucket', 'DELETE', 'website', 'DeleteBucketWebsite'],
  ['bucket', 'GET', 'encryption', 'GetBucketEncryption'],
  ['bucket', 'PUT', 'encryption', 'PutBucketEncryption'],
  ['bucket', 'DELETE', 'encryption', 'DeleteBucketEncryption'],
  ['bucket', 'GET', 'logging', 'GetBucketLogging'],
  ['bucket', 'PUT', 'logging', 'PutBucketLogging'],
  ['bucket', 'GET', 'notification', 'GetBucketNotificationConfiguration'],
  ['bucket', 'PUT', 'notification', 'PutBucketNotificationConfiguration'],
  ['bucket', 'GET', 'replication', 'GetBucketReplication'],
  ['bucket', 'PUT', 'replication', 'PutBucketReplication'],
  ['bucket', 'DELETE', 'replication', 'DeleteBucketReplication'],
  ['bucket', 'GET', 'requestPayment', 'GetBucketRequestPayment'],
  ['bucket', 'PUT', 'requestPayment', 'PutBucketRequestPayment'],
  ['bucket', 'GET', 'accelerate', 'GetBucketAccelerateConfiguration'],
  ['bucket', 'PUT', 'accelerate', 'PutBucketAccelerateConfiguration'],
  ['bucket', 'GET', 'ownershipControls', 'GetBucketOwnershipControls'],
  ['bucket', 'PUT', 'ownershipControls', 'PutBucketOwnershipControls'],
  ['bucket', 'DELETE', 'ownershipControls', 'DeleteBucketOwnershipControls'],
  ['bucket', 'GET', 'publicAccessBlock', 'GetPublicAccessBlock'],
  ['bucket', 'PUT', 'publicAccessBlock', 'PutPublicAccessBlock'],
  ['bucket', 'DELETE', 'publicAccessBlock', 'DeletePublicAccessBlock'],
  ['bucket', 'GET', 'object-lock', 'GetObjectLockConfiguration'],
  ['bucket', 'PUT', 'object-lock', 'PutObjectLockConfiguration'],
  ['bucket', 'GET', 'analytics&id=a', 'GetBucketAnalyticsConfiguration'],
  ['bucket', 'GET', 'analytics', 'ListBucketAnalyticsConfigurations'],
  ['bucket', 'PUT', 'analytics&id=a', 'PutBucketAnalyticsConfiguration'],
  ['bucket', 'DELETE', 'analytics&id=a', 'DeleteBucketAnalyticsConfiguration'],
  ['bucket', 'GET', 'metrics&id=m', 'GetBucketMetricsConfiguration'],
  ['bucket', 'GET', 'metrics', 'ListBucketMetricsConfigurations'],
  ['bucket', 'PUT', 'metrics&id=m', 'PutBucketMetricsConfiguration'],
  ['bucket', 'DELETE', 'metrics&id=m', 'DeleteBucketMetricsConfiguration'],
  ['bucket', 'GET', 'inventory&id=i', 'GetBucketInventoryConfiguration'],
  ['bucket', 'GET', 'inventory', 'ListBucketInventoryConfigurations'],
  ['bucket', 'PUT', 'inventory&id=i', 'PutBucketInventoryConfiguration'],
  ['bucket', 'DELETE', 'inventory&id=i', 'DeleteBucketInventoryConfiguration'],
  ['bucket', 'PATCH', '', 'Other'],
  ['bucket', 'DELETE', 'versioning', 'Other'],
  ['object', 'GET', '', 'GetObject'],
  ['object', 'GET', 'versionId=v&response-content-type=text/plain', 'GetObject'],
  ['object', 'HEAD', '', 'HeadObject'],
  ['object', 'PUT', '', 'PutObject'],
  ['object', 'PUT', '', 'CopyObject', { 'x-amz-copy-source': '/src/key' }],
  ['object', 'DELETE', 'versionId=v', 'DeleteObject'],
  ['object', 'POST', 'uploads', 'CreateMultipartUpload'],
  ['object', 'PUT', 'partNumber=1&uploadId=u', 'UploadPart'],
  ['object', 'PUT', 'uploadId=u&partNumber=1', 'UploadPartCopy', { 'x-amz-copy-source': '/src/key' }],
  ['object', 'POST', 'uploadId=u', 'CompleteMultipartUpload'],
  ['object', 'DELETE', 'uploadId=u', 'AbortMultipartUpload'],
  ['object', 'GET', 'uploadId=u&max-parts=10', 'ListParts'],
  ['object', 'GET', 'tagging&versionId=v', 'GetObjectTagging'],
  ['object', 'PUT', 'tagging', 'PutObjectTagging'],
  ['object', 'DELETE', 'tagging', 'DeleteObjectTagging'],
  ['object', 'GET', 'acl', 'GetObjectAcl'],
  ['object', 'PUT', 'acl', 'PutObjectAcl'],
  ['object', 'GET', 'retention', 'GetObjectRetention'],
  ['object', 'PUT', 'retention', 'PutObjectRetention'],
  ['object', 'GET', 'legal-hold', 'GetObjectLegalHold'],
  ['object', 'PUT', 'legal-hold', 'PutObjectLegalHold'],
  ['object', 'GET', 'attributes', 'GetObjectAttributes'],
  ['object', 'GET', 'torrent', 'GetObjectTorrent'],
  ['object', 'POST', 'restore&versionId=v', 'RestoreObject'],
  ['object', 'POST', 'select&select-type=2', 'SelectObjectContent'],
  ['object', 'POST', '', 'Other'],
  ['object', 'DELETE', 'acl', 'Other'],
];

function pairs(qs: string): Array<[string, string]> {
  if (qs === '') return [];
  return qs.split('&').map((p) => {
    const eq = p.indexOf('=');
    return eq === -1 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
  });
}

describe('s3Operation', () => {
  for (const [level, method, qs, expected, headers] of CASES) {
    it(`names ${method} on a ${level}${qs ? ' ?' + qs : ''}${headers ? ' with a copy source' : ''} ${expected}`, () => {
      expect(s3Operation(method, level !== 'service', level === 'object', pairs(qs), headers)).toBe(expected);
    });
  }

  it('reaches every name in S3_OPERATIONS and returns nothing outside it', () => {
    const seen = new Set(CASES.map((c) => c[3]));
    for (const name of seen) expect(S3_OPERATIONS).toContain(name);
    expect(S3_OPERATIONS.filter((n) => !seen.has(n))).toEqual([]);
  });

});
