import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, DeleteObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { errorCode, signedCall, signFor } from './signed-client.js';

// DeleteObjects checked per key: every <Key> of the body against the client's policy.
const TEAM = { accessKeyId: 'DELTEAM', secretAccessKey: 'delete-team-secret-abcdefghijkl' };
const VERSIONS = { accessKeyId: 'DELVERSIONS', secretAccessKey: 'delete-versions-secret-abcdefg' };
const ANYKEY = { accessKeyId: 'DELANYKEY', secretAccessKey: 'delete-any-key-secret-abcdefgh' };
let h: Harness;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-delete-'));
  const file = join(dir, 'clients.yaml');
  writeFileSync(file, [
    'clients:',
    `  - accessKeyId: ${TEAM.accessKeyId}`, `    secret: ${TEAM.secretAccessKey}`, '    name: team',
    '    buckets: ["del-*"]', '    keys: ["tmp/*"]', '    actions: ["read-only", "s3:PutObject", "s3:DeleteObject"]',
    `  - accessKeyId: ${VERSIONS.accessKeyId}`, `    secret: ${VERSIONS.secretAccessKey}`, '    name: versions',
    '    buckets: ["del-*"]', '    keys: ["tmp/*"]', '    actions: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]',
    `  - accessKeyId: ${ANYKEY.accessKeyId}`, `    secret: ${ANYKEY.secretAccessKey}`, '    name: any-key',
    '    actions: ["s3:PutObject", "s3:DeleteObject"]',
    '',
  ].join('\n'));
  h = await startHarness({ args: ['--inbound-keys', file], s3: { autoCreateBuckets: true } });
});
afterAll(async () => {
  await h.close();
});

const client = (creds: typeof TEAM) => new S3Client({ endpoint: h.url, forcePathStyle: true, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
const stored = (bucket: string, key: string): boolean => h.s3.buckets.get(bucket)?.objects.has(key) === true;

async function putAll(creds: typeof TEAM, bucket: string, keys: string[]): Promise<void> {
  const c = client(creds);
  for (const Key of keys) await c.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));
  c.destroy();
}

/** A signed DeleteObjects with the body as given (the client's x-amz-content-sha256 covers it). */
function deleteBody(creds: typeof TEAM, bucket: string, body: string, headers: Record<string, string> = {}) {
  return signedCall(h.url, creds, { method: 'POST', path: `/${bucket}`, query: { delete: '' }, body, headers });
}

