import { SignetError } from '../errors.js';
import { AMZ_CHECKSUM_PREFIX, CONTENT_MD5 } from '../sigv4/constants.js';
import { checksumAlgorithmOf } from '../sigv4/trailer-checksum.js';
import type { ChecksumAlgorithm } from '../sigv4/trailer-checksum.js';
import {
  CHECKSUM_ALGORITHM, CHECKSUM_TYPE, EXPECTED_BUCKET_OWNER, IF_MATCH, IF_NONE_MATCH, REQUEST_PAYER, SDK_CHECKSUM_ALGORITHM,
  SSE_C_ALGORITHM, SSE_C_KEY, SSE_C_KEY_MD5, WRITE_OFFSET,
} from './constants.js';

/** Where each of a PutObject's headers goes once the upload is split into calls. */
export interface CarriedHeaders {
  /** CreateMultipartUpload: entity headers, x-amz-meta-*, ACL and grants, SSE, storage class, tagging, object lock… */
  readonly create: Readonly<Record<string, string>>;
  /** Every UploadPart: SSE-C (S3 needs the key again for each part), bucket owner, requester pays. */
  readonly part: Readonly<Record<string, string>>;
  /** CompleteMultipartUpload: the conditional-write headers, SSE-C, bucket owner, requester pays. */
  readonly complete: Readonly<Record<string, string>>;
  /** AbortMultipartUpload: bucket owner, requester pays. */
  readonly abort: Readonly<Record<string, string>>;
  /** The whole-object Content-MD5 (base64) that signet checks itself, '' when none. */
  readonly contentMd5: string;
  /** The checksum algorithm of the upload: each part carries its own value of it. */
  readonly checksumAlgorithm: ChecksumAlgorithm | undefined;
  /** A whole-object checksum value the client sent (base64), checked by signet; '' when none. */
  readonly checksumValue: string;
}

const SSE_C = [SSE_C_ALGORITHM, SSE_C_KEY, SSE_C_KEY_MD5];
const EVERY_CALL = [EXPECTED_BUCKET_OWNER, REQUEST_PAYER];
/** Checked by signet over the whole stream (S3 sees only parts), or moved to another call. */
const NOT_ON_CREATE: ReadonlySet<string> = new Set([CONTENT_MD5, IF_MATCH, IF_NONE_MATCH, SDK_CHECKSUM_ALGORITHM, CHECKSUM_TYPE]);
const MD5_BASE64 = /^[A-Za-z0-9+/]{22}==$/;

function pick(headers: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const notConvertible = (what: string): SignetError =>
  new SignetError('NotImplemented', `multipart: ${what}`, `signet cannot carry ${what} over to a multipart upload; send a Content-Length up to --multipart-threshold.`);

/**
 * Splits the client's PutObject headers over the calls of a multipart upload, and refuses what
 * cannot be carried over, before any byte is sent. Pure.
 */
export function carryHeaders(headers: Readonly<Record<string, string>>): CarriedHeaders {
  if (headers[WRITE_OFFSET] !== undefined) throw notConvertible(WRITE_OFFSET);
  // Present but empty is malformed, as S3 judges it (InvalidDigest), not absent.
  const contentMd5 = headers[CONTENT_MD5];
  if (contentMd5 !== undefined && !MD5_BASE64.test(contentMd5)) {
    throw new SignetError('InvalidDigest', 'multipart: malformed Content-MD5');
  }
  let checksumAlgorithm: ChecksumAlgorithm | undefined;
  let checksumValue = '';
  const sdkAlgorithm = headers[SDK_CHECKSUM_ALGORITHM];
  if (sdkAlgorithm !== undefined) {
    checksumAlgorithm = checksumAlgorithmOf(AMZ_CHECKSUM_PREFIX + sdkAlgorithm.toLowerCase());
    if (checksumAlgorithm === undefined) throw notConvertible(`${SDK_CHECKSUM_ALGORITHM}: ${sdkAlgorithm}`);
  }
  const create: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name]!;
    if (name.startsWith(AMZ_CHECKSUM_PREFIX) && name !== CHECKSUM_TYPE && name !== 'x-amz-checksum-mode') {
      // A whole-object value: S3 would compare it with a checksum of checksums. signet checks it
      // over the stream instead, and has every part carry its own value of the same algorithm.
      const algorithm = checksumAlgorithmOf(name);
      if (algorithm === undefined) throw notConvertible(name);
      if (checksumAlgorithm !== undefined && checksumAlgorithm !== algorithm) {
        throw new SignetError('InvalidRequest', 'multipart: two checksum algorithms', 'Expecting a single x-amz-checksum- header.');
      }
      checksumAlgorithm = algorithm;
      checksumValue = value;
      continue;
    }
    if (NOT_ON_CREATE.has(name)) continue;
    create[name] = value;
  }
  if (checksumAlgorithm !== undefined) create[CHECKSUM_ALGORITHM] = checksumAlgorithm.toUpperCase();
  return {
    create,
    part: pick(headers, [...SSE_C, ...EVERY_CALL]),
    complete: pick(headers, [IF_MATCH, IF_NONE_MATCH, ...SSE_C, ...EVERY_CALL]),
    abort: pick(headers, EVERY_CALL),
    contentMd5: contentMd5 ?? '',
    checksumAlgorithm,
    checksumValue,
  };
}
