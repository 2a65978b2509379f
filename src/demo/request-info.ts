import type { IncomingMessage } from 'node:http';
import { DemoError } from './demo-error.js';

/** What the server needs from one request, taken from the wire form (not Node's joined headers). */
export interface RequestInfo {
  method: string;
  /** Request-line target as received. */
  rawTarget: string;
  /** Target up to '?', still percent-encoded: the canonical URI as S3 signs it. */
  rawPath: string;
  /** Decoded query pairs in received order; a bare name has value ''. */
  query: Array<[string, string]>;
  /** First value per decoded query name. */
  params: Map<string, string>;
  /** Lower-case names; repeated headers joined with ',' (SigV4 canonical form). */
  headers: Record<string, string>;
}

function decodeComponent(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new DemoError(400, 'InvalidURI', "Couldn't parse the specified URI.", [['URI', text]]);
  }
}

/** Raw '+' stays a literal '+' (this server never applies form decoding); see README.md. */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (rawQuery === '') return pairs;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) pairs.push([decodeComponent(part), '']);
    else pairs.push([decodeComponent(part.slice(0, eq)), decodeComponent(part.slice(eq + 1))]);
  }
  return pairs;
}

export function joinHeaders(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const prior = headers[name];
    headers[name] = prior === undefined ? value : prior + ',' + value;
  }
  return headers;
}

export function requestInfo(req: IncomingMessage): RequestInfo {
  const rawTarget = req.url ?? '/';
  const q = rawTarget.indexOf('?');
  const rawPath = q === -1 ? rawTarget : rawTarget.slice(0, q);
  const query = parseQuery(q === -1 ? '' : rawTarget.slice(q + 1));
  const params = new Map<string, string>();
  for (const [name, value] of query) if (!params.has(name)) params.set(name, value);
  return { method: req.method ?? 'GET', rawTarget, rawPath, query, params, headers: joinHeaders(req.rawHeaders) };
}

/** The value of a decoded object key or bucket segment: percent-decoded once, nothing else. */
export function decodePath(rawPath: string): string {
  return decodeComponent(rawPath);
}
