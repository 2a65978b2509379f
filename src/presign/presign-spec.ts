import { SignetError } from '../errors.js';
import { s3Operation } from '../s3/operation.js';
import type { S3Operation } from '../s3/operation.js';
import { AMZ_CONTENT_SHA256, AMZ_DATE, AMZ_PREFIX, AMZ_SECURITY_TOKEN, AUTHORIZATION, HOST } from '../sigv4/constants.js';
import { isSignableHeader } from '../sigv4/canonical-headers.js';

export const PRESIGN_METHODS = ['GET', 'PUT', 'HEAD', 'DELETE', 'POST'] as const;
export type PresignMethod = (typeof PRESIGN_METHODS)[number];

/** What a presigned URL may do: object calls a browser or an SDK-less app makes, and listing. */
export const PRESIGNABLE_OPERATIONS: ReadonlySet<S3Operation> = new Set<S3Operation>([
  'GetObject', 'HeadObject', 'PutObject', 'DeleteObject', 'CreateMultipartUpload', 'UploadPart',
  'CompleteMultipartUpload', 'AbortMultipartUpload', 'ListParts', 'ListObjects', 'ListObjectsV2',
]);

/** Query parameters a caller may put in a presigned URL (they are signed with it). */
const QUERY_NAMES: ReadonlySet<string> = new Set([
  'uploadId', 'partNumber', 'uploads', 'versionId', 'list-type', 'prefix', 'delimiter', 'max-keys', 'start-after',
  'continuation-token', 'response-content-type', 'response-content-disposition', 'response-content-language',
  'response-content-encoding', 'response-cache-control', 'response-expires',
]);

/** Headers signet owns in a presigned URL: the client must never choose them. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([HOST, AUTHORIZATION, AMZ_DATE, AMZ_SECURITY_TOKEN, AMZ_CONTENT_SHA256]);

/** End-to-end headers a caller may ask to have signed (plus any x-amz-* not reserved above). */
const SIGNABLE_STANDARD: ReadonlySet<string> = new Set([
  'content-type', 'content-md5', 'content-disposition', 'content-encoding', 'content-language', 'cache-control',
  'expires', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'range',
]);

const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const PART_NUMBER = /^[1-9]\d{0,4}$/;

/** One request to presign, as the CLI and the HTTP endpoint take it. */
export interface PresignSpec {
  readonly method: PresignMethod;
  readonly bucket: string;
  /** Literal object key ('' for bucket-level calls such as listing). */
  readonly key: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Lower-case names: headers the URL's user must send with exactly these values. */
  readonly headers: Readonly<Record<string, string>>;
}

function bad(message: string): never {
  throw new SignetError('InvalidArgument', message, message);
}

export function parsePresignMethod(text: string): PresignMethod {
  const m = text.toUpperCase();
  if (!(PRESIGN_METHODS as readonly string[]).includes(m)) bad(`method ${JSON.stringify(text)} is not one of ${PRESIGN_METHODS.join(', ')}`);
  return m as PresignMethod;
}

/** Lower-cases header names and refuses what may not be signed into a URL. */
export function normaliseHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [raw, value] of Object.entries(headers)) {
    const name = raw.trim().toLowerCase();
    if (!TOKEN.test(name)) bad(`header name ${JSON.stringify(raw)} is not a valid HTTP token`);
    if (RESERVED_HEADERS.has(name)) bad(`header ${name} is set by signet and cannot be chosen`);
    if (!isSignableHeader(name) || !(SIGNABLE_STANDARD.has(name) || name.startsWith(AMZ_PREFIX))) bad(`header ${name} cannot be signed into a presigned URL`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) bad(`header ${name}: the value must be a single-line string`);
    out[name] = value;
  }
  return out;
}

/** The operation a spec presigns, once it has been checked to be one signet presigns. */
export function presignOperation(spec: PresignSpec): S3Operation {
  for (const [name, value] of spec.query) {
    if (!QUERY_NAMES.has(name)) bad(`query parameter ${JSON.stringify(name)} cannot be presigned`);
    if (name === 'partNumber' && !PART_NUMBER.test(value)) bad('partNumber must be 1..10000');
  }
  const hasUpload = spec.query.some(([n]) => n === 'uploadId');
  if (spec.query.some(([n]) => n === 'partNumber') && !hasUpload) bad('partNumber needs an uploadId');
  const op = s3Operation(spec.method, spec.bucket !== '', spec.key !== '', spec.query, spec.headers);
  if (!PRESIGNABLE_OPERATIONS.has(op)) {
    bad(`${spec.method} ${spec.key === '' ? 's3://bucket' : 's3://bucket/key'}${spec.query.length > 0 ? ' with ' + spec.query.map(([n]) => n).join('&') : ''} is not an operation signet presigns (${[...PRESIGNABLE_OPERATIONS].join(', ')})`);
  }
  if (op === 'UploadPart' && !spec.query.some(([n]) => n === 'partNumber')) bad('UploadPart needs partNumber with uploadId');
  return op;
}
