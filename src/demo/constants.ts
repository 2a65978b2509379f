// Protocol strings used only by the demo server (SigV4 ones come from ../sigv4/constants.ts).

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const SERVICE = 's3';

export const REQUEST_ID = 'x-amz-request-id';
export const ID_2 = 'x-amz-id-2';
export const BUCKET_REGION = 'x-amz-bucket-region';
export const META_PREFIX = 'x-amz-meta-';
export const COPY_SOURCE = 'x-amz-copy-source';
export const COPY_SOURCE_RANGE = 'x-amz-copy-source-range';
export const METADATA_DIRECTIVE = 'x-amz-metadata-directive';
export const CHECKSUM_MODE = 'x-amz-checksum-mode';
export const STORAGE_CLASS = 'x-amz-storage-class';
export const MP_PARTS_COUNT = 'x-amz-mp-parts-count';

/** Checksum algorithms this server verifies, by their header suffix. */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** Entity headers stored with an object and returned on GET/HEAD. */
export const STORED_HEADERS = [
  'content-type', 'cache-control', 'content-disposition', 'content-language', 'expires',
  'x-amz-website-redirect-location', 'x-amz-storage-class',
] as const;

/** GET query parameters that override a response header (S3 GetObject). */
export const RESPONSE_OVERRIDES: ReadonlyArray<readonly [string, string]> = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
];

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** S3's largest single PutObject (and part): 5 GiB. */
export const MAX_PUT_OBJECT_SIZE = 5 * 1024 * 1024 * 1024;
export const SSE_C_ALGORITHM = 'x-amz-server-side-encryption-customer-algorithm';
export const SSE_C_KEY = 'x-amz-server-side-encryption-customer-key';
export const SSE_C_KEY_MD5 = 'x-amz-server-side-encryption-customer-key-md5';
export const MAX_KEYS = 1000;
/** Longest aws-chunked header or trailer line accepted; real lines are < 200 bytes. */
export const MAX_CHUNK_LINE = 4096;