describe('DeleteObjects under a key policy', () => {
  it('deletes when every key is allowed (the SDK, escapes and all)', async () => {
    const keys = ['tmp/a', 'tmp/b & c', 'tmp/<d>', "tmp/line\nbreak", 'tmp/ünï'];
    await putAll(TEAM, 'del-one', keys);
    const c = client(TEAM);
    const out = await c.send(new DeleteObjectsCommand({ Bucket: 'del-one', Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    c.destroy();
    expect(out.Deleted?.map((d) => d.Key).sort()).toEqual([...keys].sort());
    for (const k of keys) expect(stored('del-one', k)).toBe(false);
  });

  it('refuses the whole request with 403 when one key is not allowed, without contacting S3', async () => {
    await putAll(ANYKEY, 'del-two', ['tmp/a', 'keep/secret']);
    const before = h.s3.requests.length;
    const c = client(TEAM);
    const err: unknown = await c.send(new DeleteObjectsCommand({ Bucket: 'del-two', Delete: { Objects: [{ Key: 'tmp/a' }, { Key: 'keep/secret' }] } })).catch((e: unknown) => e);
    c.destroy();
    expect(err).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(h.s3.requests.length).toBe(before);
    expect(stored('del-two', 'tmp/a')).toBe(true);
    expect(stored('del-two', 'keep/secret')).toBe(true);
  });

  it('needs s3:DeleteObjectVersion for an entry that names a version', async () => {
    const body = '<Delete><Object><Key>tmp/v</Key><VersionId>3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</VersionId></Object></Delete>';
    const denied = await deleteBody(TEAM, 'del-three', body);
    expect(denied.status).toBe(403);
    expect(errorCode(denied)).toBe('AccessDenied');
    await putAll(VERSIONS, 'del-three', ['tmp/v']);
    const allowed = await deleteBody(VERSIONS, 'del-three', body);
    expect(allowed.status).toBe(200);
    // Every key of the bucket is not every version: ANYKEY lacks s3:DeleteObjectVersion.
    expect((await deleteBody(ANYKEY, 'del-three', body)).status).toBe(403);
    expect((await deleteBody(ANYKEY, 'del-three', '<Delete><Object><Key>tmp/v</Key></Object></Delete>')).status).toBe(200);
    // The single-object DeleteObject follows the same rule for its versionId.
    const c = client(ANYKEY);
    const before = h.s3.requests.length;
    const err: unknown = await c.send(new DeleteObjectCommand({ Bucket: 'del-three', Key: 'tmp/v', VersionId: 'v1' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(h.s3.requests.length).toBe(before);
    await c.send(new DeleteObjectCommand({ Bucket: 'del-three', Key: 'tmp/v' }));
    c.destroy();
  });

  it('answers 400 MalformedXML for a body it cannot read as S3 would, and the connection is not left hanging', async () => {
    for (const body of [
      '<Delete><Object><Key>tmp/a</Key></Object>',
      '<!DOCTYPE x [<!ENTITY e "tmp/">]><Delete><Object><Key>&e;a</Key></Object></Delete>',
      '<Delete><Object><Key>tmp/a</Key><Key>keep/b</Key></Object></Delete>',
      'not xml at all',
    ]) {
      const res = await deleteBody(TEAM, 'del-four', body);
      expect(res.status, body).toBe(400);
      expect(errorCode(res)).toBe('MalformedXML');
    }
  });

  it('refuses an oversized body with 413 EntityTooLarge before reading it', async () => {
    const headers = await signFor(h.url, TEAM, {
      method: 'POST', path: '/del-five', query: { delete: '' }, payloadHash: 'UNSIGNED-PAYLOAD', headers: { 'content-length': String(3 * 1024 * 1024) },
    });
    // Expect: 100-continue, and no body sent: the answer must come without it.
    const res = await rawRequest(h.url, { method: 'POST', path: '/del-five?delete=', headers: { ...headers, expect: '100-continue' }, body: Buffer.alloc(0), waitForContinue: true });
    expect(res.status).toBe(413);
    expect(errorCode(res)).toBe('EntityTooLarge');
    expect(res.informational).toEqual([]);
  });

  it('refuses a chunked body that grows past the limit, and one too large for S3\'s 1000 keys', async () => {
    const big = '<Delete>' + '<Object><Key>tmp/a</Key></Object>'.repeat(80_000) + '</Delete>';
    const headers = await signFor(h.url, TEAM, { method: 'POST', path: '/del-six', query: { delete: '' }, payloadHash: 'UNSIGNED-PAYLOAD', headers: { 'transfer-encoding': 'chunked' } });
    const res = await rawRequest(h.url, { method: 'POST', path: '/del-six?delete=', headers, body: [Buffer.from(big)] });
    expect(res.status).toBe(413);
    const thousandAndOne = '<Delete>' + '<Object><Key>tmp/a</Key></Object>'.repeat(1001) + '</Delete>';
    const over = await deleteBody(TEAM, 'del-six', thousandAndOne);
    expect(over.status).toBe(400);
    expect(errorCode(over)).toBe('MalformedXML');
  });

  it('forwards the exact bytes the client signed: a body changed after signing is refused by the hash', async () => {
    await putAll(TEAM, 'del-seven', ['tmp/a']);
    const signedBody = '<Delete><Object><Key>tmp/a</Key></Object></Delete>';
    const headers = await signFor(h.url, TEAM, { method: 'POST', path: '/del-seven', query: { delete: '' }, body: signedBody });
    const swapped = '<Delete><Object><Key>tmp/b</Key></Object></Delete>';
    const res = await rawRequest(h.url, { method: 'POST', path: '/del-seven?delete=', headers, body: swapped });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('XAmzContentSHA256Mismatch');
    expect(stored('del-seven', 'tmp/a')).toBe(true);
  });
});
