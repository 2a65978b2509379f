import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { errorCode, heldPut, signedCall, signFor } from './signed-client.js';
import { eventually } from './slow-upload.js';

// Per-client source ranges and limits from --inbound-keys, checked before the body is read.
const LOCAL = { accessKeyId: 'SRCLOCAL', secretAccessKey: 'source-local-secret-abcdefghij' };
const REMOTE = { accessKeyId: 'SRCREMOTE', secretAccessKey: 'source-remote-secret-abcdefghi' };
const SERIAL = { accessKeyId: 'ONEATATIME', secretAccessKey: 'one-at-a-time-secret-abcdefgh' };
const SLOW = { accessKeyId: 'TWOPERHOUR', secretAccessKey: 'two-per-hour-secret-abcdefghij' };
let h: Harness;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-limits-'));
  const file = join(dir, 'clients.yaml');
  writeFileSync(file, [
    'clients:',
    `  - accessKeyId: ${LOCAL.accessKeyId}`, `    secret: ${LOCAL.secretAccessKey}`, '    name: local',
    '    sourceCidrs: ["2001:db8::/32", "127.0.0.0/8"]',
    `  - accessKeyId: ${REMOTE.accessKeyId}`, `    secret: ${REMOTE.secretAccessKey}`, '    name: remote',
    '    sourceCidrs: ["10.0.0.0/8", "::1/128"]',
    `  - accessKeyId: ${SERIAL.accessKeyId}`, `    secret: ${SERIAL.secretAccessKey}`, '    name: serial', '    maxConcurrent: 1',
    // 2 at once, then one every 1000 s: the third request is refused however slow the machine.
    `  - accessKeyId: ${SLOW.accessKeyId}`, `    secret: ${SLOW.secretAccessKey}`, '    name: slow', '    requestsPerSecond: 0.001', '    burst: 2',
    '',
  ].join('\n'));
  h = await startHarness({ args: ['--inbound-keys', file], s3: { autoCreateBuckets: true } });
});
afterAll(async () => {
  await h.close();
});

async function metric(pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${h.signet.admin!.url}/metrics`)).text();
  const m = pattern.exec(text);
  return m === null ? 0 : Number(m[1]);
}

describe('sourceCidrs', () => {
  it('admits a client from inside its ranges (the TCP peer 127.0.0.1)', async () => {
    const res = await signedCall(h.url, LOCAL, { method: 'PUT', path: '/src/one', body: 'from loopback' });
    expect(res.status).toBe(200);
  });

  it('refuses a client from outside them with 403 before the body is read, X-Forwarded-For notwithstanding', async () => {
    const before = h.s3.requests.length;
    const spoofs: Array<Record<string, string>> = [{}, { 'x-forwarded-for': '10.1.2.3' }, { forwarded: 'for=10.1.2.3' }, { 'x-real-ip': '10.1.2.3' }];
    for (const headers of spoofs) {
      const res = await signedCall(h.url, REMOTE, { method: 'PUT', path: '/src/two', body: 'from loopback', headers });
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe('AccessDenied');
    }
    expect(h.s3.requests.length).toBe(before);
    const line = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request').at(-1)!;
    expect(line).toMatchObject({ client: 'remote', status: 403, error: 'AccessDenied' });
  });
});

describe('maxConcurrent', () => {
  it('answers 503 SlowDown with Retry-After while the client has its maximum in flight, and admits again once it finished', async () => {
    const held = await heldPut(h.url, SERIAL, '/lim/held');
    await eventually(async () => (await signedCall(h.url, SERIAL, { path: '/lim/held' })).status === 503, 5000, 'the slot to be taken');
    const refused = await signedCall(h.url, SERIAL, { method: 'PUT', path: '/lim/other', body: 'refused before its body is read' });
    expect(refused.status).toBe(503);
    expect(errorCode(refused)).toBe('SlowDown');
    expect(refused.headers['retry-after']).toBe('1');
    // Other clients are not affected.
    expect((await signedCall(h.url, LOCAL, { path: '/src/one' })).status).toBe(200);
    held.finish();
    expect(await held.response).toMatch(/^HTTP\/1\.1 200/);
    await eventually(async () => (await signedCall(h.url, SERIAL, { path: '/lim/held' })).status === 200, 5000, 'the slot to come back');
  });

  it('gets the slot back when the client hangs up mid-body (499) and after an error answer', async () => {
    const held = await heldPut(h.url, SERIAL, '/lim/abandoned');
    await eventually(async () => (await signedCall(h.url, SERIAL, { path: '/lim/held' })).status === 503, 5000, 'the slot to be taken');
    held.socket.destroy();
    await eventually(async () => (await signedCall(h.url, SERIAL, { path: '/lim/held' })).status === 200, 5000, 'the slot to come back after the abort');
    // A 404 from S3 and a 403 from the policy both release.
    expect((await signedCall(h.url, SERIAL, { path: '/lim/missing' })).status).toBe(404);
    expect((await signedCall(h.url, SERIAL, { path: '/lim/held' })).status).toBe(200);
  });

  it('keeps the connection usable: a refused keep-alive GET leaves the socket open for the next request', async () => {
    const held = await heldPut(h.url, SERIAL, '/lim/held2');
    await eventually(async () => (await signedCall(h.url, SERIAL, { path: '/lim/held' })).status === 503, 5000, 'the slot to be taken');
    const first = await fetch(h.url + '/lim/held', { headers: await signFor(h.url, SERIAL, { path: '/lim/held' }) });
    expect(first.status).toBe(503);
    await first.text();
    held.finish();
    await held.response;
    const second = await fetch(h.url + '/lim/held', { headers: await signFor(h.url, SERIAL, { path: '/lim/held' }) });
    expect(second.status).toBe(200);
    await second.text();
  });
});

describe('requestsPerSecond', () => {
  it('admits the burst, then answers 503 SlowDown with the seconds until the next token', async () => {
    expect((await signedCall(h.url, SLOW, { method: 'PUT', path: '/rate/a', body: 'a' })).status).toBe(200);
    expect((await signedCall(h.url, SLOW, { path: '/rate/a' })).status).toBe(200);
    const refused = await signedCall(h.url, SLOW, { method: 'PUT', path: '/rate/b', body: 'b' });
    expect(refused.status).toBe(503);
    expect(errorCode(refused)).toBe('SlowDown');
    // One token every 1/0.001 s = 1000 s; a few seconds may have refilled a little of it.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(900);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(1000);
  });

  it('counts refusals by client name and reason', async () => {
    expect(await metric(/signet_client_throttled_total\{client="slow",reason="rate"\} (\d+)/)).toBe(1);
    expect(await metric(/signet_client_throttled_total\{client="serial",reason="concurrency"\} (\d+)/)).toBeGreaterThanOrEqual(3);
    const text = await (await fetch(`${h.signet.admin!.url}/metrics`)).text();
    expect(text).not.toContain(SLOW.accessKeyId);
  });
});
