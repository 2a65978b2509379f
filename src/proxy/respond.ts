import type { ServerResponse } from 'node:http';
import { renderS3Error } from '../s3/s3-error-xml.js';
import type { SignetError } from '../errors.js';

/**
 * The only place an error becomes a client response: S3-style XML with the right status. When
 * the response has already started, the socket is destroyed instead, so the client sees a
 * failed transfer and never a truncated 200.
 */
export function sendS3Error(res: ServerResponse, err: SignetError, resource: string, requestId: string, bodyUnread: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const xml = renderS3Error({ code: err.code, message: err.message, resource, requestId, ...(err.details === undefined ? {} : { extra: err.details }) });
  const headers: Record<string, string | number> = {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amz-request-id': requestId,
  };
  // A body we never read would desynchronise keep-alive; close the connection after this reply.
  if (bodyUnread) headers['connection'] = 'close';
  if (err.code === 'SlowDown' || err.code === 'ServiceUnavailable') headers['retry-after'] = String(err.retryAfter);
  res.writeHead(err.status, headers);
  res.end(res.req?.method === 'HEAD' ? undefined : xml);
}

// Response headers that belong to the upstream hop only.
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/** Copies upstream response headers for the client, hop-by-hop ones left out. */
export function responseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}
