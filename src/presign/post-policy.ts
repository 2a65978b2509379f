import { SignetError } from '../errors.js';
import { wirePath } from '../proxy/request-target.js';
import { resolveEndpoint } from '../s3/endpoint.js';
import type { Addressing, Upstream } from '../s3/endpoint.js';
import { formatAmzDate } from '../sigv4/amz-date.js';
import { ALGORITHM } from '../sigv4/constants.js';
import { postPolicySignature } from '../sigv4/post-policy-signature.js';
import { credentialScope } from '../sigv4/scope.js';
import type { Credentials } from '../sigv4/types.js';
import { capExpiry } from './cap-expiry.js';
import type { CappedExpiry } from './cap-expiry.js';

/** One condition of a POST policy (S3 "Creating a POST Policy"). */
export type PolicyCondition =
  | Readonly<Record<string, string>>
  | readonly ['eq' | 'starts-with', string, string]
  | readonly ['content-length-range', number, number];

export interface PolicyDocument {
  readonly expiration: string;
  readonly conditions: readonly PolicyCondition[];
}

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const;
export type PostChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export const SUCCESS_STATUSES = ['200', '201', '204'] as const;

/** What a browser upload may do; everything left out is not allowed (S3 refuses unlisted fields). */
export interface PostPolicyRequest {
  readonly bucket: string;
  /** The object key exactly, or, ending in '/', a prefix: the form's key is `prefix${filename}`. */
  readonly key: string;
  /** A key prefix rather than one key: the browser may choose any key under `key`. */
  readonly prefix: boolean;
  readonly expiresSeconds: number;
  /** content-length-range, bytes. */
  readonly minSize?: number;
  readonly maxSize?: number;
  /** The form's Content-Type must start with this ('' lets any type through, but the field must be sent). */
  readonly contentTypePrefix?: string;
  readonly successActionStatus?: (typeof SUCCESS_STATUSES)[number];
  readonly successActionRedirect?: string;
  readonly acl?: string;
  /** x-amz-meta-* without the prefix, exact values. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The form must carry x-amz-checksum-<alg> with the file's checksum, which S3 verifies. */
  readonly checksumAlgorithm?: PostChecksumAlgorithm;
}

export interface PostPolicyOptions extends PostPolicyRequest {
  readonly upstream: Upstream;
  readonly addressing: Addressing;
  readonly region: string;
  readonly service: string;
  readonly credentials: Credentials;
  readonly now: Date;
}

export interface PostPolicy {
  /** Where the form goes: the bucket's endpoint as `serve` would address it. */
  readonly url: string;
  /** Form fields to send as they are, before the file field. */
  readonly fields: Readonly<Record<string, string>>;
  readonly document: PolicyDocument;
  readonly expiresSeconds: number;
  readonly expiresAt: string;
  readonly shortened: CappedExpiry['shortened'];
}

const FILENAME = '${filename}';
/** S3 caps one POST upload at 5 GiB, as for PutObject. */
export const MAX_POST_SIZE = 5 * 1024 ** 3;
const META_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

function bad(message: string): never {
  throw new SignetError('InvalidArgument', message, message);
}

function checkRequest(r: PostPolicyRequest): void {
  if (!r.prefix && r.key === '') bad('an upload needs a key or a key prefix');
  const min = r.minSize ?? 0;
  const max = r.maxSize ?? MAX_POST_SIZE;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min || max > MAX_POST_SIZE) {
    bad(`size range ${min}..${max} is not within 0..${MAX_POST_SIZE} bytes`);
  }
  if (r.successActionStatus !== undefined && !SUCCESS_STATUSES.includes(r.successActionStatus)) bad('success_action_status must be 200, 201 or 204');
  if (r.successActionRedirect !== undefined && !/^https?:\/\//.test(r.successActionRedirect)) bad('success_action_redirect must be an http(s) URL');
  for (const name of Object.keys(r.metadata ?? {})) if (!META_NAME.test(name)) bad(`metadata name ${JSON.stringify(name)} is not a lower-case token`);
}

/**
 * Mints the fields of a browser POST upload: the policy document (expiration and one condition
 * per field the form will carry), base64, and its SigV4 signature with signet's credentials.
 * Pure: credentials and clock come in, nothing is sent anywhere.
 */
export function mintPostPolicy(o: PostPolicyOptions): PostPolicy {
  checkRequest(o);
  const { expiresSeconds, shortened } = capExpiry(o.expiresSeconds, o.credentials, o.now);
  const { amzDate, shortDate } = formatAmzDate(o.now);
  const credential = o.credentials.accessKeyId + '/' + credentialScope(shortDate, o.region, o.service);
  const expiresAt = new Date(o.now.getTime() + expiresSeconds * 1000).toISOString();

  const fields: Record<string, string> = { key: o.prefix ? o.key + FILENAME : o.key };
  const conditions: PolicyCondition[] = [
    { bucket: o.bucket },
    o.prefix ? ['starts-with', '$key', o.key] : { key: o.key },
  ];
  const exact = (name: string, value: string): void => {
    fields[name] = value;
    conditions.push({ [name]: value });
  };
  if (o.minSize !== undefined || o.maxSize !== undefined) conditions.push(['content-length-range', o.minSize ?? 0, o.maxSize ?? MAX_POST_SIZE]);
  if (o.contentTypePrefix !== undefined) conditions.push(['starts-with', '$Content-Type', o.contentTypePrefix]);
  if (o.acl !== undefined) exact('acl', o.acl);
  if (o.successActionStatus !== undefined) exact('success_action_status', o.successActionStatus);
  if (o.successActionRedirect !== undefined) exact('success_action_redirect', o.successActionRedirect);
  for (const [name, value] of Object.entries(o.metadata ?? {})) exact('x-amz-meta-' + name, value);
  if (o.checksumAlgorithm !== undefined) {
    exact('x-amz-checksum-algorithm', o.checksumAlgorithm);
    conditions.push(['starts-with', '$x-amz-checksum-' + o.checksumAlgorithm.toLowerCase(), '']);
  }
  exact('x-amz-algorithm', ALGORITHM);
  exact('x-amz-credential', credential);
  exact('x-amz-date', amzDate);
  if (o.credentials.sessionToken) exact('x-amz-security-token', o.credentials.sessionToken);

  const document: PolicyDocument = { expiration: expiresAt, conditions };
  const policy = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
  fields['policy'] = policy;
  fields['x-amz-signature'] = postPolicySignature(policy, o.credentials, shortDate, o.region, o.service);

  const endpoint = resolveEndpoint(o.upstream, o.bucket, o.addressing);
  const url = `${o.upstream.protocol}//${endpoint.host}${wirePath(o.bucket, '', endpoint.virtualHosted)}`;
  return { url, fields, document, expiresSeconds, expiresAt, shortened };
}
