import { SignetError } from '../errors.js';

/**
 * What one gateway client may do: buckets and keys (globs, `*` any run of characters, `/` too, `?` one),
 * and S3 actions named as in IAM (`s3:GetObject`, globs such as `s3:Get*`, `s3:*`, and the
 * `read-only` shorthand for every `s3:Get*` and `s3:List*`). Pure: the pipeline asks, this answers.
 */
export interface ClientPolicy {
  readonly buckets: readonly Glob[];
  readonly keys: readonly Glob[];
  readonly actions: readonly Glob[];
  /** Gateway route names (globs) the client may use; absent: every S3 route (route-policy.ts). */
  readonly routes?: readonly Glob[];
}

/**
 * A glob matched without regular expressions: keys come from clients, and a pattern such as
 * `*a*a*a*` compiled to a RegExp backtracks exponentially on a long key. The greedy two-pointer
 * match (remember the last `*`, retry one character further) is O(pattern × value) at worst.
 */
export class Glob {
  readonly source: string;
  readonly matchesAll: boolean;
  constructor(pattern: string) {
    this.source = pattern.replace(/\*{2,}/g, '*');
    this.matchesAll = this.source === '*';
  }
  test(value: string): boolean {
    const p = this.source;
    let pi = 0;
    let vi = 0;
    let star = -1;
    let mark = 0;
    while (vi < value.length) {
      if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === value[vi]))) {
        pi++;
        vi++;
      } else if (pi < p.length && p[pi] === '*') {
        star = pi++;
        mark = vi;
      } else if (star !== -1) {
        pi = star + 1;
        vi = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.length && p[pi] === '*') pi++;
    return pi === p.length;
  }
}

export function actionPatterns(actions: readonly string[]): Glob[] {
  const out: Glob[] = [];
  for (const a of actions) {
    if (a === 'read-only') out.push(new Glob('s3:Get*'), new Glob('s3:List*'));
    else out.push(new Glob(a));
  }
  return out;
}

/** The IAM action S3 checks for an operation (AWS "Actions, resources, and condition keys for Amazon S3"). */
const ACTION_OF: Readonly<Record<string, string>> = {
  HeadObject: 's3:GetObject',
  SelectObjectContent: 's3:GetObject',
  HeadBucket: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  ListParts: 's3:ListMultipartUploadParts',
  ListBuckets: 's3:ListAllMyBuckets',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  UploadPartCopy: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  CopyObject: 's3:PutObject',
  PostObject: 's3:PutObject',
  DeleteObjects: 's3:DeleteObject',
  GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  DeleteBucketLifecycle: 's3:PutLifecycleConfiguration',
  GetBucketCors: 's3:GetBucketCORS',
  PutBucketCors: 's3:PutBucketCORS',
  DeleteBucketCors: 's3:PutBucketCORS',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  GetBucketNotificationConfiguration: 's3:GetBucketNotification',
  PutBucketNotificationConfiguration: 's3:PutBucketNotification',
  GetBucketReplication: 's3:GetReplicationConfiguration',
  PutBucketReplication: 's3:PutReplicationConfiguration',
  DeleteBucketReplication: 's3:PutReplicationConfiguration',
  GetBucketAccelerateConfiguration: 's3:GetAccelerateConfiguration',
  PutBucketAccelerateConfiguration: 's3:PutAccelerateConfiguration',
  GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
  PutObjectLockConfiguration: 's3:PutBucketObjectLockConfiguration',
  DeleteBucketTagging: 's3:PutBucketTagging',
  DeleteBucketWebsite: 's3:DeleteBucketWebsite',
  GetBucketPolicyStatus: 's3:GetBucketPolicyStatus',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  DeletePublicAccessBlock: 's3:PutBucketPublicAccessBlock',
};

export function iamAction(operation: string): string {
  return ACTION_OF[operation] ?? 's3:' + operation;
}

/** Operations on a bucket as a whole: the key patterns do not apply. */
function bucketLevel(operation: string, key: string): boolean {
  return key === '' || operation === 'DeleteObjects';
}

function any(patterns: readonly Glob[], value: string): boolean {
  for (const p of patterns) if (p.test(value)) return true;
  return false;
}

function deny(reason: string): never {
  throw new SignetError('AccessDenied', 'policy: ' + reason);
}

export interface PolicyRequest {
  readonly operation: string;
  readonly bucket: string;
  readonly key: string;
  /** x-amz-copy-source as sent ('' when absent): a copy reads its source, so that needs s3:GetObject. */
  readonly copySource: string;
  /** The key patterns apply even to an empty key (a form upload under the prefix ''). */
  readonly anyKey?: boolean;
  /** The versionId query parameter ('' or absent: none): a specific version needs IAM's *Version action too. */
  readonly versionId?: string;
}

