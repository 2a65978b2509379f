import { HOST } from '../sigv4/constants.js';
import {
  abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listMultipartUploads, listParts, uploadPart, uploadPartCopy,
} from './multipart-ops.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './bucket-ops.js';
import { COPY_SOURCE } from './constants.js';
import type { OpContext } from './context.js';
import { DemoError } from './demo-error.js';
import { deleteObjects, listObjectsV1, listObjectsV2 } from './list-ops.js';
import { copyObject, deleteObject, getObject, putObject } from './object-ops.js';
import { decodePath } from './request-info.js';
import type { RequestInfo } from './request-info.js';

export interface Address {
  bucket: string;
  key: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const LOCALHOST_SUFFIX = '.localhost';
/** `s3.amazonaws.com`, `s3.eu-west-1.…`, `s3-external-1.…`: service endpoints, so path style. */
const S3_ENDPOINT_LABEL = /^s3[.-]/;

/**
 * Virtual-hosted style when the Host names a bucket: `<bucket>.localhost` (the bucket may contain
 * dots), or any other non-IP host of two or more labels not starting with an `s3.`/`s3-` label,
 * whose first label is the bucket. IP literals, `localhost` and `s3.…` hosts are path style. Keys are the rest of the raw path,
 * percent-decoded once; '//', '.', '..', a trailing '/' and '+' are kept literally.
 */
export function resolveAddress(info: RequestInfo): Address {
  const hostHeader = (info.headers[HOST] ?? '').toLowerCase();
  const hostname = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0] ?? '';
  const path = info.rawPath.startsWith('/') ? info.rawPath.slice(1) : info.rawPath;
  let bucket = '';
  if (!hostname.startsWith('[') && !IPV4.test(hostname) && hostname !== 'localhost') {
    if (hostname.endsWith(LOCALHOST_SUFFIX)) bucket = hostname.slice(0, -LOCALHOST_SUFFIX.length);
    else if (hostname.includes('.') && !S3_ENDPOINT_LABEL.test(hostname)) bucket = hostname.slice(0, hostname.indexOf('.'));
  }
  if (bucket !== '') return { bucket, key: decodePath(path) };
  const slash = path.indexOf('/');
  if (slash === -1) return { bucket: decodePath(path), key: '' };
  return { bucket: decodePath(path.slice(0, slash)), key: decodePath(path.slice(slash + 1)) };
}

/** Sub-resources S3 has that this server does not: refused loudly rather than misread as plain calls. */
const UNSUPPORTED = new Set([
  'acl', 'policy', 'cors', 'lifecycle', 'versioning', 'tagging', 'website', 'logging', 'notification',
  'replication', 'encryption', 'object-lock', 'retention', 'legal-hold', 'versions', 'accelerate',
  'requestPayment', 'inventory', 'analytics', 'metrics', 'intelligent-tiering', 'ownershipControls',
  'publicAccessBlock', 'restore', 'select', 'torrent', 'attributes', 'policyStatus', 'session',
]);

const notAllowed = (): DemoError => new DemoError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');

/** PutObject and UploadPart: the calls whose body must have a length (411 otherwise). */
export function isObjectWrite(info: RequestInfo, address: Address): boolean {
  return info.method === 'PUT' && address.key !== '' && info.headers[COPY_SOURCE] === undefined;
}

export function dispatch(ctx: OpContext): void | Promise<void> {
  const { method, params } = ctx.info;
  for (const name of params.keys()) {
    if (UNSUPPORTED.has(name)) {
      throw new DemoError(501, 'NotImplemented', `The ${name} sub-resource is not implemented by this server.`);
    }
  }
  if (ctx.bucketName === '') {
    if (method === 'GET') return listBuckets(ctx);
    throw notAllowed();
  }
  if (ctx.key === '') {
    switch (method) {
      case 'PUT': return createBucket(ctx);
      case 'HEAD': return headBucket(ctx);
      case 'DELETE': return deleteBucket(ctx);
      case 'POST': if (params.has('delete')) return deleteObjects(ctx); throw notAllowed();
      case 'GET':
        if (params.has('location')) return getBucketLocation(ctx);
        if (params.has('uploads')) return listMultipartUploads(ctx);
        return params.get('list-type') === '2' ? listObjectsV2(ctx) : listObjectsV1(ctx);
      default: throw notAllowed();
    }
  }
  const copy = ctx.info.headers[COPY_SOURCE] !== undefined;
  switch (method) {
    case 'PUT':
      if (params.has('uploadId')) return copy ? uploadPartCopy(ctx) : uploadPart(ctx);
      return copy ? copyObject(ctx) : putObject(ctx);
    case 'GET': return params.has('uploadId') ? listParts(ctx) : getObject(ctx);
    case 'HEAD': return getObject(ctx);
    case 'DELETE': return params.has('uploadId') ? abortMultipartUpload(ctx) : deleteObject(ctx);
    case 'POST':
      if (params.has('uploads')) return createMultipartUpload(ctx);
      if (params.has('uploadId')) return completeMultipartUpload(ctx);
      throw notAllowed();
    default: throw notAllowed();
  }
}
