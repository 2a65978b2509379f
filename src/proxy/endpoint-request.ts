import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignetError } from '../errors.js';
import { AMZ_CONTENT_SHA256 } from '../sigv4/constants.js';

/** The JSON a /_signet/ call may send; larger bodies are refused before they are read whole. */
export const MAX_ENDPOINT_BODY = 16 * 1024;

/** One request to a /_signet/ endpoint, as a flat map of names to values (JSON or query). */
export type EndpointParams = Readonly<Record<string, unknown>>;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

async function readBounded(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_ENDPOINT_BODY) throw new SignetError('EntityTooLarge', 'endpoint body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ENDPOINT_BODY) throw new SignetError('EntityTooLarge', 'endpoint body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The parameters of a GET (query) or POST (JSON object) call. A signed client's
 * x-amz-content-sha256, when a hash, must be the body's: inbound auth covers the request line and
 * headers, and this is what ties the body to them.
 */
export async function endpointParams(req: IncomingMessage, query: ReadonlyArray<readonly [string, string]>, signed: boolean): Promise<EndpointParams> {
  if (req.method === 'GET') {
    const out: Record<string, unknown> = {};
    for (const [name, value] of query) {
      const prior = out[name];
      out[name] = prior === undefined ? value : Array.isArray(prior) ? [...(prior as string[]), value] : [prior, value];
    }
    return out;
  }
  if (req.method !== 'POST') throw new SignetError('MethodNotAllowed', 'endpoint method');
  const body = await readBounded(req);
  const claimed = (req.headers[AMZ_CONTENT_SHA256] as string | undefined)?.trim().toLowerCase();
  if (signed && claimed !== undefined && /^[0-9a-f]{64}$/.test(claimed) && createHash('sha256').update(body).digest('hex') !== claimed) {
    throw new SignetError('XAmzContentSHA256Mismatch', 'endpoint body differs from its signed hash');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
  } catch {
    throw new SignetError('InvalidRequest', 'endpoint body is not JSON', 'The request body must be a JSON object.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SignetError('InvalidRequest', 'endpoint body is not an object', 'The request body must be a JSON object.');
  return parsed as EndpointParams;
}

function bad(message: string): never {
  throw new SignetError('InvalidArgument', message, message);
}

export function text(p: EndpointParams, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') bad(`${name} must be a string`);
  return v;
}

export function requiredText(p: EndpointParams, name: string): string {
  const v = text(p, name);
  if (v === undefined || v === '') bad(`${name} is required`);
  return v;
}

/** A string-to-string object (JSON), or repeated `name:value` query values. */
export function record(p: EndpointParams, name: string, separator: string): Record<string, string> {
  const v = p[name];
  if (v === undefined || v === null) return {};
  const out: Record<string, string> = {};
  if (typeof v === 'string' || Array.isArray(v)) {
    for (const item of typeof v === 'string' ? [v] : (v as unknown[])) {
      if (typeof item !== 'string') bad(`${name} must be "name${separator}value" strings`);
      const at = item.indexOf(separator);
      if (at <= 0) bad(`${name}: expected "name${separator}value"`);
      out[item.slice(0, at).trim()] = item.slice(at + separator.length).trim();
    }
    return out;
  }
  if (typeof v !== 'object') bad(`${name} must be an object of strings`);
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
    if (typeof value !== 'string') bad(`${name}.${k} must be a string`);
    out[k] = value;
  }
  return out;
}
