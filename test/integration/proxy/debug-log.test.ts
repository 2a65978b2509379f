import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN/+=0123456789abcdef';

describe('debug logging of what signet signed', () => {
  it('logs the canonical request and string to sign, with the session token masked', async () => {
    h = await startHarness({ logLevel: 'debug', sessionToken: TOKEN });
    const res = await rawRequest(h.url, { method: 'PUT', path: '/bkt/dbg%20key', headers: { 'content-length': 2, 'x-amz-meta-a': 'b' }, body: 'hi' });
    expect(res.status).toBe(200);
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'signed');
    expect(lines).toHaveLength(1);
    const creq = String(lines[0]!.canonicalRequest);
    expect(creq.split('\n').slice(0, 2)).toEqual(['PUT', '/bkt/dbg%20key']);
    expect(creq).toContain('x-amz-meta-a:b\n');
    expect(creq).toContain('x-amz-security-token:[REDACTED]\n');
    expect(String(lines[0]!.stringToSign)).toMatch(/^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it('logs nothing of the kind at info level', async () => {
    h = await startHarness({ sessionToken: TOKEN });
    await rawRequest(h.url, { path: '/bkt/x' });
    expect(h.logs.some((l) => l.includes('"msg":"signed"'))).toBe(false);
  });

  it('masks SSE-C customer keys in the signed-request debug line and in the SignatureDoesNotMatch diagnosis', async () => {
    h = await startHarness({ logLevel: 'debug' });
    const key = Buffer.alloc(32, 7).toString('base64');
    const copyKey = Buffer.alloc(32, 9).toString('base64');
    const sse = {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': key,
      'x-amz-copy-source-server-side-encryption-customer-key': copyKey,
    };
    await rawRequest(h.url, { method: 'PUT', path: '/bkt/ssec', headers: { 'content-length': 2, ...sse }, body: 'hi' });
    // The upstream refuses the signature: signet's diagnosis prints what it signed.
    h.s3.faults.nextResponses = [{ status: 403, code: 'SignatureDoesNotMatch' }];
    const refused = await rawRequest(h.url, { path: '/bkt/ssec', headers: sse });
    expect(refused.status).toBe(403);
    const all = h.logs.join('\n');
    expect(all).toContain('x-amz-server-side-encryption-customer-algorithm:AES256');
    expect(all).not.toContain(key);
    expect(all).not.toContain(copyKey);
    expect(all).not.toContain(encodeURIComponent(key));
    expect(h.logs.filter((l) => l.includes('customer-key:')).length).toBeGreaterThanOrEqual(2);
  });
});
