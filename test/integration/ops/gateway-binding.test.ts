import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { presign } from '../../../src/sigv4/index.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { socketExchange } from '../../support/raw-socket.js';
import type { RawResponse } from '../../support/http.js';
import { smithySigner, toSmithyQuery } from '../../support/smithy-reference.js';

// Gateway mode: the request signet signs with its own identity must be a function of what the
// client's signature covered. Clients here sign with @smithy/signature-v4 (the SDK's signer) or
// with SigV2 by hand; the attacker then adds or changes what the signature does not cover.
const CLIENT = { accessKeyId: 'BINDINGCLIENT1', secretAccessKey: 'binding-secret-one/+abcdefghijklmnopqr' };
const dir = mkdtempSync(join(tmpdir(), 'signet-binding-'));
const keyFile = join(dir, 'keys');
writeFileSync(keyFile, `${CLIENT.accessKeyId} ${CLIENT.secretAccessKey}\n`);

let h: Harness;
let spooling: Harness;
let sidecar: Harness;
beforeAll(async () => {
  h = await startHarness({ args: ['--inbound-keys', keyFile], s3: { autoCreateBuckets: true } });
  spooling = await startHarness({ args: ['--inbound-keys', keyFile, '--multipart', 'off'], s3: { autoCreateBuckets: true } });
  sidecar = await startHarness({ s3: { autoCreateBuckets: true } });
});
afterAll(async () => {
  await Promise.all([h.close(), spooling.close(), sidecar.close()]);
});

const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

function errorCode(res: RawResponse): string {
  return /<Code>([^<]*)<\/Code>/.exec(res.body.toString())?.[1] ?? '';
}

interface Signable {
  method?: string;
  path: string;
  query?: Array<readonly [string, string]>;
  headers?: Record<string, string>;
  payloadHash?: string;
  region?: string;
  service?: string;
  date?: Date;
}

function queryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([n, v]) => encodeURIComponent(n) + (v === '' ? '=' : '=' + encodeURIComponent(v))).join('&');
}

/** SigV4 header auth as the SDK signs it: every header given is signed, nothing else. */
async function signV4(target: Harness, r: Signable): Promise<Record<string, string>> {
  const host = new URL(target.url).host;
  const signer = smithySigner(CLIENT, r.region ?? 'us-east-1', r.service ?? 's3');
  const signed = await signer.sign({
    method: r.method ?? 'GET', protocol: 'http:', hostname: '127.0.0.1', path: r.path,
    query: toSmithyQuery(r.query ?? []),
    headers: { host, 'x-amz-content-sha256': r.payloadHash ?? sha256(''), ...r.headers },
  }, { signingDate: r.date ?? new Date() });
  return signed.headers as Record<string, string>;
}

/** A presigned URL as S3 presigners make it (UNSIGNED-PAYLOAD; the signer is checked against AWS's vectors in test/unit/sigv4). */
function presignV4(target: Harness, r: Signable): string {
  const host = new URL(target.url).host;
  const signed = presign(
    { method: r.method ?? 'GET', path: r.path, query: r.query ?? [], headers: { host, ...r.headers } },
    { credentials: CLIENT, region: r.region ?? 'us-east-1', service: 's3', date: new Date(), expiresSeconds: 300 },
  );
  return r.path + '?' + signed.query;
}

function v2(stringToSign: string): string {
  return `AWS ${CLIENT.accessKeyId}:${createHmac('sha1', CLIENT.secretAccessKey).update(stringToSign, 'latin1').digest('base64')}`;
}

async function put(target: Harness, key: string, body: string, extra: Record<string, string> = {}): Promise<RawResponse> {
  const headers = await signV4(target, { method: 'PUT', path: `/bind/${key}`, payloadHash: sha256(body), headers: { 'content-length': String(body.length) } });
  return rawRequest(target.url, { method: 'PUT', path: `/bind/${key}`, headers: { ...headers, ...extra }, body });
}

function stored(target: Harness, key: string): Buffer | undefined {
  const o = target.s3.buckets.get('bind')?.objects.get(key);
  return o === undefined ? undefined : objectBytes(o);
}

