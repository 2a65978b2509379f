import {
  ALGORITHM, ALGORITHM_V4A, AMZ_DATE, AMZ_REGION_SET, AMZ_SECURITY_TOKEN, AUTHORIZATION, Q_REGION_SET, KEY_TYPE_IDENTIFIER, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES,
  Q_SECURITY_TOKEN, Q_SIGNATURE, Q_SIGNED_HEADERS, Q_V2_ACCESS_KEY_ID, V2_AUTH_PREFIX,
} from '../sigv4/constants.js';
import { DemoError, accessDenied, invalidArgument } from './demo-error.js';
import type { RequestInfo } from './request-info.js';

/** The claimed identity and signature, from either the Authorization header or a presigned query. */
export interface AuthClaim {
  kind: 'header' | 'query';
  /** AWS4-HMAC-SHA256, or AWS4-ECDSA-P256-SHA256 (SigV4A: no region in the scope, a region set instead). */
  algorithm: 'sigv4' | 'sigv4a';
  accessKeyId: string;
  shortDate: string;
  /** '' for SigV4A. */
  region: string;
  /** SigV4A: the regions signed for (x-amz-region-set / X-Amz-Region-Set), `*` for all. */
  regionSet: string[] | undefined;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** The x-amz-date (header) or X-Amz-Date (query) value; undefined when absent. */
  amzDate: string | undefined;
  expiresSeconds?: number;
  securityToken: string | undefined;
}

const unsupported = (): DemoError =>
  invalidArgument('The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');

function malformed(message: string): DemoError {
  return new DemoError(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${message}`);
}

function queryMalformed(message: string): DemoError {
  return new DemoError(400, 'AuthorizationQueryParametersError', message);
}

type CredentialParts = Pick<AuthClaim, 'accessKeyId' | 'shortDate' | 'region' | 'service'>;

function splitCredential(credential: string, fail: (m: string) => DemoError, algorithm: AuthClaim['algorithm']): CredentialParts {
  const parts = credential.split('/');
  if (algorithm === 'sigv4a') {
    if (parts.length !== 4 || parts[3] !== KEY_TYPE_IDENTIFIER || !/^\d{8}$/.test(parts[1] ?? '')) {
      throw fail(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/SERVICE/aws4_request".`);
    }
    const [accessKeyId, shortDate, service] = parts as [string, string, string];
    return { accessKeyId, shortDate, region: '', service };
  }
  if (parts.length !== 5 || parts[4] !== KEY_TYPE_IDENTIFIER || !/^\d{8}$/.test(parts[1] ?? '')) {
    throw fail(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  }
  const [accessKeyId, shortDate, region, service] = parts as [string, string, string, string];
  return { accessKeyId, shortDate, region, service };
}

/** The region set as S3 reads it: comma-separated names, each trimmed; none empty. */
function regionSetOf(value: string | undefined, fail: (m: string) => DemoError): string[] {
  const regions = (value ?? '').split(',').map((r) => r.trim());
  if (regions.some((r) => r === '')) throw fail('the region set is missing or has an empty region.');
  return regions;
}

function fromHeader(value: string, info: RequestInfo): AuthClaim {
  if (value.startsWith(V2_AUTH_PREFIX)) throw unsupported();
  const algorithm = value.startsWith(ALGORITHM + ' ') ? 'sigv4' : value.startsWith(ALGORITHM_V4A + ' ') ? 'sigv4a' : undefined;
  if (algorithm === undefined) throw unsupported();
  const fields = new Map<string, string>();
  for (const part of value.slice((algorithm === 'sigv4' ? ALGORITHM : ALGORITHM_V4A).length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) throw malformed(`incorrect component "${part.trim()}".`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw malformed('it must contain Credential, SignedHeaders and Signature.');
  }
  return {
    kind: 'header',
    algorithm,
    ...splitCredential(credential, malformed, algorithm),
    regionSet: algorithm === 'sigv4a' ? regionSetOf(info.headers[AMZ_REGION_SET], malformed) : undefined,
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate: info.headers[AMZ_DATE],
    securityToken: info.headers[AMZ_SECURITY_TOKEN],
  };
}

function fromQuery(info: RequestInfo): AuthClaim {
  const p = info.params;
  const algorithm = p.get(Q_ALGORITHM) === ALGORITHM ? 'sigv4' : p.get(Q_ALGORITHM) === ALGORITHM_V4A ? 'sigv4a' : undefined;
  if (algorithm === undefined) throw queryMalformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256" and "AWS4-ECDSA-P256-SHA256"');
  const credential = p.get(Q_CREDENTIAL);
  const signedHeaders = p.get(Q_SIGNED_HEADERS);
  const signature = p.get(Q_SIGNATURE);
  const expires = p.get(Q_EXPIRES);
  if (credential === undefined || signedHeaders === undefined || signature === undefined || expires === undefined) {
    throw queryMalformed('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  const expiresSeconds = Number(expires);
  if (!/^\d+$/.test(expires)) throw queryMalformed('X-Amz-Expires should be a number');
  if (expiresSeconds > 604800) throw queryMalformed('X-Amz-Expires must be less than a week (in seconds) that is 604800');
  return {
    kind: 'query',
    algorithm,
    ...splitCredential(credential, queryMalformed, algorithm),
    regionSet: algorithm === 'sigv4a' ? regionSetOf(p.get(Q_REGION_SET), queryMalformed) : undefined,
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate: p.get(Q_DATE),
    expiresSeconds,
    securityToken: p.get(Q_SECURITY_TOKEN),
  };
}

/** Which auth scheme the request uses; S3 refuses both at once and neither. */
export function parseAuth(info: RequestInfo): AuthClaim {
  const header = info.headers[AUTHORIZATION];
  const presigned = info.params.has(Q_ALGORITHM);
  if (header !== undefined && presigned) throw invalidArgument('Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified', 'Authorization', header.split(' ')[0]);
  if (info.params.has(Q_V2_ACCESS_KEY_ID)) throw unsupported();
  if (header !== undefined) return fromHeader(header, info);
  if (presigned) return fromQuery(info);
  throw accessDenied();
}
