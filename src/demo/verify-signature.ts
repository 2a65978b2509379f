import { timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4, getCanonicalHeaders, getSigningKey } from '@smithy/signature-v4';
import { ALGORITHM, HOST, KEY_TYPE_IDENTIFIER } from '../sigv4/constants.js';
import type { AuthClaim } from './parse-auth.js';
import type { RequestInfo } from './request-info.js';

// @smithy/types is not a direct dependency; take its shapes from the functions that use them.
type HttpRequest = Parameters<typeof getCanonicalHeaders>[0];
type HeaderBag = Record<string, string>;

/** SignatureV4 with its canonicalisation steps opened up, so the server can show them like S3 does. */
class Recomputer extends SignatureV4 {
  canonicalRequest(request: HttpRequest, headers: HeaderBag, payloadHash: string): string {
    return this.createCanonicalRequest(request, headers, payloadHash);
  }

  stringToSign(longDate: string, scope: string, canonicalRequest: string): Promise<string> {
    return this.createStringToSign(longDate, scope, canonicalRequest, ALGORITHM);
  }
}

export interface Recomputed {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  matches: boolean;
}

const sha256 = Hash.bind(null, 'sha256');

function amzDateToDate(amzDate: string): Date {
  const iso = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`;
  return new Date(iso);
}

/**
 * Recompute the signature with @smithy/signature-v4, signing exactly the SignedHeaders named by the
 * client with the values received, the raw path (uriEscapePath:false: S3 signs the path as sent)
 * and the decoded query (smithy re-encodes it and drops X-Amz-Signature).
 */
export async function recomputeSignature(
  info: RequestInfo,
  claim: AuthClaim,
  amzDate: string,
  secretAccessKey: string,
  payloadHash: string,
): Promise<Recomputed> {
  const headers: HeaderBag = {};
  for (const name of claim.signedHeaders) {
    const value = info.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of info.query) {
    const prior = query[name];
    if (prior === undefined) query[name] = value;
    else if (Array.isArray(prior)) prior.push(value);
    else query[name] = [prior, value];
  }
  const request: HttpRequest = {
    method: info.method,
    protocol: 'http:',
    hostname: headers[HOST] ?? '',
    path: info.rawPath,
    query,
    headers,
  };
  const credentials = { accessKeyId: claim.accessKeyId, secretAccessKey };
  const signer = new Recomputer({ credentials, region: claim.region, service: claim.service, sha256, uriEscapePath: false });
  // Every listed header is signed, even those smithy would never sign itself (user-agent, expect…).
  const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(claim.signedHeaders));
  const canonicalRequest = signer.canonicalRequest(request, canonicalHeaders, payloadHash);
  const scope = `${claim.shortDate}/${claim.region}/${claim.service}/${KEY_TYPE_IDENTIFIER}`;
  const stringToSign = await signer.stringToSign(amzDate, scope, canonicalRequest);
  const signature = await signer.sign(stringToSign, {
    signingDate: amzDateToDate(amzDate),
    signingRegion: claim.region,
    signingService: claim.service,
  });
  const provided = Buffer.from(claim.signature, 'utf8');
  const expected = Buffer.from(signature, 'utf8');
  const matches = provided.length === expected.length && timingSafeEqual(provided, expected);
  return { canonicalRequest, stringToSign, signature, matches };
}

/** The SigV4 signing key, for verifying aws-chunked chunk and trailer signatures. */
export async function signingKeyFor(claim: AuthClaim, secretAccessKey: string): Promise<Buffer> {
  const key = await getSigningKey(sha256, { accessKeyId: claim.accessKeyId, secretAccessKey }, claim.shortDate, claim.region, claim.service);
  return Buffer.from(key);
}
