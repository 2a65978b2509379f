import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ID_2, REQUEST_ID } from './constants.js';
import { DemoError } from './demo-error.js';
import { errorDocument } from './xml.js';

const XML_TYPE = 'application/xml';

/** Per-request identity headers, generated once so the error body can repeat them. */
export interface ResponseIds {
  requestId: string;
  hostId: string;
}

export function newIds(): ResponseIds {
  return { requestId: randomBytes(8).toString('hex').toUpperCase(), hostId: randomBytes(48).toString('base64') };
}

/** Headers every S3 response carries; Date comes from the server's own (possibly skewed) clock. */
export function baseHeaders(res: ServerResponse, ids: ResponseIds, now: number): void {
  res.setHeader('date', new Date(now).toUTCString());
  res.setHeader(REQUEST_ID, ids.requestId);
  res.setHeader(ID_2, ids.hostId);
  res.setHeader('server', 'AmazonS3');
}

export function sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(xml, 'utf8');
  res.writeHead(status, { ...headers, 'content-type': XML_TYPE, 'content-length': String(body.length) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-length': '0' });
  res.end();
}

/** Writes an S3 error document; HEAD answers carry the status and headers only, as S3's do. */
export function sendError(res: ServerResponse, err: DemoError, ids: ResponseIds): void {
  const xml = errorDocument([
    ['Code', err.code],
    ['Message', err.message],
    ...err.extra,
    ['RequestId', ids.requestId],
    ['HostId', ids.hostId],
  ]);
  sendXml(res, err.status, xml, err.headers);
}

export function internalError(): DemoError {
  return new DemoError(500, 'InternalError', 'We encountered an internal error. Please try again.');
}
