import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for the demo page, which is served by signet and uploads straight to this server: any
 * origin, only when the request names one (as browsers do), so non-browser clients see S3's
 * plain answers. Real S3 does this per bucket (PutBucketCors); the embedded one allows all.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', 'ETag, Location, x-amz-request-id, x-amz-id-2, x-amz-version-id');
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (!preflight) return false;
  res.setHeader('access-control-allow-methods', 'GET, HEAD, PUT, POST, DELETE');
  const asked = req.headers['access-control-request-headers'];
  if (asked !== undefined) res.setHeader('access-control-allow-headers', asked);
  res.setHeader('access-control-max-age', '600');
  res.writeHead(200, { 'content-length': '0' });
  res.end();
  return true;
}
