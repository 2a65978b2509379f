import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials, startDemoS3, staticKeys } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { startHarness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { headerRewritingHop } from './middlebox.js';
import { metricValue } from './scope.js';
import { signetFor } from './stubborn-upstreams.js';

const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN/with+base64==chars';

interface LogLine {
  level: number;
  msg: string;
  summary?: string;
  differences?: Array<{ line: number; section: string; name?: string; ours: string; theirs: string }>;
}

/** Secrets that must never reach a log: the secret key, the session token, every signature sent. */
function leaks(logs: string[], secrets: string[]): string[] {
  return logs.filter((line) => secrets.some((s) => s !== '' && line.includes(s)));
}

function signaturesSent(s3: DemoS3): string[] {
  return s3.requests.map((r) => /Signature=([0-9a-f]{64})/.exec(r.headers['authorization'] ?? '')?.[1] ?? '');
}

describe('SignatureDoesNotMatch explained', () => {
  const keys = { ...demoCredentials(), sessionToken: SESSION_TOKEN };
  let s3: DemoS3;
  let hop: Awaited<ReturnType<typeof headerRewritingHop>>;
  let proxy: Awaited<ReturnType<typeof signetFor>>;
  beforeAll(async () => {
    s3 = await startDemoS3({ region: 'us-east-1', keys: staticKeys([keys]), record: true });
    hop = await headerRewritingHop(s3.url, 'x-amz-meta-color', () => 'blue');
    proxy = await signetFor(hop.url, [], keys);
  });
  afterAll(async () => {
    await proxy.signet.close();
    await hop.close();
    await s3.close();
  });

  it('logs one warning naming the canonical-request line that differs, with nothing secret in any log line', async () => {
    const res = await rawRequest(proxy.url, {
      method: 'PUT', path: '/paint/door', headers: { 'content-length': 4, 'x-amz-meta-color': 'red' }, body: 'door',
    });
    expect(res.status).toBe(403);
    expect(res.body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const warnings = proxy.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    const w = warnings[0]!;
    expect(w.msg).toBe('S3 answered SignatureDoesNotMatch');
    expect(w.summary).toBe("header x-amz-meta-color differs: ours 'red' vs S3 'blue'");
    expect(w.differences).toHaveLength(1);
    expect(w.differences![0]).toMatchObject({ section: 'header', name: 'x-amz-meta-color', ours: 'red', theirs: 'blue' });
    // Line 4 is the first header line (method, URI, query come first); the headers are sorted.
    expect(w.differences![0]!.line).toBeGreaterThanOrEqual(4);
    expect(signaturesSent(s3)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(leaks(proxy.logs, [keys.secretAccessKey, SESSION_TOKEN, ...signaturesSent(s3)])).toEqual([]);
  });

  it('counts every mismatch but warns at most once per interval', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await rawRequest(proxy.url, { method: 'PUT', path: '/paint/wall', headers: { 'content-length': 1, 'x-amz-meta-color': 'green' }, body: 'w' });
      expect(res.status).toBe(403);
    }
    expect(proxy.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.level === 40)).toHaveLength(1);
    const text = await proxy.signet.metrics.registry.metrics();
    expect(metricValue(text, 'signet_upstream_errors_total{code="SignatureDoesNotMatch"}')).toBe(3);
    expect(metricValue(text, 'signet_signature_mismatch_total')).toBe(3);
  });

  it('blames the signing key when S3 computed the same canonical request (a secret that differs from S3\'s)', async () => {
    const h = await startHarness({
      sessionToken: SESSION_TOKEN,
      s3: { keys: { lookup: () => ({ secretAccessKey: 'not-the-secret-signet-holds', sessionToken: SESSION_TOKEN }) } },
    });
    try {
      const res = await rawRequest(h.url, { path: '/keys/obj' });
      expect(res.status).toBe(403);
      const w = h.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l.level === 40)!;
      expect(w.summary).toContain('signing key differs');
      expect(w.differences).toEqual([]);
      expect(leaks(h.logs, [h.keys.secretAccessKey, 'not-the-secret-signet-holds', SESSION_TOKEN, ...signaturesSent(h.s3)])).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
