import { createHash } from 'node:crypto';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { AMZ_CONTENT_SHA256, AMZ_DATE, AMZ_SECURITY_TOKEN, AUTHORIZATION, CONTENT_LENGTH, HOST } from '../sigv4/constants.js';
import { signRequest } from '../sigv4/signer.js';
import type { Credentials } from '../sigv4/types.js';

export interface SignedCall {
  readonly origin: string;
  readonly host: string;
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  /** Encoded path, no query. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly region: string;
  readonly service: string;
  readonly credentials: Credentials;
  readonly date: Date;
  readonly dispatcher: Dispatcher;
}

export interface CallAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request signed with src/sigv4 and sent directly (not through the proxy), body read whole. */
export async function signedCall(c: SignedCall): Promise<CallAnswer> {
  const body = c.body ?? '';
  const headers: Record<string, string> = { ...c.headers, [HOST]: c.host };
  if (body !== '') headers[CONTENT_LENGTH] = String(Buffer.byteLength(body));
  const signed = signRequest(
    { method: c.method, path: c.path, query: [], headers },
    { credentials: c.credentials, region: c.region, service: c.service, date: c.date, payloadHash: createHash('sha256').update(body).digest('hex') },
  );
  headers[AMZ_DATE] = signed.amzDate;
  headers[AMZ_CONTENT_SHA256] = signed.payloadHash;
  if (signed.securityToken !== undefined) headers[AMZ_SECURITY_TOKEN] = signed.securityToken;
  headers[AUTHORIZATION] = signed.authorization;
  const res = await request(c.origin + c.path, { method: c.method, headers, body: body === '' ? null : body, dispatcher: c.dispatcher });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}
