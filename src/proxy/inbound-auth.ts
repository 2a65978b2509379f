import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignetError } from '../errors.js';
import { parseAmzDate } from '../sigv4/amz-date.js';
import { canonicalHeaderValue } from '../sigv4/canonical-headers.js';
import { canonicalQuery } from '../sigv4/canonical-query.js';
import { canonicalRequest } from '../sigv4/canonical-request.js';
import { canonicalUri } from '../sigv4/canonical-uri.js';
import {
  ALGORITHM, AMZ_CONTENT_SHA256, AMZ_DATE, AUTHORIZATION, DATE, KEY_TYPE_IDENTIFIER, MAX_PRESIGNED_TTL_SECONDS,
  Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SIGNATURE, Q_SIGNED_HEADERS, UNSIGNED_PAYLOAD,
} from '../sigv4/constants.js';
import { signingKey } from '../sigv4/signing-key.js';
import { awsChunkedModeOf, isSignedMode } from '../sigv4/aws-chunked-wire.js';
import type { ChunkSigningContext } from '../sigv4/aws-chunked-wire.js';
import { sigV2StringToSign } from '../sigv4/sigv2-string-to-sign.js';
import { parseSigV2, verifySigV2 } from '../sigv4/sigv2.js';
import { stringToSign } from '../sigv4/string-to-sign.js';
import type { RequestContext } from './context.js';

/** Access key id → secret. */
export type InboundKeys = ReadonlyMap<string, string>;

/** S3 refuses requests signed more than 15 minutes away from its clock; so do we. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/** `ACCESS_KEY_ID SECRET` per line, `#` comment lines. Errors name the line, never its content. */
export function parseInboundKeys(text: string, file: string): Map<string, string> {
  const keys = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const where = `--inbound-keys ${file} line ${i + 1}`;
    if (fields.length !== 2) throw new Error(`${where}: expected "ACCESS_KEY_ID SECRET" (two fields), found ${fields.length}`);
    const [id, secret] = fields as [string, string];
    if (keys.has(id)) throw new Error(`${where}: access key id ${id} is listed twice`);
    keys.set(id, secret);
  }
  if (keys.size === 0) throw new Error(`--inbound-keys ${file}: no keys in the file`);
  return keys;
}

export function loadInboundKeys(file: string): Map<string, string> {
  return parseInboundKeys(readFileSync(file, 'utf8'), file);
}

function denied(name: 'AccessDenied' | 'InvalidAccessKeyId' | 'SignatureDoesNotMatch', reason: string, message?: string): never {
  throw new SignetError(name, 'inbound auth: ' + reason, message);
}

function secretFor(keys: InboundKeys, id: string): string {
  const secret = keys.get(id);
  if (secret === undefined) denied('InvalidAccessKeyId', 'unknown access key id');
  return secret;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkClock(date: Date | null, now: Date): void {
  if (date === null || Number.isNaN(date.getTime())) denied('AccessDenied', 'no valid request date');
  if (Math.abs(date.getTime() - now.getTime()) > MAX_SKEW_MS) {
    denied('AccessDenied', 'request time too skewed', 'The difference between the request time and the current time is too large.');
  }
}

/** Every header as the client sent it: lower-case names, repeats joined with ','. */
function allHeaders(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const prev = out[name];
    out[name] = prev === undefined ? raw[i + 1]! : prev + ',' + raw[i + 1]!;
  }
  return out;
}

/** Decoded query pairs, auth parameters included (they are signed in presigned requests). */
function rawQuery(raw: string): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  const decode = (v: string): string => {
    try {
      return decodeURIComponent(v.replaceAll('+', ' '));
    } catch {
      return denied('AccessDenied', 'malformed query encoding');
    }
  };
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push([decode(eq === -1 ? part : part.slice(0, eq)), eq === -1 ? '' : decode(part.slice(eq + 1))]);
  }
  return pairs;
}

interface V4Claim {
  credential: string;
  signedHeaders: string;
  signature: string;
  amzDate: string;
  payloadHash: string;
}

/**
 * Recomputes a client's SigV4 signature from its own SignedHeaders, date, scope and payload hash,
 * over the path exactly as it sent it. Built from the canonical-request steps rather than
 * signRequest, which would add its own headers and drop some a client may legitimately sign.
 */