describe('headers: only what the client signed goes upstream', () => {
  it('refuses an x-amz-* header the signature does not cover, as S3 does, before contacting S3', async () => {
    const source = await put(h, 'secret-source', 'top secret');
    expect(source.status).toBe(200);
    const before = h.s3.requests.length;
    const res = await put(h, 'copy-target', '', { 'x-amz-copy-source': '/bind/secret-source' });
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('AccessDenied');
    expect(res.body.toString()).toContain('There were headers present in the request which were not signed');
    expect(res.body.toString()).toContain('<HeadersNotSigned>x-amz-copy-source</HeadersNotSigned>');
    expect(h.s3.requests.length).toBe(before);
    expect(stored(h, 'copy-target')).toBeUndefined();
  });

  it('refuses an unsigned x-amz-* header beside a presigned URL', async () => {
    const path = presignV4(h, { method: 'PUT', path: '/bind/presigned-copy' });
    const res = await rawRequest(h.url, { method: 'PUT', path, headers: { 'x-amz-copy-source': '/bind/secret-source', 'content-length': '0' } });
    expect(res.status).toBe(403);
    expect(res.body.toString()).toContain('x-amz-copy-source');
    expect(stored(h, 'presigned-copy')).toBeUndefined();
  });

  it('refuses an unsigned x-amz-content-sha256 or x-amz-decoded-content-length too', async () => {
    const path = presignV4(h, { method: 'PUT', path: '/bind/presigned-hash' });
    const res = await rawRequest(h.url, { method: 'PUT', path, headers: { 'x-amz-content-sha256': sha256('x'), 'content-length': '1' }, body: 'x' });
    expect(res.status).toBe(403);
  });

  it('drops an unsigned Content-Type (object metadata) and keeps a signed one', async () => {
    const res = await put(h, 'typed', 'hello', { 'content-type': 'text/html' });
    expect(res.status).toBe(200);
    expect(h.s3.requests.at(-1)!.headers['content-type']).toBeUndefined();
    const headers = await signV4(h, { method: 'PUT', path: '/bind/typed2', payloadHash: sha256('hi'), headers: { 'content-length': '2', 'content-type': 'text/plain' } });
    const ok = await rawRequest(h.url, { method: 'PUT', path: '/bind/typed2', headers, body: 'hi' });
    expect(ok.status).toBe(200);
    expect(h.s3.requests.at(-1)!.headers['content-type']).toBe('text/plain');
  });

  it('forwards unsigned preconditions and a Range on GET (they only narrow what was signed)', async () => {
    const headers = await signV4(h, { path: '/bind/typed' });
    const res = await rawRequest(h.url, { path: '/bind/typed', headers: { ...headers, range: 'bytes=1-2' } });
    expect(res.status).toBe(206);
    expect(res.body.toString()).toBe('el');
    const cond = await put(h, 'typed', 'other', { 'if-none-match': '*' });
    expect(cond.status).toBe(412);
    expect(stored(h, 'typed')!.toString()).toBe('hello');
  });
});

describe('Connection: a header the client sent is never silently dropped', () => {
  it('refuses a Connection header that names a header S3 gives meaning to, in every mode', async () => {
    for (const target of [h, sidecar]) {
      const headers = await signV4(target, { method: 'PUT', path: '/bind/conditional', payloadHash: sha256('v'), headers: { 'content-length': '1', 'if-none-match': '*' } });
      for (const token of ['If-None-Match', 'x-amz-content-sha256', 'content-md5', 'x-amz-meta-a, keep-alive']) {
        const res = await rawRequest(target.url, { method: 'PUT', path: '/bind/conditional', headers: { ...headers, connection: token }, body: 'v' });
        expect(res.status, `${token} via ${target === h ? 'gateway' : 'sidecar'}`).toBe(400);
        expect(errorCode(res)).toBe('InvalidArgument');
      }
    }
  });

  it('in gateway mode refuses any token that is not a hop-by-hop header, and takes keep-alive/close', async () => {
    const headers = await signV4(h, { path: '/bind/typed' });
    const odd = await rawRequest(h.url, { path: '/bind/typed', headers: { ...headers, connection: 'x-custom' } });
    expect(odd.status).toBe(400);
    for (const token of ['keep-alive', 'close', 'Keep-Alive, TE']) {
      const ok = await rawRequest(h.url, { path: '/bind/typed', headers: { ...headers, connection: token } });
      expect(ok.status, token).toBe(200);
    }
  });
});