/** The versionId query parameter of a request, '' when absent. */
export function versionIdOf(query: ReadonlyArray<readonly [string, string]>): string {
  for (const [name, value] of query) if (name === 'versionId') return value;
  return '';
}

/** Operations that reach one object version when given a versionId, and the action IAM then checks. */
const VERSION_ACTION: Readonly<Record<string, string>> = {
  GetObject: 's3:GetObjectVersion',
  HeadObject: 's3:GetObjectVersion',
  DeleteObject: 's3:DeleteObjectVersion',
  GetObjectTagging: 's3:GetObjectVersionTagging',
  PutObjectTagging: 's3:PutObjectVersionTagging',
  DeleteObjectTagging: 's3:DeleteObjectVersionTagging',
  GetObjectAcl: 's3:GetObjectVersionAcl',
  PutObjectAcl: 's3:PutObjectVersionAcl',
};

/**
 * Refuses (403 AccessDenied, before the body is read) what the client's policy does not allow.
 * DeleteObjects names its keys in the body: here only its action and bucket are checked, and
 * deleteNeedsKeyCheck says whether the body must be read for checkDeleteEntries.
 */
export function checkPolicy(policy: ClientPolicy, r: PolicyRequest): void {
  const action = iamAction(r.operation);
  if (r.operation === 'Other') deny('operation not recognised');
  if (!any(policy.actions, action)) deny(`${action} not allowed`);
  const versioned = r.versionId !== undefined && r.versionId !== '' ? VERSION_ACTION[r.operation] : undefined;
  if (versioned !== undefined && !any(policy.actions, versioned)) deny(`${versioned} not allowed`);
  if (r.operation !== 'ListBuckets' && !any(policy.buckets, r.bucket)) deny('bucket not allowed');
  if ((r.anyKey === true || !bucketLevel(r.operation, r.key)) && !any(policy.keys, r.key)) deny('key not allowed');
  if (r.copySource !== '') {
    const source = parseCopySource(r.copySource);
    if (source === null) deny('malformed x-amz-copy-source');
    if (!any(policy.actions, 's3:GetObject') || !any(policy.buckets, source.bucket) || !any(policy.keys, source.key)) deny('copy source not allowed');
    if (source.versioned && !any(policy.actions, 's3:GetObjectVersion')) deny('copy source version: s3:GetObjectVersion not allowed');
  }
}

/**
 * Whether a DeleteObjects must have its keys checked one by one: unless the policy allows every
 * key and both actions an entry can need, some entry of the body could be one it does not allow.
 */
export function deleteNeedsKeyCheck(policy: ClientPolicy): boolean {
  return !(policy.keys.some((k) => k.matchesAll) && any(policy.actions, 's3:DeleteObject') && any(policy.actions, 's3:DeleteObjectVersion'));
}

/**
 * Every entry of a DeleteObjects body: s3:DeleteObject on its key, and s3:DeleteObjectVersion too
 * when it names a version (IAM's rule for deleting a version). One entry denied denies the whole
 * request: signet forwards the body as signed, so it cannot authorise part of it.
 */
export function checkDeleteEntries(policy: ClientPolicy, entries: ReadonlyArray<{ readonly key: string; readonly versionId: string }>): void {
  const versions = any(policy.actions, 's3:DeleteObjectVersion');
  for (const e of entries) {
    if (!any(policy.keys, e.key)) deny('DeleteObjects names a key not allowed');
    if (e.versionId !== '' && !versions) deny('DeleteObjects names a version: s3:DeleteObjectVersion not allowed');
  }
}

/** `bucket/key` or `/bucket/key`, percent-encoded, optionally `?versionId=…` (then `versioned`). */
export function parseCopySource(value: string): { bucket: string; key: string; versioned?: true } | null {
  let v = value.trim();
  const q = v.indexOf('?');
  const versioned = q !== -1 && /(^|&)versionId=[^&]/.test(v.slice(q + 1));
  if (q !== -1) v = v.slice(0, q);
  if (v.startsWith('/')) v = v.slice(1);
  const slash = v.indexOf('/');
  if (slash <= 0 || slash === v.length - 1) return null;
  try {
    const source = { bucket: decodeURIComponent(v.slice(0, slash)), key: decodeURIComponent(v.slice(slash + 1)) };
    return versioned ? { ...source, versioned: true } : source;
  } catch {
    return null;
  }
}
