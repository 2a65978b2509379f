import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { rawRequest } from '../../support/http.js';
import type { RawResponse } from '../../support/http.js';
import { openSocket } from '../../support/slow-client.js';
import { smithySigner } from '../../support/smithy-reference.js';

export interface ClientKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SignedCall {
  readonly method?: string;
  /** Path as sent (already encoded), without the query. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** x-amz-content-sha256 to sign instead of the body's hash. */
  readonly payloadHash?: string;
}

export const sha256 = (body: string | Buffer): string => createHash('sha256').update(body).digest('hex');

/** SigV4 headers for a call to a gateway, made by @smithy/signature-v4 (the independent reference). */
export async function signFor(baseUrl: string, key: ClientKey, c: SignedCall): Promise<Record<string, string>> {
  const body = c.body ?? '';
  const signed = await smithySigner(key, 'us-east-1').sign({
    method: c.method ?? 'GET', protocol: 'http:', hostname: '127.0.0.1', path: c.path, query: c.query ?? {},
    headers: {
      host: new URL(baseUrl).host, 'x-amz-content-sha256': c.payloadHash ?? sha256(body),
      ...(body.length > 0 ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...c.headers,
    },
  });
  return signed.headers as Record<string, string>;
}

function target(c: SignedCall): string {
  const q = Object.entries(c.query ?? {}).map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
  return c.path + (q === '' ? '' : '?' + q);
}

/** One signed request on its own connection; the whole response. */
export async function signedCall(baseUrl: string, key: ClientKey, c: SignedCall): Promise<RawResponse> {
  const headers = await signFor(baseUrl, key, c);
  return rawRequest(baseUrl, { method: c.method ?? 'GET', path: target(c), headers, ...(c.body === undefined ? {} : { body: c.body }) });
}

/**
 * A signed PUT held in flight: headers and the first half of its body are sent, the rest waits
 * for `finish()`; `response` is the raw text the server sent by the time it closed or answered.
 */
export async function heldPut(baseUrl: string, key: ClientKey, path: string, body = 'first half|second half'): Promise<{ socket: Socket; finish(): void; response: Promise<string> }> {
  const headers = await signFor(baseUrl, key, { method: 'PUT', path, body });
  const socket = await openSocket(baseUrl);
  const half = Math.floor(body.length / 2);
  const head = [`PUT ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'connection: close'].join('\r\n') + '\r\n\r\n';
  socket.write(head + body.slice(0, half));
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  socket.on('error', () => undefined);
  // connection: close, so the server's close marks the end of its answer.
  const response = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  return { socket, finish: () => socket.write(body.slice(half)), response };
}

/** The <Code> of an S3 error body. */
export function errorCode(res: RawResponse): string {
  return /<Code>([^<]*)<\/Code>/.exec(res.body.toString())?.[1] ?? '';
}
