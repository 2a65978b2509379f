import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { errorCode, heldPut, signedCall } from './signed-client.js';
import { eventually } from './slow-upload.js';

// Reloads in process: a rotated secretFile, ranges and limits changed by a reload.
const ROTATED = { accessKeyId: 'ROTATED', secretAccessKey: 'rotated-secret-one-abcdefghijkl' };
const ROTATED_NEXT = { accessKeyId: 'ROTATED', secretAccessKey: 'rotated-secret-two-abcdefghijkl' };
const LIMITED = { accessKeyId: 'LIMITEDRELOAD', secretAccessKey: 'limited-reload-secret-abcdefgh' };
let h: Harness;
let dir: string;

function keys(limitedExtra: string): string {
  return [
    'clients:',
    `  - accessKeyId: ${ROTATED.accessKeyId}`, `    secretFile: ${join(dir, 'secrets', 'rotated')}`, '    name: rotated',
    `  - accessKeyId: ${LIMITED.accessKeyId}`, `    secret: ${LIMITED.secretAccessKey}`, '    name: limited', limitedExtra, '',
  ].join('\n');
}

function replace(path: string, text: string): void {
  writeFileSync(path + '.new', text);
  renameSync(path + '.new', path);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-gw-reload-'));
  // The secret lives in another directory, as a mounted Secret would.
  const secrets = join(dir, 'secrets');
  mkdirSync(secrets);
  writeFileSync(join(secrets, 'rotated'), ROTATED.secretAccessKey + '\n');
  writeFileSync(join(dir, 'keys.yaml'), keys('    maxConcurrent: 1'));
  h = await startHarness({ args: ['--inbound-keys', join(dir, 'keys.yaml')], s3: { autoCreateBuckets: true } });
});
afterAll(async () => {
  await h.close();
});

const reloads = (): number => h.logs.filter((l) => l.includes('"inbound keys reloaded"')).length;

describe('reload in place', () => {
  it('follows a rotated secretFile: the old secret stops working, the new one works', async () => {
    expect((await signedCall(h.url, ROTATED, { path: '/gw-reload/none' })).status).toBe(404);
    replace(join(dir, 'secrets', 'rotated'), ROTATED_NEXT.secretAccessKey + '\n');
    await eventually(async () => (await signedCall(h.url, ROTATED_NEXT, { path: '/gw-reload/none' })).status === 404, 10_000, 'the new secret');
    const old = await signedCall(h.url, ROTATED, { path: '/gw-reload/none' });
    expect(old.status).toBe(403);
    expect(errorCode(old)).toBe('SignatureDoesNotMatch');
    expect(h.logs.join('\n')).not.toContain(ROTATED_NEXT.secretAccessKey);
  });

  it('keeps a client\'s requests in flight counted across a reload, and applies new ranges at once', async () => {
    const held = await heldPut(h.url, LIMITED, '/gw-reload/held');
    await eventually(async () => (await signedCall(h.url, LIMITED, { path: '/gw-reload/held' })).status === 503, 5000, 'the slot to be taken');
    // Raising the limit keeps the one in flight: one more is admitted, not two.
    replace(join(dir, 'keys.yaml'), keys('    maxConcurrent: 2'));
    await eventually(async () => reloads() === 2, 10_000, 'the reload');
    const second = await heldPut(h.url, LIMITED, '/gw-reload/held-2');
    await eventually(async () => (await signedCall(h.url, LIMITED, { path: '/gw-reload/held' })).status === 503, 5000, 'both slots to be taken');
    held.finish();
    second.finish();
    expect(await held.response).toMatch(/^HTTP\/1\.1 200/);
    expect(await second.response).toMatch(/^HTTP\/1\.1 200/);
    await eventually(async () => (await signedCall(h.url, LIMITED, { path: '/gw-reload/held' })).status === 200, 5000, 'the slots to come back');
    // Ranges that no longer hold 127.0.0.1: refused from the next request on.
    replace(join(dir, 'keys.yaml'), keys('    sourceCidrs: ["192.0.2.0/24"]'));
    await eventually(async () => (await signedCall(h.url, LIMITED, { path: '/gw-reload/held' })).status === 403, 10_000, 'the new ranges');
  });
});
