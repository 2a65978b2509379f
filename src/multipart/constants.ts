// S3's multipart limits and the header and query names this folder uses (SigV4 ones come from ../sigv4/constants.ts).

export const MiB = 1024 * 1024;
/** S3: every part but the last is at least 5 MiB. */
export const MIN_PART_SIZE = 5 * MiB;
/** S3: a part is at most 5 GiB; so is a single PutObject. */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
export const MAX_PARTS = 10_000;
/** S3: an object is at most 5 TiB. */
export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MiB;
/** Unknown length: the part size doubles after every this many parts (part-size.ts). */
export const PARTS_PER_SIZE = 1000;

export const Q_UPLOADS = 'uploads';
export const Q_UPLOAD_ID = 'uploadId';
export const Q_PART_NUMBER = 'partNumber';

export const IF_MATCH = 'if-match';
export const IF_NONE_MATCH = 'if-none-match';
export const ETAG = 'etag';
export const VERSION_ID = 'x-amz-version-id';
export const SDK_CHECKSUM_ALGORITHM = 'x-amz-sdk-checksum-algorithm';
export const CHECKSUM_ALGORITHM = 'x-amz-checksum-algorithm';
export const CHECKSUM_TYPE = 'x-amz-checksum-type';
export const WRITE_OFFSET = 'x-amz-write-offset-bytes';
export const EXPECTED_BUCKET_OWNER = 'x-amz-expected-bucket-owner';
export const REQUEST_PAYER = 'x-amz-request-payer';
export const SSE_C_ALGORITHM = 'x-amz-server-side-encryption-customer-algorithm';
export const SSE_C_KEY = 'x-amz-server-side-encryption-customer-key';
export const SSE_C_KEY_MD5 = 'x-amz-server-side-encryption-customer-key-md5';

/** Headers of an upstream answer that a PutObject answer carries too (x-amz-checksum-* are added as they come). */
export const ANSWER_HEADERS: readonly string[] = [
  VERSION_ID, 'x-amz-expiration', 'x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-bucket-key-enabled', SSE_C_ALGORITHM, SSE_C_KEY_MD5, 'x-amz-request-charged',
  'x-amz-request-id', 'x-amz-id-2', ETAG,
];

/** Headers of an upstream refusal passed on with its error document. */
export const REFUSAL_HEADERS: readonly string[] = ['x-amz-request-id', 'x-amz-id-2', 'x-amz-bucket-region', 'retry-after'];
