import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smithySigner } from '../../support/smithy-reference.js';
import { ADMIN, READER, SEARCHER, TEAM_A_CLIENT, TEAM_A_KEYS, TEAM_B_KEYS, requestLines, startGateway } from './support.js';
import type { Gateway } from './support.js';

let g: Gateway;
beforeAll(async () => {
  g = await startGateway();
});
afterAll(async () => {
  await g.close();
});

type Keys = { accessKeyId: string; secretAccessKey: string };
const s3 = (keys: Keys): S3Client => new S3Client({ endpoint: g.url, forcePathStyle: true, region: 'us-east-1', credentials: keys, maxAttempts: 1 });

/** A request signed by a gateway client with smithy (`es` rules for the search route), sent as signed. */
async function signedCall(keys: Keys, o: { method: string; path: string; query?: Record<string, string>; host?: string; body?: string; service?: string; payloadHash?: string; stream?: boolean }) {
  const url = new URL(g.url);
  const host = o.host ?? url.host;
  const headers: Record<string, string> = { host };
  if (o.body !== undefined && o.stream !== true) headers['content-type'] = 'application/json';
  headers['x-amz-content-sha256'] = o.payloadHash ?? createHash('sha256').update(o.body ?? '').digest('hex');
  const signed = await smithySigner(keys, 'us-east-1', o.service ?? 's3').sign({
    method: o.method, protocol: 'http:', hostname: host.replace(/:\d+$/, ''), path: o.path, query: o.query ?? {}, headers,
    ...(o.body !== undefined && o.stream !== true ? { body: o.body } : {}),
  });
  const qs = new URLSearchParams(o.query ?? {}).toString();
  const body = o.body === undefined ? undefined : o.stream === true ? Readable.from([Buffer.from(o.body)]) : o.body;
  return request(`${g.url}${o.path}${qs === '' ? '' : '?' + qs}`, { method: o.method as 'GET', headers: signed.headers as Record<string, string>, body });
}

