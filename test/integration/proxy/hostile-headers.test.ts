import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { socketExchange } from '../../support/raw-socket.js';

// Header names and framings a client chooses, each a 4xx/5xx of its own request and nothing more.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ s3: { autoCreateBuckets: true } });
});
afterAll(async () => {
  await h.close();
});

describe('hostile headers', () => {
  it('forwards a header named constructor as a plain header, not as Object internals', async () => {
    const res = await socketExchange(h.url, 'GET /proto-bucket/none HTTP/1.1\r\nHost: x\r\nconstructor: c1\r\n\r\n');
    expect(res.status).toBe(404);
    const seen = h.s3.requests.at(-1)!;
    expect(JSON.stringify(seen)).not.toContain('function Object');
  });

  it('refuses two Host headers with 400, S3 not contacted', async () => {
    const before = h.s3.requests.length;
    const res = await socketExchange(h.url, 'GET /b/k HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n');
    expect(res.status).toBe(400);
    expect(h.s3.requests.length).toBe(before);
  });

  it('refuses a Transfer-Encoding other than chunked with 501', async () => {
    const before = h.s3.requests.length;
    const res = await socketExchange(h.url, 'PUT /b/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', Buffer.from('2\r\nhi\r\n0\r\n\r\n'));
    expect(res.status).toBe(501);
    expect(h.s3.requests.length).toBe(before);
  });
});
