import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignetError } from '../errors.js';
import { parseAmzDate } from '../sigv4/amz-date.js';
import { canonicalHeaderValue } from '../sigv4/canonical-headers.js';
import { canonicalQuery } from '../sigv4/canonical-query.js';
import { canonicalRequest } from '../sigv4/canonical-request.js';
import { canonicalUri } from '../sigv4/canonical-uri.js';
import {
  ALGORITHM, AMZ_CONTENT_SHA256, AMZ_PREFIX, AMZ_DATE, AUTHORIZATION, DATE, KEY_TYPE_IDENTIFIER, MAX_PRESIGNED_TTL_SECONDS,
  Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SIGNATURE, Q_SIGNED_HEADERS, Q_V2_ACCESS_KEY_ID, Q_V2_EXPIRES, Q_V2_SIGNATURE,
  UNSIGNED_PAYLOAD,
} from '../sigv4/constants.js';
import { signingKey } from '../sigv4/signing-key.js';
import { awsChunkedModeOf, isSignedMode } from '../sigv4/aws-chunked-wire.js';
import type { ChunkSigningContext } from '../sigv4/aws-chunked-wire.js';
import { SIGV2_LISTING_PARAMETERS, SIGV2_SUB_RESOURCES, SIGV2_UNSIGNABLE_SUB_RESOURCES, sigV2StringToSign } from '../sigv4/sigv2-string-to-sign.js';
import { parseSigV2, verifySigV2 } from '../sigv4/sigv2.js';
import { stringToSign } from '../sigv4/string-to-sign.js';
import { addressAllowed } from './cidr.js';
import type { ClientGrant } from './client-grant.js';
import { ClientLimiter } from './client-limiter.js';
import type { LimitReason, Refusal } from './client-limiter.js';
import { checkPolicy, versionIdOf } from './client-policy.js';
import { checkRoutePolicy } from './route-policy.js';
import type { InboundClient } from './inbound-clients.js';
import type { RequestContext } from './context.js';

/** S3 refuses requests signed more than 15 minutes away from its clock; so do we. */
const MAX_SKEW_MS = 15 * 60 * 1000;

function denied(name: 'AccessDenied' | 'InvalidAccessKeyId' | 'SignatureDoesNotMatch', reason: string, message?: string): never {
  throw new SignetError(name, 'inbound auth: ' + reason, message);
}

/** Where the clients are looked up: a Map, or the reloadable InboundDirectory (which also holds limiters). */
export interface ClientLookup {
  get(accessKeyId: string): InboundClient | undefined;
  acquire?(accessKeyId: string): ClientLimiter | Refusal | null;
}

/** What admission reports beyond the request's own outcome. */
export interface AdmitEvents {
  /** A request refused by the client's limits (503 SlowDown). */
  throttled(clientName: string, reason: LimitReason): void;
}

function clientFor(keys: ClientLookup, id: string): InboundClient {
  const client = keys.get(id);
  if (client === undefined) denied('InvalidAccessKeyId', 'unknown access key id');
  return client;
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
  /** Presigned (query) auth: S3 names its scope errors after the query parameters. */
  presigned: boolean;
}

/** What a gateway advertises: the scope region clients must sign for. */
export interface InboundScope {
  readonly region: string;
}

