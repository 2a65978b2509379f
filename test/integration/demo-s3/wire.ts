import { request } from 'node:http';
import { connect } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly these headers and path (no client rewriting), over loopback. */
export function send(url: string, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<WireResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers, setHost: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Signs with @smithy/signature-v4 as the S3 client does (path already encoded, uriEscapePath false),
 * then sends it with the same headers. `query` values are sent and signed as given.
 */
export async function signedSend(
  url: string,
  creds: Creds,
  region: string,
  init: { method: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body?: Buffer | string; signingDate?: Date; unsignableHeaders?: string[] },
): Promise<WireResponse> {
  const { host } = new URL(url);
  const signer = new SignatureV4({ credentials: creds, region, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
  const signed = await signer.sign(
    { method: init.method, protocol: 'http:', hostname: host, path: init.path, query: init.query ?? {}, headers: { host, ...init.headers }, body: init.body },
    { signingDate: init.signingDate, unsignableHeaders: new Set(init.unsignableHeaders ?? []) },
  );
  const qs = Object.entries(init.query ?? {}).map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
  return send(url, init.method, init.path + (qs === '' ? '' : `?${qs}`), signed.headers as Record<string, string>, init.body);
}

export function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
}

/** A request written byte for byte on a socket: no Content-Length or Transfer-Encoding added. */
export function rawSend(url: string, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  const head = [`${method} ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'connection: close', '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(head));
    const parts: Buffer[] = [];
    socket.on('data', (d: Buffer) => parts.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(parts).toString('utf8');
      resolve({ status: Number(text.split(' ')[1]), text });
    });
  });
}