describe('body: the signed x-amz-content-sha256 is the contract on every path', () => {
  it('refuses a swapped body of the same length (streamed with the client hash)', async () => {
    const headers = await signV4(h, { method: 'PUT', path: '/bind/swap', payloadHash: sha256('AAAA'), headers: { 'content-length': '4' } });
    const res = await rawRequest(h.url, { method: 'PUT', path: '/bind/swap', headers, body: 'BBBB' });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('XAmzContentSHA256Mismatch');
    expect(stored(h, 'swap')).toBeUndefined();
  });

  it('refuses Content-Length: 0 under a hash signed for a non-empty body', async () => {
    const headers = await signV4(h, { method: 'PUT', path: '/bind/emptied', payloadHash: sha256('data') });
    const res = await rawRequest(h.url, { method: 'PUT', path: '/bind/emptied', headers: { ...headers, 'content-length': '0' } });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('XAmzContentSHA256Mismatch');
    expect(stored(h, 'emptied')).toBeUndefined();
  });

  for (const [name, target] of [['multipart conversion', () => h], ['spooling (--multipart off)', () => spooling]] as const) {
    it(`refuses a swapped body sent with Transfer-Encoding: chunked (${name})`, async () => {
      const t = target();
      const headers = await signV4(t, { method: 'PUT', path: '/bind/chunked-swap', payloadHash: sha256('the signed body') });
      const res = await rawRequest(t.url, { method: 'PUT', path: '/bind/chunked-swap', headers: { ...headers, 'transfer-encoding': 'chunked' }, body: [Buffer.from('another '), Buffer.from('body')] });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe('XAmzContentSHA256Mismatch');
      expect(stored(t, 'chunked-swap')).toBeUndefined();
      const good = await rawRequest(t.url, { method: 'PUT', path: '/bind/chunked-ok', headers: { ...(await signV4(t, { method: 'PUT', path: '/bind/chunked-ok', payloadHash: sha256('the signed body') })), 'transfer-encoding': 'chunked' }, body: [Buffer.from('the signed '), Buffer.from('body')] });
      expect(good.status).toBe(200);
      expect(stored(t, 'chunked-ok')!.toString()).toBe('the signed body');
    });
  }

  it('refuses aws-chunked framing added under a hex hash', async () => {
    const framed = '5\r\nhello\r\n0\r\n\r\n';
    const headers = await signV4(h, { method: 'PUT', path: '/bind/framed', payloadHash: sha256(framed), headers: { 'x-amz-decoded-content-length': '5' } });
    const res = await rawRequest(h.url, { method: 'PUT', path: '/bind/framed', headers: { ...headers, 'content-encoding': 'aws-chunked', 'content-length': String(framed.length) }, body: framed });
    expect(res.status).toBe(400);
    expect(stored(h, 'framed')).toBeUndefined();
  });

  it('refuses a payload hash that is none of hex, UNSIGNED-PAYLOAD or a STREAMING mode', async () => {
    const headers = await signV4(h, { method: 'PUT', path: '/bind/odd-hash', payloadHash: 'NOT-A-HASH', headers: { 'content-length': '1' } });
    const res = await rawRequest(h.url, { method: 'PUT', path: '/bind/odd-hash', headers, body: 'x' });
    expect(res.status).toBe(400);
  });

  it('takes any body where the client signed UNSIGNED-PAYLOAD', async () => {
    const headers = await signV4(h, { method: 'PUT', path: '/bind/unsigned', payloadHash: 'UNSIGNED-PAYLOAD', headers: { 'content-length': '3' } });
    const res = await rawRequest(h.url, { method: 'PUT', path: '/bind/unsigned', headers, body: 'abc' });
    expect(res.status).toBe(200);
  });

  it('refuses a signed streaming mode the client cannot have signed (SigV2 carries no chunk key)', async () => {
    const date = new Date().toUTCString();
    const framed = '5\r\nhello\r\n0\r\n\r\n';
    const amz = 'x-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD\nx-amz-decoded-content-length:5\n';
    const res = await rawRequest(h.url, {
      method: 'PUT', path: '/bind/v2-streaming',
      headers: {
        date, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '5', 'content-length': String(framed.length),
        authorization: v2(`PUT\n\n\n${date}\n${amz}/bind/v2-streaming`),
      },
      body: framed,
    });
    expect(res.status).toBe(400);
    expect(stored(h, 'v2-streaming')).toBeUndefined();
  });
});

