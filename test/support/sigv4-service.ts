import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** One request the service accepted (its signature checked). */
export interface ServiceCall {
  readonly method: string;
  /** The path as received on the wire (still percent-encoded). */
  readonly path: string;
  readonly query: string;
  readonly body: string;
  readonly accessKeyId: string;
  readonly scope: string;
}

export interface SigV4Service {
  readonly url: string;
  readonly calls: ServiceCall[];
  /** Requests refused, with the reason (signature, scope, payload hash). */
  readonly refused: string[];
  /** Lets the held `/_stream` response finish (its first chunk went out at once). */
  release(): void;
  close(): Promise<void>;
}

export interface SigV4ServiceOptions {
  readonly service: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Whether the service insists on x-amz-content-sha256 (aoss does; es takes it when sent). */
  readonly requirePayloadHeader?: boolean;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function field(auth: string, name: string): string {
  const m = new RegExp(`${name}=([^,\\s]+)`).exec(auth);
  return m?.[1] ?? '';
}

function decodeQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent((eq === -1 ? part : part.slice(0, eq)).replaceAll('+', ' '));
    const value = eq === -1 ? '' : decodeURIComponent(part.slice(eq + 1).replaceAll('+', ' '));
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/**
 * A generic SigV4 service (OpenSearch, API Gateway…) on 127.0.0.1: every request's Authorization
 * is recomputed with @smithy/signature-v4 configured by that service's rules (uriEscapePath: the
 * path normalised and encoded twice; an x-amz-content-sha256 must equal the body's own hash, and
 * without one smithy hashes the body), independently of signet's signer. `GET …/_stream` answers one chunk at once and holds
 * the rest until `release()`: a proxy that buffered would deliver nothing until then.
 */
export async function startSigV4Service(o: SigV4ServiceOptions): Promise<SigV4Service> {
  const calls: ServiceCall[] = [];
  const refused: string[] = [];
  let releaseStream: () => void = () => undefined;
  let released = false;
  const signer = new SignatureV4({
    credentials: o.credentials, region: o.region, service: o.service, sha256: Hash.bind(null, 'sha256'), uriEscapePath: true, applyChecksum: false,
  });
  const refuse = (res: ServerResponse, reason: string): void => {
    refused.push(reason);
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `The request signature we calculated does not match the signature you provided. (${reason})` }));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readAll(req);
    const auth = req.headers.authorization ?? '';
    const credential = field(auth, 'Credential');
    const [accessKeyId = '', date = '', region = '', service = ''] = credential.split('/');
    if (accessKeyId !== o.credentials.accessKeyId) return refuse(res, 'unknown access key');
    if (region !== o.region || service !== o.service) return refuse(res, `scope ${region}/${service}`);
    const bodyHash = createHash('sha256').update(body).digest('hex');
    const claimed = req.headers['x-amz-content-sha256'];
    if (claimed === undefined && o.requirePayloadHeader === true) return refuse(res, 'x-amz-content-sha256 missing');
    if (claimed !== undefined && claimed !== bodyHash) return refuse(res, 'payload hash differs from the body');
    const signedNames = field(auth, 'SignedHeaders').split(';');
    const headers: Record<string, string> = {};
    for (const name of signedNames) {
      const v = req.headers[name];
      if (v === undefined) return refuse(res, `signed header ${name} missing`);
      headers[name] = Array.isArray(v) ? v.join(',') : v;
    }
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const amzDate = headers['x-amz-date'] ?? '';
    if (!amzDate.startsWith(date)) return refuse(res, 'date');
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const signed = await signer.sign({
      method: req.method ?? 'GET', protocol: 'http:', hostname: (headers['host'] ?? '').replace(/:\d+$/, ''), path: q === -1 ? rawUrl : rawUrl.slice(0, q),
      query: q === -1 ? {} : decodeQuery(rawUrl.slice(q + 1)), headers, body,
    }, { signingDate, signableHeaders: new Set(signedNames) });
    if (signed.headers['authorization'] !== auth) return refuse(res, 'signature differs');
    calls.push({ method: req.method ?? '', path: q === -1 ? rawUrl : rawUrl.slice(0, q), query: q === -1 ? '' : rawUrl.slice(q + 1), body: body.toString('utf8'), accessKeyId, scope: credential });
    if (rawUrl.includes('/_stream')) {
      // Chunked, the first event now and the rest only when the test says so.
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"event":1}\n');
      if (!released) await new Promise<void>((resolve) => (releaseStream = resolve));
      res.end('{"event":2}\n');
      return;
    }
    const answer = JSON.stringify({ ok: true, method: req.method, path: q === -1 ? rawUrl : rawUrl.slice(0, q), bytes: body.length });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(answer)) });
    res.end(answer);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      refused.push(String(err));
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, calls, refused,
    release() {
      released = true;
      releaseStream();
    },
    close: () => new Promise<void>((resolve) => {
      released = true;
      releaseStream();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