describe('routes: several upstreams, services and identities in one signet', () => {
  it('sends each bucket to its route, signed as that route\'s identity for its region', async () => {
    const c = s3(ADMIN);
    await c.send(new PutObjectCommand({ Bucket: 'team-a-data', Key: 'report.csv', Body: 'a,b\n1,2\n' }));
    await c.send(new PutObjectCommand({ Bucket: 'team-b-data', Key: 'notes.txt', Body: 'team b' }));
    const got = await c.send(new GetObjectCommand({ Bucket: 'team-a-data', Key: 'report.csv' }));
    expect(await got.Body!.transformToString()).toBe('a,b\n1,2\n');
    c.destroy();
    expect(g.s3a.buckets.get('team-a-data')?.objects.has('report.csv')).toBe(true);
    expect(g.s3b.buckets.get('team-b-data')?.objects.has('notes.txt')).toBe(true);
    expect(g.s3a.buckets.has('team-b-data')).toBe(false);
    expect(g.s3b.buckets.has('team-a-data')).toBe(false);
    // Each store saw its own key id and region in the scope (and verified the signature with smithy).
    expect(g.s3a.requests.every((r) => r.headers['authorization']?.includes(`${TEAM_A_KEYS.accessKeyId}/`) && r.headers['authorization'].includes('/eu-west-1/s3/'))).toBe(true);
    expect(g.s3b.requests.every((r) => r.headers['authorization']?.includes(`${TEAM_B_KEYS.accessKeyId}/`) && r.headers['authorization'].includes('/us-west-2/s3/'))).toBe(true);
    const routes = requestLines(g.logs).map((l) => l['route']);
    expect(routes).toEqual(['team-a', 'team-b', 'team-a']);
  });

  it('picks a route by the Host the client used (matched, never dialled)', async () => {
    const res = await signedCall(ADMIN, { method: 'PUT', path: '/any-bucket/by-host', host: `S3.Team-B.internal:${new URL(g.url).port}`, body: 'via host' });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(g.s3b.buckets.get('any-bucket')?.objects.has('by-host')).toBe(true);
    expect(requestLines(g.logs).at(-1)).toMatchObject({ route: 'team-b-host', status: 200 });
  });

  it('forwards a path-prefixed request to a generic SigV4 service with its rules (prefix removed, path normalised)', async () => {
    const before = g.search.calls.length;
    const doc = JSON.stringify({ title: 'été', n: 1 });
    const res = await signedCall(ADMIN, { method: 'PUT', path: '/search/logs//2026/../_doc/%C3%A9t%C3%A9', query: { refresh: 'true' }, body: doc, service: 'es' });
    const text = await res.body.text();
    expect(g.search.refused).toEqual([]);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ ok: true, path: '/logs/_doc/%C3%A9t%C3%A9' });
    const call = g.search.calls[before]!;
    expect(call).toMatchObject({ method: 'PUT', path: '/logs/_doc/%C3%A9t%C3%A9', query: 'refresh=true', body: doc });
    expect(call.scope).toMatch(/\/eu-west-1\/es\/aws4_request$/);
    expect(requestLines(g.logs).at(-1)).toMatchObject({ route: 'search', op: 'PUT', bucket: '', status: 200 });
  });

  it('hashes a generic service body of unknown length (spooled), since the service verifies the payload hash', async () => {
    const before = g.search.calls.length;
    const body = '{"query":{"match_all":{}}}';
    const res = await signedCall(ADMIN, { method: 'POST', path: '/search/logs/_search', body, stream: true, payloadHash: 'UNSIGNED-PAYLOAD', service: 'es' });
    await res.body.dump();
    expect(g.search.refused).toEqual([]);
    expect(res.statusCode).toBe(200);
    expect(g.search.calls[before]).toMatchObject({ method: 'POST', path: '/logs/_search', body });
    expect(requestLines(g.logs).at(-1)).toMatchObject({ route: 'search', payload: 'spooled' });
  });

  it('streams a generic service response: the first chunk reaches the client before the service has finished', async () => {
    const res = await signedCall(ADMIN, { method: 'GET', path: '/search/logs/_stream', service: 'es' });
    expect(res.statusCode).toBe(200);
    const reader = res.body[Symbol.asyncIterator]();
    // The service holds the rest until release(): a buffering proxy would never deliver this.
    const first = await reader.next();
    expect(Buffer.from(first.value as Buffer).toString()).toBe('{"event":1}\n');
    g.search.release();
    let rest = '';
    for (let r = await reader.next(); r.done !== true; r = await reader.next()) rest += Buffer.from(r.value as Buffer).toString();
    expect(rest).toBe('{"event":2}\n');
  });

  it('answers 404 NotFound when no route matches, before the body and without touching any upstream', async () => {
    const counts = [g.s3a.requests.length, g.s3b.requests.length, g.search.calls.length + g.search.refused.length];
    const c = s3(ADMIN);
    const err: unknown = await c.send(new PutObjectCommand({ Bucket: 'unrouted-bucket', Key: 'x', Body: 'nowhere' })).catch((e: unknown) => e);
    c.destroy();
    expect(err).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    // A path prefix ends at a segment boundary: /searching is not under /search.
    const res = await signedCall(ADMIN, { method: 'GET', path: '/searching/x', service: 'es' });
    expect(res.statusCode).toBe(404);
    expect(await res.body.text()).toContain('<Code>NotFound</Code>');
    expect([g.s3a.requests.length, g.s3b.requests.length, g.search.calls.length + g.search.refused.length]).toEqual(counts);
  });

  it('refuses with 403 a route the client\'s policy does not name, before any upstream hears of it', async () => {
    const counts = [g.s3a.requests.length, g.s3b.requests.length, g.search.calls.length];
    const teamA = s3(TEAM_A_CLIENT);
    await teamA.send(new PutObjectCommand({ Bucket: 'team-a-data', Key: 'own', Body: 'mine' }));
    const denied: unknown = await teamA.send(new PutObjectCommand({ Bucket: 'team-b-data', Key: 'theirs', Body: 'no' })).catch((e: unknown) => e);
    teamA.destroy();
    expect(denied).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    // A policy without routes keeps to S3 routes: the reader may read a bucket but not reach search.
    const reader = s3(READER);
    const got = await reader.send(new GetObjectCommand({ Bucket: 'team-a-data', Key: 'own' }));
    expect(await got.Body!.transformToString()).toBe('mine');
    reader.destroy();
    const readerSearch = await signedCall(READER, { method: 'GET', path: '/search/logs/_count', service: 'es' });
    expect(readerSearch.statusCode).toBe(403);
    await readerSearch.body.dump();
    const searcher = await signedCall(SEARCHER, { method: 'GET', path: '/search/logs/_count', service: 'es' });
    expect(searcher.statusCode).toBe(200);
    await searcher.body.dump();
    const searcherS3 = await signedCall(SEARCHER, { method: 'GET', path: '/team-a-data/own' });
    expect(searcherS3.statusCode).toBe(403);
    await searcherS3.body.dump();
    // Only the allowed calls went out: one PUT and one GET to team a, one search call.
    expect([g.s3a.requests.length, g.s3b.requests.length, g.search.calls.length]).toEqual([counts[0]! + 2, counts[1], counts[2]! + 1]);
  });

  it('refuses a client that signs a generic route\'s request for s3 (the scope names the route\'s service)', async () => {
    const res = await signedCall(ADMIN, { method: 'GET', path: '/search/logs/_count', service: 's3' });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toContain('This endpoint belongs to &apos;es&apos;');
  });

  it('presigns with the route of the bucket asked about: its upstream, region and identity', async () => {
    const mint = async (keys: Keys, json: unknown) => {
      const body = JSON.stringify(json);
      const res = await signedCall(keys, { method: 'POST', path: '/_signet/presign', body });
      const text = await res.body.text();
      return { status: res.statusCode, json: (res.statusCode === 200 ? JSON.parse(text) : { error: text }) as { url?: string; error?: string } };
    };
    const ok = await mint(ADMIN, { method: 'GET', bucket: 'team-b-data', key: 'notes.txt' });
    expect(ok.json.error).toBeUndefined();
    expect(ok.status).toBe(200);
    const url = new URL(ok.json.url!);
    expect(url.origin).toBe(g.s3b.url);
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${TEAM_B_KEYS.accessKeyId}/\\d{8}/us-west-2/s3/aws4_request$`));
    // The store itself accepts it (its own smithy check): the presign was made as team b, for its region.
    const direct = await fetch(url);
    expect(direct.status).toBe(200);
    expect(await direct.text()).toBe('team b');
    expect((await mint(ADMIN, { method: 'GET', bucket: 'unrouted-bucket', key: 'x' })).status).toBe(404);
    expect((await mint(TEAM_A_CLIENT, { method: 'GET', bucket: 'team-b-data', key: 'notes.txt' })).status).toBe(403);
  });

  it('relays a browser form upload (POST Object) to the upstream of the bucket\'s route', async () => {
    const res = await signedCall(ADMIN, { method: 'POST', path: '/_signet/presign-post', body: JSON.stringify({ bucket: 'team-b-data', key: 'form.txt' }) });
    expect(res.statusCode).toBe(200);
    const minted = (await res.body.json()) as { url: string; fields: Record<string, string> };
    expect(new URL(minted.url).origin).toBe(g.s3b.url);
    const form = new FormData();
    for (const [name, value] of Object.entries(minted.fields)) form.append(name, value);
    form.append('file', new Blob(['from a form']), 'form.txt');
    const posted = await fetch(`${g.url}/team-b-data`, { method: 'POST', body: form });
    expect(posted.status).toBe(204);
    expect(g.s3b.buckets.get('team-b-data')?.objects.has('form.txt')).toBe(true);
    expect(requestLines(g.logs).at(-1)).toMatchObject({ route: 'team-b', op: 'PostObject', status: 204 });
  });

  it('counts requests per route in /metrics and is ready once every route holds credentials', async () => {
    const text = await (await fetch(`${g.signet.admin!.url}/metrics`)).text();
    expect(text).toMatch(/signet_route_requests_total\{route="team-a",status_class="2xx"\} \d+/);
    expect(text).toMatch(/signet_route_requests_total\{route="search",status_class="2xx"\} \d+/);
    expect(text).not.toContain(TEAM_A_KEYS.accessKeyId);
    const ready = await fetch(`${g.signet.admin!.url}/readyz`);
    expect(ready.status).toBe(200);
    // Three routes share two identities from profiles, plus the default chain for search.
    expect(g.signet.routes.current().credentialCaches().size).toBe(3);
  });
});