describe('SigV2: the bucket and every sub-resource are signed', () => {
  it('refuses a signed path-style request re-pointed at another bucket through the Host header', async () => {
    await put(h, 'v2-target', 'bucket bind');
    const date = new Date().toUTCString();
    const auth = v2(`GET\n\n\n${date}\n/bind/v2-target`);
    const port = new URL(h.url).port;
    const ok = await rawRequest(h.url, { path: '/bind/v2-target', headers: { date, authorization: auth } });
    expect(ok.status).toBe(200);
    const before = h.s3.requests.length;
    const moved = await rawRequest(h.url, { path: '/bind/v2-target', headers: { host: `victim.localhost:${port}`, date, authorization: auth } });
    expect(moved.status).toBe(403);
    expect(errorCode(moved)).toBe('SignatureDoesNotMatch');
    expect(h.s3.requests.length).toBe(before);
  });

  it('accepts a virtual-hosted SigV2 request signed with its bucket in the resource', async () => {
    const date = new Date().toUTCString();
    const port = new URL(h.url).port;
    const res = await rawRequest(h.url, { path: '/v2-target', headers: { host: `bind.localhost:${port}`, date, authorization: v2(`GET\n\n\n${date}\n/bind/v2-target`) } });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('bucket bind');
  });

  it('refuses query parameters the SigV2 signature does not cover', async () => {
    const date = new Date().toUTCString();
    const auth = v2(`PUT\n\n\n${date}\n/bind/v2-target`);
    for (const q of ['retention', 'legal-hold', 'x-id=PutObject', 'tagging']) {
      const res = await rawRequest(h.url, { method: 'PUT', path: `/bind/v2-target?${q}`, headers: { date, authorization: auth, 'content-length': '0' } });
      expect(res.status, q).toBeGreaterThanOrEqual(400);
      expect(res.status, q).toBeLessThan(500);
    }
    expect(stored(h, 'v2-target')!.toString()).toBe('bucket bind');
  });

  it('refuses sub-resources SigV2 signers leave out (use SigV4 for them)', async () => {
    const date = new Date().toUTCString();
    for (const sub of ['encryption', 'retention', 'legal-hold', 'publicAccessBlock']) {
      const res = await rawRequest(h.url, { path: `/bind/v2-target?${sub}`, headers: { date, authorization: v2(`GET\n\n\n${date}\n/bind/v2-target?${sub}`) } });
      expect(res.status, sub).toBe(400);
      expect(res.body.toString(), sub).toContain('SigV4');
    }
  });

  it('takes listing parameters on a signed GET (no SigV2 signer signs them; they only narrow a read)', async () => {
    const date = new Date().toUTCString();
    const res = await rawRequest(h.url, { path: '/bind?prefix=v2-&max-keys=5&list-type=2', headers: { date, authorization: v2(`GET\n\n\n${date}\n/bind`) } });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toContain('<Key>v2-target</Key>');
  });

  it('keeps a signed sub-resource in the resource: a signature made without ?acl does not cover it', async () => {
    const date = new Date().toUTCString();
    const res = await rawRequest(h.url, { path: '/bind/v2-target?acl', headers: { date, authorization: v2(`GET\n\n\n${date}\n/bind/v2-target`) } });
    expect(errorCode(res)).toBe('SignatureDoesNotMatch');
  });
});

describe('credential scope: date, region and service are the ones S3 would accept', () => {
  it('refuses a scope for another region with AuthorizationHeaderMalformed naming the expected one', async () => {
    const headers = await signV4(h, { path: '/bind/typed', region: 'eu-west-1' });
    const res = await rawRequest(h.url, { path: '/bind/typed', headers });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('AuthorizationHeaderMalformed');
    expect(res.body.toString().replaceAll('&apos;', "'")).toContain("the region 'eu-west-1' is wrong; expecting 'us-east-1'");
    expect(res.body.toString()).toContain('<Region>us-east-1</Region>');
  });

  it('refuses a scope for another service', async () => {
    const headers = await signV4(h, { path: '/bind/typed', service: 'execute-api' });
    const res = await rawRequest(h.url, { path: '/bind/typed', headers });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('AuthorizationHeaderMalformed');
  });

  it('refuses a scope whose date is not the x-amz-date day', async () => {
    const headers = await signV4(h, { path: '/bind/typed' });
    const auth = headers['authorization']!;
    const day = /Credential=[^/]+\/(\d{8})\//.exec(auth)![1]!;
    const other = String(Number(day) - 1);
    const res = await rawRequest(h.url, { path: '/bind/typed', headers: { ...headers, authorization: auth.replace(`/${day}/`, `/${other}/`) } });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('AuthorizationHeaderMalformed');
  });

  it('applies the region check to presigned URLs too, as S3 names it there', async () => {
    const host = new URL(h.url).host;
    const signer = smithySigner(CLIENT, 'ap-south-1');
    const signed = await signer.presign({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', path: '/bind/typed', query: {}, headers: { host } }, { expiresIn: 60 });
    const path = '/bind/typed?' + queryString(Object.entries(signed.query ?? {}).map(([n, v]) => [n, String(v)] as const));
    const res = await rawRequest(h.url, { path });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('AuthorizationQueryParametersError');
  });
});

describe('pipelined requests', () => {
  it('counts none in flight once the client hangs up after the first answer', async () => {
    for (const target of [h, sidecar]) {
      const host = new URL(target.url).host;
      const one = `GET /bind/a HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
      for (let i = 0; i < 5; i++) {
        const res = await socketExchange(target.url, one + one + `PUT /bind/b HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 3\r\n\r\nabc` + one);
        expect(res.status).toBeGreaterThanOrEqual(200);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(target.signet.proxy.inFlight(), target === h ? 'gateway' : 'sidecar').toBe(0);
    }
  });
});
