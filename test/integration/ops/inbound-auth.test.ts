import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { startSignet } from '../../../src/server/signet.js';
import { presign } from '../../../src/sigv4/index.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';

const CLIENT = { accessKeyId: 'GATEWAYCLIENT1', secretAccessKey: 'client-secret-one/+abcdefghijklmnopqrstuv' };
const OTHER = { accessKeyId: 'GATEWAYCLIENT2', secretAccessKey: 'client-secret-two/+abcdefghijklmnopqrstuv' };
const dir = mkdtempSync(join(tmpdir(), 'signet-inbound-'));
const keyFile = join(dir, 'keys');
writeFileSync(keyFile, `# gateway clients\n${CLIENT.accessKeyId} ${CLIENT.secretAccessKey}\n\n  ${OTHER.accessKeyId}\t${OTHER.secretAccessKey}\n`);

let h: Harness;
let sidecar: Harness;
beforeAll(async () => {
  h = await startHarness({ args: ['--inbound-keys', keyFile], s3: { autoCreateBuckets: true } });
  sidecar = await startHarness({ s3: { autoCreateBuckets: true } });
});
afterAll(async () => {
  await h.close();
  await sidecar.close();
});

function client(creds: { accessKeyId: string; secretAccessKey: string }, url = h.url): S3Client {
  return new S3Client({ endpoint: url, forcePathStyle: true, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
}

function errorCode(body: Buffer): string {
  return /<Code>([^<]*)<\/Code>/.exec(body.toString())?.[1] ?? '';
}

/** SigV2 as old clients sign it: base64 HMAC-SHA1 over VERB, MD5, type, date, amz headers, resource. */
function v2(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(stringToSign).digest('base64');
}

describe('gateway mode (--inbound-keys)', () => {
  it('serves an SDK client that signs with an inbound key: PUT, GET and list', async () => {
    const c = client(CLIENT);
    await c.send(new PutObjectCommand({ Bucket: 'gw-bucket', Key: 'dir/sdk obj+1.txt', Body: 'from the sdk' }));
    const got = await c.send(new GetObjectCommand({ Bucket: 'gw-bucket', Key: 'dir/sdk obj+1.txt' }));
    expect(await got.Body!.transformToString()).toBe('from the sdk');
    const list = await c.send(new ListObjectsV2Command({ Bucket: 'gw-bucket', Prefix: 'dir/' }));
    expect(list.Contents?.map((o) => o.Key)).toEqual(['dir/sdk obj+1.txt']);
    // The upstream saw signet's keys, never the client's.
    const last = h.s3.requests.at(-1)!;
    expect(JSON.stringify(last)).not.toContain(CLIENT.accessKeyId);
    c.destroy();
  });

  it('accepts the second key of the file too', async () => {
    const c = client(OTHER);
    await c.send(new PutObjectCommand({ Bucket: 'gw-bucket', Key: 'other', Body: 'x' }));
    c.destroy();
  });

  it('refuses an SDK client with a wrong secret: 403 SignatureDoesNotMatch, S3 not contacted', async () => {
    const before = h.s3.requests.length;
    const c = client({ ...CLIENT, secretAccessKey: 'wrong-secret-wrong-secret-wrong-secret00' });
    const err: unknown = await c.send(new GetObjectCommand({ Bucket: 'gw-bucket', Key: 'other' })).catch((e: unknown) => e);
    c.destroy();
    expect(err).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    expect(h.s3.requests.length).toBe(before);
  });

  it('refuses an unknown access key id: 403 InvalidAccessKeyId', async () => {
    const c = client({ accessKeyId: 'NOSUCHKEY', secretAccessKey: CLIENT.secretAccessKey });
    const err: unknown = await c.send(new GetObjectCommand({ Bucket: 'gw-bucket', Key: 'other' })).catch((e: unknown) => e);
    c.destroy();
    expect(err).toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
  });

  it('refuses a request without any signature: 403 AccessDenied as S3 XML', async () => {
    const res = await rawRequest(h.url, { path: '/gw-bucket/other' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/xml/);
    expect(errorCode(res.body)).toBe('AccessDenied');
  });

  it('refuses an Authorization scheme it does not know', async () => {
    const res = await rawRequest(h.url, { path: '/gw-bucket/other', headers: { authorization: 'Bearer abc' } });
    expect(errorCode(res.body)).toBe('AccessDenied');
  });

  it('accepts SigV2 header auth signed by hand, and refuses a wrong one', async () => {
    const date = new Date().toUTCString();
    const body = 'sigv2 body';
    const sts = `PUT\n\ntext/plain\n${date}\nx-amz-meta-who:legacy\n/gw-bucket/v2%20obj?acl`.replace('?acl', '');
    const headers = {
      date, 'content-type': 'text/plain', 'x-amz-meta-who': 'legacy', 'content-length': Buffer.byteLength(body),
      authorization: `AWS ${CLIENT.accessKeyId}:${v2(CLIENT.secretAccessKey, sts)}`,
    };
    const put = await rawRequest(h.url, { method: 'PUT', path: '/gw-bucket/v2%20obj', headers, body });
    expect(put.status).toBe(200);
    const getSts = `GET\n\n\n${date}\n/gw-bucket/v2%20obj`;
    const get = await rawRequest(h.url, { path: '/gw-bucket/v2%20obj', headers: { date, authorization: `AWS ${CLIENT.accessKeyId}:${v2(CLIENT.secretAccessKey, getSts)}` } });
    expect(get.status).toBe(200);
    expect(get.body.toString()).toBe(body);
    const bad = await rawRequest(h.url, { path: '/gw-bucket/v2%20obj', headers: { date, authorization: `AWS ${CLIENT.accessKeyId}:${v2(OTHER.secretAccessKey, getSts)}` } });
    expect(bad.status).toBe(403);
    expect(errorCode(bad.body)).toBe('SignatureDoesNotMatch');
  });

  it('refuses SigV2 header auth with a stale Date', async () => {
    const date = new Date(Date.now() - 3600_000).toUTCString();
    const sts = `GET\n\n\n${date}\n/gw-bucket/other`;
    const res = await rawRequest(h.url, { path: '/gw-bucket/other', headers: { date, authorization: `AWS ${CLIENT.accessKeyId}:${v2(CLIENT.secretAccessKey, sts)}` } });
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('AccessDenied');
  });

  it('accepts SigV2 query auth and refuses it once expired', async () => {
    const expires = String(Math.floor(Date.now() / 1000) + 300);
    const sig = v2(CLIENT.secretAccessKey, `GET\n\n\n${expires}\n/gw-bucket/other`);
    const q = `AWSAccessKeyId=${CLIENT.accessKeyId}&Expires=${expires}&Signature=${encodeURIComponent(sig)}`;
    const ok = await rawRequest(h.url, { path: `/gw-bucket/other?${q}` });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('x');
    const old = String(Math.floor(Date.now() / 1000) - 10);
    const oldSig = v2(CLIENT.secretAccessKey, `GET\n\n\n${old}\n/gw-bucket/other`);
    const expired = await rawRequest(h.url, { path: `/gw-bucket/other?AWSAccessKeyId=${CLIENT.accessKeyId}&Expires=${old}&Signature=${encodeURIComponent(oldSig)}` });
    expect(expired.status).toBe(403);
    expect(errorCode(expired.body)).toBe('AccessDenied');
  });

  it('accepts a SigV4 presigned GET made with an inbound key, and refuses a tampered one', async () => {
    const host = new URL(h.url).host;
    const signed = presign(
      { method: 'GET', path: '/gw-bucket/other', query: [], headers: { host } },
      { credentials: CLIENT, region: 'us-east-1', service: 's3', date: new Date(), expiresSeconds: 60 },
    );
    const ok = await rawRequest(h.url, { path: `/gw-bucket/other?${signed.query}` });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('x');
    const tampered = await rawRequest(h.url, { path: `/gw-bucket/dir/sdk%20obj%2B1.txt?${signed.query}` });
    expect(errorCode(tampered.body)).toBe('SignatureDoesNotMatch');
  });

  it('refuses a SigV4 presigned URL past its expiry', async () => {
    const host = new URL(h.url).host;
    const signed = presign(
      { method: 'GET', path: '/gw-bucket/other', query: [], headers: { host } },
      { credentials: CLIENT, region: 'us-east-1', service: 's3', date: new Date(Date.now() - 120_000), expiresSeconds: 60 },
    );
    const res = await rawRequest(h.url, { path: `/gw-bucket/other?${signed.query}` });
    expect(res.status).toBe(403);
    expect(res.body.toString()).toContain('Request has expired');
  });
});

describe('sidecar mode (no --inbound-keys)', () => {
  it('strips and ignores whatever auth the client sends', async () => {
    const c = client({ accessKeyId: 'ANYTHING', secretAccessKey: 'anything-at-all' }, sidecar.url);
    await c.send(new PutObjectCommand({ Bucket: 'sc-bucket', Key: 'k', Body: 'v' }));
    c.destroy();
    const res = await rawRequest(sidecar.url, { path: '/sc-bucket/k', headers: { authorization: 'AWS nobody:c2lnbmF0dXJl' } });
    expect(res.status).toBe(200);
  });
});

describe('inbound key file errors', () => {
  async function startWith(text: string): Promise<unknown> {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, text);
    const config = loadConfig(['--region', 'us-east-1', '--upstream', 'http://127.0.0.1:9', '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--inbound-keys', file], {});
    const { default: pino } = await import('pino');
    return startSignet(config, { logger: pino({ level: 'silent' }), fetchCredentials: async () => ({ credentials: CLIENT, source: 'test' }) })
      .then(async (r) => { await r.close(); return null; }, (e: unknown) => e);
  }

  it('name --inbound-keys and the line, in one line, without the secret', async () => {
    const err = (await startWith('# ok\nKEY1 secret1\nKEY2 secret-two extra\n')) as Error;
    expect(err.message).toMatch(/^--inbound-keys \S+ line 3: expected "ACCESS_KEY_ID SECRET"/);
    expect(err.message).not.toContain('secret-two');
    expect(err.message).not.toContain('\n');
  });

  it('refuses a key listed twice and a file without keys', async () => {
    expect(((await startWith('K s1\nK s2\n')) as Error).message).toMatch(/line 2: access key id K is listed twice/);
    expect(((await startWith('# nothing\n\n')) as Error).message).toMatch(/no keys in the file/);
  });
});