function malformedScope(c: V4Claim, reason: string, message: string, details?: Record<string, string>): never {
  const prefix = c.presigned ? 'Error parsing the X-Amz-Credential parameter; ' : 'The authorization header is malformed; ';
  throw new SignetError(c.presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed', 'inbound auth: ' + reason, prefix + message, details);
}

/**
 * The scope S3 itself would accept: the x-amz-date day, the region S3 is in (here: the one signet
 * advertises), the service `s3`. A scope signed for elsewhere is refused as S3 refuses it, naming
 * what was expected, so a client that follows S3's hint (s3cmd, the SDKs' region redirect) recovers.
 */
function checkScope(c: V4Claim, shortDate: string, region: string, service: string, scope: InboundScope, expected: string): void {
  if (shortDate !== c.amzDate.slice(0, 8)) malformedScope(c, 'credential date differs from the request date', `incorrect date. This date in the credential must be in the format "yyyyMMdd" and match the request date ('${c.amzDate.slice(0, 8)}').`);
  if (service !== expected) malformedScope(c, `credential service is not ${expected}`, `incorrect service. This endpoint belongs to '${expected}'.`);
  if (region !== scope.region) {
    malformedScope(c, 'credential region differs', `the region '${printable(region)}' is wrong; expecting '${scope.region}'`, { Region: scope.region });
  }
}

/** A value from the request, quoted back in an error: printable ASCII only, and short. */
function printable(value: string): string {
  return value.replace(/[^\x21-\x7e]/g, '?').slice(0, 64);
}

interface V4Grant {
  readonly accessKeyId: string;
  readonly client: InboundClient;
  readonly signedHeaders: ReadonlySet<string>;
  readonly chunkSigning: ChunkSigningContext | null;
}

/**
 * Recomputes a client's SigV4 signature from its own SignedHeaders, date, scope and payload hash,
 * over the path exactly as it sent it. Built from the canonical-request steps rather than
 * signRequest, which would add its own headers and drop some a client may legitimately sign.
 */
function verifyV4(keys: ClientLookup, scope: InboundScope, c: V4Claim, method: string, rawPath: string, query: string, headers: Record<string, string>, expected: string): V4Grant {
  const parts = c.credential.split('/');
  if (parts.length !== 5 || parts[4] !== KEY_TYPE_IDENTIFIER) denied('AccessDenied', 'malformed credential scope');
  const [id, shortDate, region, service] = parts as [string, string, string, string];
  checkScope(c, shortDate, region, service, scope, expected);
  const client = clientFor(keys, id);
  const secret = client.secret;
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
  const chunkSigning = c.presigned || mode === undefined || !isSignedMode(mode)
    ? null
    : { signingKey: key, amzDate: c.amzDate, scope: parts.slice(1).join('/'), seedSignature: c.signature };
  return { accessKeyId: id, client, signedHeaders: new Set(names), chunkSigning };
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
  return { credential, signedHeaders, signature, amzDate: headers[AMZ_DATE] ?? '', payloadHash, presigned: false };
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
  return { credential: get(Q_CREDENTIAL), signedHeaders: get(Q_SIGNED_HEADERS), signature: get(Q_SIGNATURE), amzDate, payloadHash: UNSIGNED_PAYLOAD, presigned: true };
}

/**
 * SigV2 signs only the sub-resources in its list; the rest of a query rides along unsigned. What
 * signet forwards must be covered, so an unsigned parameter is refused, except the listing
 * parameters of a read, which no SigV2 signer ever signed and which only narrow a listing the
 * signature allowed in full. Sub-resources newer than SigV2 that its signers leave out of the
 * string to sign (botocore's list lacks them) cannot be covered at all: SigV4 only.
 */
function checkSigV2Query(method: string, query: ReadonlyArray<readonly [string, string]>, queryAuth: boolean): void {
  const read = method === 'GET' || method === 'HEAD';
  for (const [name] of query) {
    if (SIGV2_SUB_RESOURCES.has(name)) continue;
    if (queryAuth && (name === Q_V2_ACCESS_KEY_ID || name === Q_V2_SIGNATURE || name === Q_V2_EXPIRES || name.toLowerCase().startsWith(AMZ_PREFIX))) continue;
    if (SIGV2_UNSIGNABLE_SUB_RESOURCES.has(name)) {
      throw new SignetError('InvalidRequest', 'inbound auth: SigV2 with a sub-resource it cannot sign', `The ${printable(name)} sub-resource is not covered by Signature Version 2; please use AWS4-HMAC-SHA256 (SigV4).`);
    }
    if (read && SIGV2_LISTING_PARAMETERS.has(name)) continue;
    denied('AccessDenied', 'SigV2 with an unsigned query parameter', `Query parameter ${printable(name)} is not covered by the Signature Version 2 signature; please use AWS4-HMAC-SHA256 (SigV4).`);
  }
}

/** Headers as inboundAuth reads them, plus x-amz-content-sha256 for the SigV2 body contract. */
function v2PayloadHash(headers: Record<string, string>): string {
  return (headers[AMZ_CONTENT_SHA256] ?? '').trim();
}

/**
 * The admit stage of gateway mode: every request must be signed by one of the inbound keys, with
 * SigV2 (header or query), SigV4 header auth or SigV4 presigned query. The request line and
 * headers are checked here, and the grant returned says what the signature covers (bindToGrant
 * then forwards only that); a signed aws-chunked body has each chunk and trailer signature
 * checked by the decoder with the client's key (grant.chunkSigning); a hex x-amz-content-sha256
 * is enforced on every payload path.
 */
export function inboundAuth(
  keys: ClientLookup, scope: InboundScope, now: () => Date = () => new Date(), events?: AdmitEvents,
): (ctx: RequestContext) => ClientGrant {
  return (ctx) => {
    const url = ctx.req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? [] : rawQuery(url.slice(q + 1));
    const headers = allHeaders(ctx.req.rawHeaders);
    const auth = headers[AUTHORIZATION];
    const clock = now();
    // A client of a generic route signs for that route's service, by its rules (canonicalUri); the region is the gateway's.
    const route = ctx.route;
    const service = route !== null && route.generic ? route.forward.service : 's3';
    if (auth !== undefined && auth.startsWith(ALGORITHM + ' ')) {
      const claim = headerClaim(auth, headers);
      checkClock(parseAmzDate(claim.amzDate), clock);
      const g = verifyV4(keys, scope, claim, ctx.method, rawPath, canonicalQuery(query), headers, service);
      return grant(ctx, keys, events, g.client, headers, { scheme: 'sigv4', accessKeyId: g.accessKeyId, signedHeaders: g.signedHeaders, chunkSigning: g.chunkSigning, payloadHash: claim.payloadHash });
    }
    if (query.some(([n]) => n === Q_ALGORITHM)) {
      const claim = queryClaim(query, clock);
      const g = verifyV4(keys, scope, claim, ctx.method, rawPath, canonicalQuery(query, Q_SIGNATURE), headers, service);
      // A presigned request's body is UNSIGNED-PAYLOAD, unless it carries the header (then signed).
      return grant(ctx, keys, events, g.client, headers, { scheme: 'sigv4', accessKeyId: g.accessKeyId, signedHeaders: g.signedHeaders, chunkSigning: g.chunkSigning, payloadHash: (headers[AMZ_CONTENT_SHA256] ?? UNSIGNED_PAYLOAD).trim() });
    }
    const v2 = parseSigV2(ctx.method, rawPath, query, headers);
    if (v2 === null) denied('AccessDenied', auth === undefined ? 'no client signature' : 'unsupported Authorization scheme');
    checkSigV2Query(ctx.method, query, v2.kind === 'query');
    const client = clientFor(keys, v2.accessKeyId);
    const secret = client.secret;
    if (v2.kind === 'header') checkClock(headers[AMZ_DATE] !== undefined ? new Date(headers[AMZ_DATE]) : new Date(headers[DATE] ?? ''), clock);
    // A bucket named in the Host header is part of the resource S3 signs: a signature made for
    // one bucket cannot be pointed at another by changing the Host.
    const sts = sigV2StringToSign(ctx.method, rawPath, query, headers, {
      ...(v2.expires === undefined ? {} : { expires: v2.expires }),
      ...(ctx.hostBucket === '' ? {} : { bucket: ctx.hostBucket }),
    });
    if (!verifySigV2(v2, sts, secret, clock)) denied('SignatureDoesNotMatch', 'SigV2 signature differs');
    return grant(ctx, keys, events, client, headers, { scheme: 'sigv2', accessKeyId: v2.accessKeyId, signedHeaders: NO_NAMES, chunkSigning: null, payloadHash: v2PayloadHash(headers) });
  };
}

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * The client is who it says: now whether it may do this from where it is (source ranges), what it
 * may do (its policy) and how much (its limits), before any byte of the body is read.
 */
function grant(ctx: RequestContext, keys: ClientLookup, events: AdmitEvents | undefined, client: InboundClient, headers: Record<string, string>, g: ClientGrant): ClientGrant {
  ctx.clientName = client.name;
  ctx.clientPolicy = client.policy;
  // The TCP peer, never X-Forwarded-For: a header is whatever the client wants it to be.
  if (client.sourceCidrs !== null && !addressAllowed(client.sourceCidrs, ctx.req.socket.remoteAddress)) {
    throw new SignetError('AccessDenied', 'policy: source address not allowed');
  }
  const route = ctx.route;
  if (client.policy !== null && route !== null) checkRoutePolicy(client.policy, route);
  // signet's own endpoints (/_signet/…, a name no bucket can have) check the operation they mint for;
  // a generic service's requests have no bucket, key or S3 action to check (its route was).
  if (client.policy !== null && !ctx.bucket.startsWith('_') && route?.generic !== true) {
    checkPolicy(client.policy, { operation: ctx.operation, bucket: ctx.bucket, key: ctx.key, copySource: headers['x-amz-copy-source'] ?? '', versionId: versionIdOf(ctx.query) });
  }
  // Limits last: a request the policy refuses costs the client no token.
  const slot = keys.acquire?.(client.accessKeyId) ?? null;
  if (slot instanceof ClientLimiter) ctx.limiter = slot;
  else if (slot !== null) {
    events?.throttled(client.name, slot.reason);
    throw new SignetError('SlowDown', `limits: ${slot.reason}`, undefined, undefined, slot.retryAfter);
  }
  ctx.grant = g;
  return g;
}
