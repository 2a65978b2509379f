import { describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import type { RawResponse } from '../../support/http.js';

/** PUT, GET, HEAD, a 404 and a list: the traffic every dashboard panel is about. */
async function drive(h: Harness): Promise<RawResponse[]> {
  const out: RawResponse[] = [];
  out.push(await rawRequest(h.url, { method: 'PUT', path: '/obs-bucket/a.txt', headers: { 'content-length': 5 }, body: 'hello' }));
  out.push(await rawRequest(h.url, { method: 'PUT', path: '/obs-bucket/b.txt', headers: { 'content-length': 3 }, body: 'bye' }));
  out.push(await rawRequest(h.url, { path: '/obs-bucket/a.txt' }));
  out.push(await rawRequest(h.url, { method: 'HEAD', path: '/obs-bucket/a.txt' }));
  out.push(await rawRequest(h.url, { path: '/obs-bucket/missing.txt' }));
  out.push(await rawRequest(h.url, { path: '/obs-bucket?list-type=2' }));
  return out;
}

function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const open = line.indexOf('{');
    const labelText = open === -1 ? '' : line.slice(open + 1, line.indexOf('}'));
    if (want.every((w) => labelText.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics after real traffic', () => {
  it('count requests by method, operation and status class, with durations and bytes', async () => {
    const h = await startHarness();
    try {
      const statuses = (await drive(h)).map((r) => r.status);
      expect(statuses).toEqual([200, 200, 200, 200, 404, 200]);
      const text = await (await fetch(`${h.signet.admin!.url}/metrics`)).text();
      const total = (m: string, op: string, c: string) => sample(text, 'signet_requests_total', { method: m, operation: op, status_class: c });
      expect(total('PUT', 'PutObject', '2xx')).toBe(2);
      expect(total('GET', 'GetObject', '2xx')).toBe(1);
      expect(total('HEAD', 'HeadObject', '2xx')).toBe(1);
      expect(total('GET', 'GetObject', '4xx')).toBe(1);
      expect(total('GET', 'ListObjectsV2', '2xx')).toBe(1);
      expect(sample(text, 'signet_request_duration_seconds_count', { operation: 'PutObject' })).toBe(2);
      expect(sample(text, 'signet_upstream_duration_seconds_count', { operation: 'GetObject' })).toBe(2);
      expect(sample(text, 'signet_request_bytes_total', {})).toBe(8);
      expect(sample(text, 'signet_response_bytes_total', {})!).toBeGreaterThanOrEqual(5);
      expect(sample(text, 'signet_requests_in_flight', {})).toBe(0);
      expect(sample(text, 'signet_payload_strategy_total', { strategy: 'buffered' }) ?? sample(text, 'signet_payload_strategy_total', {})).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });
});

describe('request log lines', () => {
  it('write one JSON line per request with the fields operators filter on', async () => {
    const h = await startHarness();
    try {
      const responses = await drive(h);
      const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
      expect(lines).toHaveLength(responses.length);
      for (const line of lines) {
        for (const field of ['reqId', 'method', 'bucket', 'op', 'status', 'bytesIn', 'bytesOut', 'ms', 'payload', 's3RequestId']) {
          expect(line, `field ${field}`).toHaveProperty(field);
        }
        expect(line.bucket).toBe('obs-bucket');
        expect(typeof line.ms).toBe('number');
      }
      expect(lines.map((l) => [l.method, l.op, l.status])).toEqual([
        ['PUT', 'PutObject', 200], ['PUT', 'PutObject', 200], ['GET', 'GetObject', 200], ['HEAD', 'HeadObject', 200],
        ['GET', 'GetObject', 404], ['GET', 'ListObjectsV2', 200],
      ]);
      expect(lines[0]).toMatchObject({ bytesIn: 5 });
      expect(lines[2]).toMatchObject({ bytesOut: 5 });
      // The client's request id header is S3's own, carried into the log for support cases.
      expect(lines[2]!.s3RequestId).toBe(responses[2]!.headers['x-amz-request-id']);
    } finally {
      await h.close();
    }
  });
});

interface LeakRun {
  readonly logs: string[];
  readonly responses: RawResponse[];
  /** Named secrets; signatures signet sent upstream are added once the run is over. */
  readonly secrets: Map<string, string>;
}

/**
 * Every scenario that handles a secret, at debug level and with a session token: plain signing,
 * clients carrying presign/SigV2 parameters and Authorization headers of their own, and an S3 that
 * knows a different secret (SignatureDoesNotMatch, with its diagnosis logged).
 */
async function leakRun(): Promise<LeakRun> {
  const sessionToken = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN/with+slash=' + 'T'.repeat(40);
  const clientSecret = 'CLIENTSIGNATURE' + '0123456789abcdef'.repeat(3);
  const clientSig = 'f'.repeat(24) + 'c0ffee'.repeat(6);
  const h = await startHarness({ logLevel: 'debug', sessionToken });
  const wrong = await startHarness({
    logLevel: 'debug', sessionToken,
    s3: { keys: { lookup: () => ({ secretAccessKey: 'a-different-secret-aaaaaaaaaaaaaaaaaaaaaa', sessionToken }) } },
  });
  const responses: RawResponse[] = [];
  try {
    for (const target of [h, wrong]) {
      responses.push(...(await drive(target)));
      responses.push(await rawRequest(target.url, {
        path: `/obs-bucket/a.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDCLIENT%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=${encodeURIComponent(clientSecret)}&X-Amz-Signature=${clientSig}`,
      }));
      responses.push(await rawRequest(target.url, {
        path: `/obs-bucket/a.txt?AWSAccessKeyId=AKIDCLIENT&Expires=1&Signature=${encodeURIComponent(clientSecret)}`,
      }));
      responses.push(await rawRequest(target.url, {
        path: '/obs-bucket/a.txt',
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=AKIDCLIENT/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${clientSig}`,
          'x-amz-security-token': clientSecret,
        },
      }));
      responses.push(await rawRequest(target.url, { path: '/obs-bucket/a.txt', headers: { authorization: `AWS AKIDCLIENT:${clientSecret}` } }));
    }
  } finally {
    await h.close();
    await wrong.close();
  }
  const secrets = new Map<string, string>([
    ['secret access key', h.keys.secretAccessKey], ['secret access key (2)', wrong.keys.secretAccessKey],
    ['session token', sessionToken], ['client secret', clientSecret], ['client signature', clientSig],
  ]);
  const sent = [...h.s3.requests, ...wrong.s3.requests];
  sent.forEach((r, i) => {
    const sig = /Signature=([0-9a-f]{64})/.exec(r.headers.authorization ?? '')?.[1];
    if (sig !== undefined) secrets.set(`signet's signature #${i}`, sig);
  });
  expect(secrets.size).toBeGreaterThan(15);
  expect(wrong.logs.some((l) => l.includes('S3 answered SignatureDoesNotMatch'))).toBe(true);
  expect(responses.filter((r) => r.body.toString().includes('<Code>SignatureDoesNotMatch</Code>')).length).toBeGreaterThan(3);
  return { logs: [...h.logs, ...wrong.logs], responses, secrets };
}

/** Which named secrets occur (raw or URL-encoded) in which texts. */
function findings(texts: ReadonlyArray<readonly [string, string]>, secrets: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of texts) {
    for (const [name, secret] of secrets) {
      if (text.includes(secret) || text.includes(encodeURIComponent(secret))) found.push(`${name} in ${where}`);
    }
  }
  return found;
}

describe('secrets never leak', () => {
  let run: LeakRun;
  it('into any log line, at debug level', async () => {
    run = await leakRun();
    expect(run.logs.length).toBeGreaterThanOrEqual(run.responses.length);
    expect(findings(run.logs.map((l, i) => [`log line ${i}`, l]), run.secrets)).toEqual([]);
  });

  it('into any response header the client got', () => {
    expect(findings(run.responses.map((r, i) => [`headers of response ${i}`, JSON.stringify(r.headers)]), run.secrets)).toEqual([]);
  });

  // S3's SignatureDoesNotMatch body carries <SignatureProvided> (signet's signature) and
  // <CanonicalRequest>/<StringToSign> with the x-amz-security-token value: forward() hands the
  // client a rewritten body without them (src/s3/client-error-body.ts).
  it('into any response body the client got, SignatureDoesNotMatch bodies included', () => {
    expect(findings(run.responses.map((r, i) => [`body of response ${i}`, r.body.toString()]), run.secrets)).toEqual([]);
  });

  it('still tells the client which S3 error it was', () => {
    expect(run.responses.some((r) => r.body.toString().includes('<Code>SignatureDoesNotMatch</Code>'))).toBe(true);
  });
});
