import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { UNSIGNABLE_HEADERS } from '../../src/sigv4/constants.js';

/**
 * `@smithy/signature-v4` configured as S3 uses it (uriEscapePath false: the caller hands it the
 * already-encoded path), the independent reference signet's signer is checked against.
 */
export function smithySigner(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region: string, service = 's3') {
  return new SignatureV4({
    credentials,
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  });
}

/** signet signs a few end-to-end headers smithy leaves out (cache-control, pragma…); tell smithy to agree. */
export const SIGNET_SIGNABLE_OVERRIDES = new Set(['cache-control']);
export const SIGNET_UNSIGNABLE = new Set([...UNSIGNABLE_HEADERS]);

export function toSmithyQuery(pairs: ReadonlyArray<readonly [string, string]>): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}
