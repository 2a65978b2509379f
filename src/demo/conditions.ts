import { DemoError } from './demo-error.js';
import type { StoredObject } from './store.js';

const unquote = (etag: string): string => etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

function etagListMatches(header: string, etag: string): boolean {
  const mine = unquote(etag);
  return header.split(',').some((candidate) => {
    const c = candidate.trim();
    return c === '*' || unquote(c) === mine;
  });
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : seconds(ms);
}

const preconditionFailed = (condition: string): DemoError =>
  new DemoError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', [['Condition', condition]]);

/**
 * RFC 9110 §13.2.2 order as S3 applies it: If-Match, then If-Unmodified-Since (only without
 * If-Match), then If-None-Match, then If-Modified-Since (only without If-None-Match).
 * Returns 304 for a read that is not modified; throws 412 when a precondition fails.
 */
export function evaluateConditions(headers: Record<string, string>, object: StoredObject): 304 | null {
  const ifMatch = headers['if-match'];
  const modified = seconds(object.lastModified);
  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, object.etag)) throw preconditionFailed('If-Match');
  } else {
    const since = parseHttpDate(headers['if-unmodified-since']);
    if (since !== undefined && modified > since) throw preconditionFailed('If-Unmodified-Since');
  }
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, object.etag)) return 304;
  } else {
    const since = parseHttpDate(headers['if-modified-since']);
    if (since !== undefined && modified <= since) return 304;
  }
  return null;
}

/** Conditional writes: If-None-Match: * refuses to overwrite, If-Match needs the current ETag. */
export function evaluateWriteConditions(headers: Record<string, string>, existing: StoredObject | undefined): void {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined && existing !== undefined && etagListMatches(ifNoneMatch, existing.etag)) throw preconditionFailed('If-None-Match');
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined && (existing === undefined || !etagListMatches(ifMatch, existing.etag))) {
    if (existing === undefined) throw new DemoError(404, 'NoSuchKey', 'The specified key does not exist.');
    throw preconditionFailed('If-Match');
  }
}