function verifyV4(keys: InboundKeys, c: V4Claim, method: string, rawPath: string, query: string, headers: Record<string, string>): ChunkSigningContext | null {
  const parts = c.credential.split('/');
  if (parts.length !== 5 || parts[4] !== KEY_TYPE_IDENTIFIER) denied('AccessDenied', 'malformed credential scope');
  const [id, shortDate, region, service] = parts as [string, string, string, string];
  const secret = secretFor(keys, id);
  if (!c.amzDate.startsWith(shortDate)) denied('SignatureDoesNotMatch', 'credential date differs from the request date');
  const names = c.signedHeaders.split(';');
  let block = '';
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) denied('SignatureDoesNotMatch', 'a signed header is missing');
    block += name + ':' + canonicalHeaderValue(value) + '\n';
  }
  if (!names.includes('host')) denied('AccessDenied', 'host is not a signed header');
  const creq = canonicalRequest(method, canonicalUri(rawPath, service), query, block, c.signedHeaders, c.payloadHash);
  const sts = stringToSign(c.amzDate, parts.slice(1).join('/'), creq);
  const key = signingKey({ accessKeyId: id, secretAccessKey: secret }, shortDate, region, service);
  if (!sameText(createHmac('sha256', key).update(sts, 'utf8').digest('hex'), c.signature)) denied('SignatureDoesNotMatch', 'SigV4 signature differs');
  // A signed aws-chunked body chains its chunk signatures from this one: hand the decoder what
  // it needs to check every chunk (and the trailer) with the client's key.
  const mode = awsChunkedModeOf(c.payloadHash);
  return mode === undefined || !isSignedMode(mode) ? null : { signingKey: key, amzDate: c.amzDate, scope: parts.slice(1).join('/'), seedSignature: c.signature };
}

function headerClaim(auth: string, headers: Record<string, string>): V4Claim {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of auth.slice(ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq !== -1) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const { Credential: credential, SignedHeaders: signedHeaders, Signature: signature } = fields;
  if (credential === undefined || signedHeaders === undefined || signature === undefined) denied('AccessDenied', 'malformed SigV4 Authorization');
  const payloadHash = headers[AMZ_CONTENT_SHA256];
  if (payloadHash === undefined) denied('AccessDenied', 'SigV4 header auth without x-amz-content-sha256');
  return { credential, signedHeaders, signature, amzDate: headers[AMZ_DATE] ?? '', payloadHash };
}

function queryClaim(query: ReadonlyArray<readonly [string, string]>, now: Date): V4Claim {
  const get = (name: string): string => {
    for (const [n, v] of query) if (n === name) return v;
    return denied('AccessDenied', `presigned request without ${name}`);
  };
  if (get(Q_ALGORITHM) !== ALGORITHM) denied('AccessDenied', 'unsupported X-Amz-Algorithm');
  const amzDate = get(Q_DATE);
  const expires = Number(get(Q_EXPIRES));
  const signedAt = parseAmzDate(amzDate);
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_TTL_SECONDS || signedAt === null) denied('AccessDenied', 'bad X-Amz-Expires or X-Amz-Date');
  if (signedAt.getTime() + expires * 1000 < now.getTime()) denied('AccessDenied', 'presigned URL expired', 'Request has expired');
  if (signedAt.getTime() - now.getTime() > MAX_SKEW_MS) denied('AccessDenied', 'presigned URL dated in the future');
  return { credential: get(Q_CREDENTIAL), signedHeaders: get(Q_SIGNED_HEADERS), signature: get(Q_SIGNATURE), amzDate, payloadHash: UNSIGNED_PAYLOAD };
}

/**
 * The admit stage of gateway mode: every request must be signed by one of the inbound keys, with
 * SigV2 (header or query), SigV4 header auth or SigV4 presigned query. The request line and
 * headers are checked here; a signed aws-chunked body has each chunk and trailer signature
 * checked by the decoder with the client's key (ctx.clientChunkSigning); a hex
 * x-amz-content-sha256 is forwarded and S3 checks the body against it.
 */
export function inboundAuth(keys: InboundKeys, now: () => Date = () => new Date()): (ctx: RequestContext) => void {
  return (ctx) => {
    const url = ctx.req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? [] : rawQuery(url.slice(q + 1));
    const headers = allHeaders(ctx.req.rawHeaders);
    const auth = headers[AUTHORIZATION];
    const clock = now();
    if (auth !== undefined && auth.startsWith(ALGORITHM + ' ')) {
      const claim = headerClaim(auth, headers);
      checkClock(parseAmzDate(claim.amzDate), clock);
      ctx.clientChunkSigning = verifyV4(keys, claim, ctx.method, rawPath, canonicalQuery(query), headers);
      return;
    }
    if (query.some(([n]) => n === Q_ALGORITHM)) {
      const claim = queryClaim(query, clock);
      verifyV4(keys, claim, ctx.method, rawPath, canonicalQuery(query, Q_SIGNATURE), headers);
      return;
    }
    const v2 = parseSigV2(ctx.method, rawPath, query, headers);
    if (v2 === null) denied('AccessDenied', auth === undefined ? 'no client signature' : 'unsupported Authorization scheme');
    const secret = secretFor(keys, v2.accessKeyId);
    if (v2.kind === 'header') checkClock(headers[AMZ_DATE] !== undefined ? new Date(headers[AMZ_DATE]) : new Date(headers[DATE] ?? ''), clock);
    const sts = sigV2StringToSign(ctx.method, rawPath, query, headers, v2.expires === undefined ? {} : { expires: v2.expires });
    if (!verifySigV2(v2, sts, secret, clock)) denied('SignatureDoesNotMatch', 'SigV2 signature differs');
  };
}
