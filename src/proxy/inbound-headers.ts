import {
  AMZ_CONTENT_SHA256, AMZ_DATE, AMZ_DECODED_CONTENT_LENGTH, AMZ_REGION_SET, AMZ_SECURITY_TOKEN, AMZ_TRAILER, AUTHORIZATION,
  CONTENT_LENGTH, UNSIGNABLE_HEADERS,
} from '../sigv4/constants.js';

/** What the pipeline needs to know of the client's headers, read in one walk over rawHeaders. */
export interface InboundHeaders {
  /** End-to-end headers to forward (lower-case names, repeats joined with ',' exactly as signed). */
  readonly forward: Record<string, string>;
  /** Content-Length, or -1 when absent. */
  readonly contentLength: number;
  /** Transfer-Encoding: chunked (length unknown). */
  readonly chunked: boolean;
  readonly expectContinue: boolean;
  /** The client's x-amz-content-sha256, '' when absent. */
  readonly clientPayloadHash: string;
  /** -1 when absent. */
  readonly decodedContentLength: number;
  readonly trailer: string;
  readonly userAgent: string;
  /** The Host header as sent ('' when absent). */
  readonly host: string;
  /** More than one Host header: which one names the bucket would be a guess. */
  readonly duplicateHost: boolean;
  /** A Transfer-Encoding other than plain `chunked` (gzip, …), which S3 does not take. */
  readonly unsupportedTransferEncoding: boolean;
  /** The Connection header's options, lower case (empty when absent). */
  readonly connectionTokens: readonly string[];
  /**
   * A Connection option names a header S3 gives meaning to: obeying it would drop that header
   * (an If-None-Match, an x-amz-* header, the Content-MD5) and change what the request does.
   */
  readonly connectionDropsMeaning: boolean;
}

const NO_TOKENS: readonly string[] = Object.freeze([]);

/** Headers whose removal changes what S3 does with a request (RFC 9110 §7.6.1 would have them dropped). */
const MEANINGFUL: ReadonlySet<string> = new Set([
  'range', 'cache-control', 'expires', 'authorization', 'host', 'date', 'expect', 'transfer-encoding', 'content-length',
]);

function meaningful(token: string): boolean {
  return token.startsWith('x-amz-') || token.startsWith('if-') || token.startsWith('content-') || MEANINGFUL.has(token);
}

// Headers signet consumes itself: they never pass through as sent.
const CONSUMED: ReadonlySet<string> = new Set([
  'host', CONTENT_LENGTH, 'transfer-encoding', 'expect', AUTHORIZATION, AMZ_DATE, AMZ_SECURITY_TOKEN,
  AMZ_CONTENT_SHA256, AMZ_DECODED_CONTENT_LENGTH, AMZ_TRAILER, AMZ_REGION_SET,
]);

// Lower-casing through a table of the common spellings avoids a string per header on the hot path.
const LOWER = new Map<string, string>();
for (const n of [
  'Host', 'Content-Length', 'Content-Type', 'Content-MD5', 'Content-Encoding', 'Transfer-Encoding', 'Expect',
  'Authorization', 'User-Agent', 'Accept', 'Accept-Encoding', 'Connection', 'Range', 'Date', 'X-Amz-Date',
  'X-Amz-Content-Sha256', 'X-Amz-Content-SHA256', 'X-Amz-Security-Token', 'X-Amz-Decoded-Content-Length',
  'X-Amz-Trailer', 'If-Match', 'If-None-Match', 'Cache-Control', 'Content-Disposition', 'X-Amz-Checksum-Crc32',
]) LOWER.set(n, n.toLowerCase());

function lower(name: string): string {
  return LOWER.get(name) ?? name.toLowerCase();
}

function toLength(value: string | undefined): number {
  if (value === undefined) return -1;
  // Digits only: "12abc" or "-1" must not slip through parseInt.
  return /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
}

export function readInboundHeaders(rawHeaders: readonly string[]): InboundHeaders {
  // Null prototype: a client names the keys, and `constructor` or `__proto__` must be plain names.
  const forward: Record<string, string> = Object.create(null) as Record<string, string>;
  let hosts = 0;
  let connectionTokens: string[] | null = null;
  let contentLength: string | undefined;
  let transferEncoding = '';
  let expect = '';
  let clientPayloadHash = '';
  let decoded: string | undefined;
  let trailer = '';
  let userAgent = '';
  let host = '';
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = lower(rawHeaders[i]!);
    const value = rawHeaders[i + 1]!;
    switch (name) {
      case CONTENT_LENGTH: contentLength = value; continue;
      case 'transfer-encoding': transferEncoding = transferEncoding === '' ? value : transferEncoding + ',' + value; continue;
      case 'expect': expect = value; continue;
      case AMZ_CONTENT_SHA256: clientPayloadHash = value.trim(); continue;
      case AMZ_DECODED_CONTENT_LENGTH: decoded = value; continue;
      case AMZ_TRAILER: trailer = value.trim().toLowerCase(); continue;
      case 'user-agent': userAgent = value; continue;
      case 'host': host = value; hosts++; continue;
      case 'connection':
        for (const t of value.split(',')) (connectionTokens ??= []).push(t.trim().toLowerCase());
        continue;
    }
    if (CONSUMED.has(name) || UNSIGNABLE_HEADERS.has(name) || name.startsWith('proxy-')) continue;
    const prev = forward[name];
    forward[name] = prev === undefined ? value : prev + ',' + value;
  }
  // RFC 9110 §7.6.1: headers named in Connection are hop-by-hop too. The pipeline refuses the
  // request when one of them means something to S3 (connectionDropsMeaning); the rest are dropped.
  let connectionDropsMeaning = false;
  if (connectionTokens !== null) {
    for (const t of connectionTokens) {
      if (meaningful(t)) connectionDropsMeaning = true;
      delete forward[t];
    }
  }
  return {
    forward,
    contentLength: toLength(contentLength),
    chunked: transferEncoding !== '' && /(^|,)\s*chunked\s*$/i.test(transferEncoding),
    expectContinue: expect.toLowerCase() === '100-continue',
    clientPayloadHash,
    decodedContentLength: toLength(decoded),
    trailer,
    userAgent,
    host,
    duplicateHost: hosts > 1,
    unsupportedTransferEncoding: transferEncoding !== '' && transferEncoding.trim().toLowerCase() !== 'chunked',
    connectionTokens: connectionTokens ?? NO_TOKENS,
    connectionDropsMeaning,
  };
}
