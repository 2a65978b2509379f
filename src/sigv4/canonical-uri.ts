import { uriEncodePath } from './uri-encode.js';

/**
 * Canonical URI (SigV4 canonical request, step 2). `wirePath` is the path exactly as it goes on
 * the wire, already URI-encoded once.
 *
 * S3: the wire path *is* the canonical URI — keys keep `//`, `.`, `..` and a trailing `/`, because
 * S3 objects may be named that way and S3 does not normalise before checking the signature.
 * Other services: the path is normalised (RFC 3986 dot-segment removal, empty segments dropped)
 * and encoded a second time, as those services expect.
 */
export function canonicalUri(wirePath: string, service: string): string {
  if (service === 's3') return wirePath === '' ? '/' : wirePath;
  return uriEncodePath(normalizePath(wirePath));
}

/** RFC 3986 dot-segment removal with empty segments dropped; a trailing `/` is kept (the generic SigV4 rule). */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const trailing = path.length > 1 && path.endsWith('/') && out.length > 0 ? '/' : '';
  return '/' + out.join('/') + trailing;
}
