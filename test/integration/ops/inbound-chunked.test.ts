import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { createAwsChunkedEncoder } from '../../../src/sigv4/aws-chunked-encoder.js';
import { awsChunkedEncodedLength } from '../../../src/sigv4/aws-chunked-length.js';
import { signRequest } from '../../../src/sigv4/signer.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';

// Gateway mode knows the client's key, so a client's signed aws-chunked body is checked chunk by
// chunk (the chain is the one proven on AWS's published vector in test/unit/sigv4).
const CLIENT = { accessKeyId: 'GATEWAYCHUNKED1', secretAccessKey: 'client-chunked-secret/+abcdefghijklmn' };
let h: Harness;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-inbound-chunked-'));
  writeFileSync(join(dir, 'keys'), `${CLIENT.accessKeyId} ${CLIENT.secretAccessKey}\n`);
  h = await startHarness({ args: ['--inbound-keys', join(dir, 'keys'), '--upstream-capabilities', 'all'] });
});
afterAll(async () => {
  await h.close();
});

async function signedChunkedPut(key: string, data: Buffer, tamper: boolean) {
  const host = new URL(h.url).host;
  const path = `/gw-bucket/${key}`;
  const layout = { mode: 'signed' as const, chunkSize: 16 * 1024 };
  const encodedLength = awsChunkedEncodedLength(data.length, layout);
  const headers = {
    host, 'content-encoding': 'aws-chunked', 'content-length': String(encodedLength), 'x-amz-decoded-content-length': String(data.length),
  };
  const signed = signRequest({ method: 'PUT', path, query: [], headers }, {
    credentials: CLIENT, region: 'us-east-1', service: 's3', date: new Date(), payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  });
  const encoder = createAwsChunkedEncoder({
    ...layout, decodedLength: data.length,
    signed: { signingKey: signed.signingKey, amzDate: signed.amzDate, scope: signed.scope, seedSignature: signed.signature },
  });
  const parts: Buffer[] = [];
  encoder.on('data', (c: Buffer) => parts.push(Buffer.from(c)));
  encoder.end(data);
  await new Promise((r) => encoder.on('end', r));
  const wire = Buffer.concat(parts);
  if (tamper) wire.writeUInt8(wire.readUInt8(wire.length - 200) ^ 1, wire.length - 200); // a data byte of the last chunk, after it was signed
  return rawRequest(h.url, {
    method: 'PUT', path,
    headers: { ...headers, 'x-amz-date': signed.amzDate, 'x-amz-content-sha256': signed.payloadHash, authorization: signed.authorization },
    body: wire,
  });
}

describe('gateway mode with a client that sends signed aws-chunked', () => {
  it('verifies every chunk signature with the client key and stores the decoded data', async () => {
    const data = randomBytes(50_000);
    const res = await signedChunkedPut('chunked-ok', data, false);
    expect(res.status).toBe(200);
    expect(objectBytes(h.s3.buckets.get('gw-bucket')!.objects.get('chunked-ok')!).equals(data)).toBe(true);
  });

  it('refuses a body altered after it was signed, and stores nothing', async () => {
    const res = await signedChunkedPut('chunked-tampered', randomBytes(50_000), true);
    expect(res.status).toBe(403);
    expect(res.body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(h.s3.buckets.get('gw-bucket')?.objects.get('chunked-tampered')).toBeUndefined();
  });
});
