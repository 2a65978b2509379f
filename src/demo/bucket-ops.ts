import { BUCKET_REGION } from './constants.js';
import { bodyText, isoDate, requireBucket } from './context.js';
import type { OpContext } from './context.js';
import { DemoError, noSuchBucket } from './demo-error.js';
import { sendEmpty, sendXml } from './respond.js';
import { newBucket, validBucketName } from './store.js';
import type { StoredBucket } from './store.js';
import { firstTag, s3Document, s3TextDocument } from './xml.js';

const OWNER: Array<[string, string]> = [['ID', 'demo-owner'], ['DisplayName', 'signet-demo']];

/** The bucket an object write goes to; unknown buckets are created when autoCreateBuckets is on. */
export function bucketForWrite(ctx: OpContext): StoredBucket {
  const existing = ctx.state.buckets.get(ctx.bucketName);
  if (existing !== undefined) return existing;
  if (!ctx.state.autoCreateBuckets || !validBucketName(ctx.bucketName)) throw noSuchBucket(ctx.bucketName);
  const bucket = newBucket(ctx.bucketName, ctx.now);
  ctx.state.buckets.set(bucket.name, bucket);
  return bucket;
}

export function listBuckets(ctx: OpContext): void {
  const buckets = [...ctx.state.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  sendXml(ctx.res, 200, s3Document('ListAllMyBucketsResult', [
    ['Owner', OWNER],
    ['Buckets', [['Bucket', { each: buckets.map((b) => [['Name', b.name], ['CreationDate', isoDate(b.created)]]) }]]],
  ]));
}

export function createBucket(ctx: OpContext): void {
  const { bucketName, state } = ctx;
  if (!validBucketName(bucketName)) {
    throw new DemoError(400, 'InvalidBucketName', 'The specified bucket is not valid.', [['BucketName', bucketName]]);
  }
  const xml = bodyText(ctx);
  const constraint = xml === '' ? undefined : firstTag(xml, 'LocationConstraint');
  const wanted = constraint === undefined || constraint === '' ? 'us-east-1' : constraint;
  if (wanted !== state.region) {
    throw new DemoError(400, 'IllegalLocationConstraintException', `The ${wanted} location constraint is incompatible for the region specific endpoint this request was sent to.`);
  }
  if (state.buckets.has(bucketName)) {
    throw new DemoError(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', [['BucketName', bucketName]]);
  }
  state.buckets.set(bucketName, newBucket(bucketName, ctx.now));
  sendEmpty(ctx.res, 200, { location: `/${bucketName}` });
}

export function headBucket(ctx: OpContext): void {
  requireBucket(ctx);
  sendEmpty(ctx.res, 200, { [BUCKET_REGION]: ctx.state.region });
}

export function deleteBucket(ctx: OpContext): void {
  const bucket = requireBucket(ctx);
  if (bucket.objects.size > 0 || bucket.uploads.size > 0) {
    throw new DemoError(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', [['BucketName', bucket.name]]);
  }
  ctx.state.buckets.delete(bucket.name);
  sendEmpty(ctx.res, 204);
}

export function getBucketLocation(ctx: OpContext): void {
  requireBucket(ctx);
  // S3 reports us-east-1 as an empty constraint.
  const region = ctx.state.region === 'us-east-1' ? '' : ctx.state.region;
  sendXml(ctx.res, 200, s3TextDocument('LocationConstraint', region));
}
