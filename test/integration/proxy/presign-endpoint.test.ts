import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { smithySigner } from '../../support/smithy-reference.js';

const CLIENT = { accessKeyId: 'GATEWAYCLIENT1', secretAccessKey: 'client-secret-one/+abcdefghijklmnopqrstuv' };
const dir = mkdtempSync(join(tmpdir(), 'signet-presign-ep-'));
const keyFile = join(dir, 'keys');
writeFileSync(keyFile, `${CLIENT.accessKeyId} ${CLIENT.secretAccessKey}\n`);

let sidecar: Harness;
let gateway: Harness;
beforeAll(async () => {
  sidecar = await startHarness();
  gateway = await startHarness({ args: ['--inbound-keys', keyFile] });
});
afterAll(async () => {
  await sidecar.close();
  await gateway.close();
});

async function form(url: string, fields: Record<string, string>, body: string, filename = 'f.txt') {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  f.append('file', new Blob([body], { type: 'text/plain' }), filename);
  const res = await fetch(url, { method: 'POST', body: f });
  return { status: res.status, text: await res.text() };
}

/** A client request signed with an inbound key, as an SDK-less app with a SigV4 library would. */
async function signedPost(h: Harness, path: string, json: unknown) {
  const url = new URL(h.url);
  const body = JSON.stringify(json);
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256').update(body).digest('hex');
  const signed = await smithySigner(CLIENT, 'us-east-1').sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {},
    headers: { host: url.host, 'content-type': 'application/json', 'x-amz-content-sha256': hash }, body,
  });
  return fetch(h.url + path, { method: 'POST', headers: signed.headers as Record<string, string>, body });
}

describe('/_signet/presign and /_signet/presign-post', () => {
  it('sidecar: mints a PUT and a GET URL over HTTP that the embedded S3 accepts', async () => {
    const put = await fetch(`${sidecar.url}/_signet/presign`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'PUT', bucket: 'ep-bucket', key: 'a/b.txt', expires: '10m', headers: { 'content-type': 'text/plain' } }),
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('cache-control')).toBe('no-store');
    const p = (await put.json()) as { url: string; headers: Record<string, string>; expiresSeconds: number };
    expect(p.expiresSeconds).toBe(600);
    expect((await fetch(p.url, { method: 'PUT', headers: p.headers, body: 'via endpoint' })).status).toBe(200);
    // The signed content-type binds: another type is refused by S3.
    expect((await fetch(p.url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'x' })).status).toBe(403);
    const get = (await (await fetch(`${sidecar.url}/_signet/presign?bucket=ep-bucket&key=a/b.txt`)).json()) as { url: string };
    expect(await (await fetch(get.url)).text()).toBe('via endpoint');
  });

  it('sidecar: mints a POST policy, and a form posted through the proxy is relayed unsigned', async () => {
    const res = await fetch(`${sidecar.url}/_signet/presign-post`, {
      method: 'POST', body: JSON.stringify({ bucket: 'ep-bucket', prefix: 'up/', maxSize: '1KiB' }),
    });
    const p = (await res.json()) as { url: string; fields: Record<string, string> };
    expect(p.url).toBe(`${sidecar.s3.url}/ep-bucket`);
    expect((await form(`${sidecar.url}/ep-bucket`, p.fields, 'relayed', 'r.txt')).status).toBe(204);
    expect(objectBytes(sidecar.s3.buckets.get('ep-bucket')!.objects.get('up/r.txt')!).toString()).toBe('relayed');
    const last = sidecar.s3.requests.length === 0 ? undefined : sidecar.s3.requests.at(-1);
    if (last !== undefined) expect(last.headers['authorization']).toBeUndefined();
    const refused = await form(`${sidecar.url}/ep-bucket`, p.fields, 'x'.repeat(1025), 'big.txt');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('<Code>EntityTooLarge</Code>');
    // Both answers went the way every answer goes: status, S3's request id and the bytes relayed logged.
    const lines = sidecar.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request' && l.op === 'PostObject');
    expect(lines.map((l) => l.status)).toEqual([204, 400]);
    expect(lines.every((l) => typeof l.s3RequestId === 'string' && l.s3RequestId !== '')).toBe(true);
    expect(lines[1]!.bytesOut).toBe(Buffer.byteLength(refused.text));
  });

  it('answers unknown endpoints with 404 and bad input with 400', async () => {
    expect((await fetch(`${sidecar.url}/_signet/nothing`)).status).toBe(404);
    expect((await fetch(`${sidecar.url}/_signet/presign?bucket=ep-bucket&key=k&method=PATCH`)).status).toBe(400);
    expect((await fetch(`${sidecar.url}/_signet/presign`, { method: 'POST', body: 'not json' })).status).toBe(400);
  });

  it('gateway: refuses an unsigned client, serves a signed one, and relays only forms it minted', async () => {
    expect((await fetch(`${gateway.url}/_signet/presign-post`, { method: 'POST', body: '{"bucket":"gw","prefix":"u/"}' })).status).toBe(403);
    const res = await signedPost(gateway, '/_signet/presign-post', { bucket: 'gw', prefix: 'u/' });
    expect(res.status).toBe(200);
    const p = (await res.json()) as { fields: Record<string, string> };
    expect((await form(`${gateway.url}/gw`, p.fields, 'minted', 'm.txt')).status).toBe(204);
    expect(objectBytes(gateway.s3.buckets.get('gw')!.objects.get('u/m.txt')!).toString()).toBe('minted');
    // The same identity's policy minted elsewhere (not by this gateway) is refused before forwarding.
    const other = (await (await fetch(`${sidecar.url}/_signet/presign-post`, { method: 'POST', body: '{"bucket":"gw","prefix":"u/"}' })).json()) as { fields: Record<string, string> };
    expect((await form(`${gateway.url}/gw`, other.fields, 'foreign', 'f.txt')).status).toBe(403);
  });
});
