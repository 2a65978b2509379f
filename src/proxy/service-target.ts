import { SignetError } from '../errors.js';
import { canonicalQuery } from '../sigv4/canonical-query.js';
import { normalizePath } from '../sigv4/canonical-uri.js';
import { parseQuery } from './request-target.js';

/** A request for a generic SigV4 service (any `service` but s3): a path, never a bucket and key. */
export interface ServiceTarget {
  /** The wire path: as the client encoded it, with `.`/`..` segments removed and `//` collapsed. */
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly queryString: string;
}

const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/**
 * Generic SigV4 rules (as @smithy/signature-v4 with uriEscapePath): the service normalises the
 * path before it checks the signature, so signet sends the normalised path — what it signs and
 * what the service reads are then the same bytes, whatever `..` or `//` the client sent. The
 * encoding the client chose is kept as is (an OpenSearch document id with `%2F` stays one
 * segment); the signer encodes it a second time for the canonical request.
 */
export function parseServiceTarget(target: string): ServiceTarget {
  if (target[0] !== '/') throw new SignetError('InvalidURI', `request target does not start with '/': ${target.slice(0, 64)}`);
  const q = target.indexOf('?');
  const raw = q === -1 ? target : target.slice(0, q);
  if (BAD_ESCAPE.test(raw)) throw new SignetError('InvalidURI', 'malformed percent-encoding in the request path');
  const query = q === -1 ? [] : parseQuery(target.slice(q + 1));
  return { path: normalizePath(raw), query, queryString: canonicalQuery(query) };
}
