import { AMZ_CHECKSUM_PREFIX, AWS_CHUNKED, CONTENT_ENCODING } from '../sigv4/constants.js';
import { CHECKSUM_MODE, META_PREFIX, MP_PARTS_COUNT, RESPONSE_OVERRIDES, STORED_HEADERS } from './constants.js';
import type { StoredObject } from './store.js';
import { httpDate } from './context.js';

/** The entity headers and user metadata a PUT stores; aws-chunked is transport, never stored. */
export function storableHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  const encoding = (headers[CONTENT_ENCODING] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e.toLowerCase() !== AWS_CHUNKED)
    .join(',');
  if (encoding !== '') kept[CONTENT_ENCODING] = encoding;
  for (const [name, value] of Object.entries(headers)) if (name.startsWith(META_PREFIX)) kept[name] = value;
  return kept;
}

/** Headers of a GET/HEAD answer, query overrides (response-content-type…) applied. */
export function objectResponseHeaders(object: StoredObject, headers: Record<string, string>, params: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': 'binary/octet-stream',
    ...object.headers,
    etag: object.etag,
    'last-modified': httpDate(object.lastModified),
    'accept-ranges': 'bytes',
  };
  for (const [param, header] of RESPONSE_OVERRIDES) {
    const value = params.get(param);
    if (value !== undefined) out[header] = value;
  }
  if (object.partsCount !== undefined) out[MP_PARTS_COUNT] = String(object.partsCount);
  if (headers[CHECKSUM_MODE]?.toUpperCase() === 'ENABLED') {
    for (const [algorithm, value] of Object.entries(object.checksums)) out[AMZ_CHECKSUM_PREFIX + algorithm] = value;
  }
  return out;
}
