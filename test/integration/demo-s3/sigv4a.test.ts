import { Hash } from '@smithy/hash-node';
import { SignatureV4a } from '@smithy/signature-v4a';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials, objectBytes, startDemoS3, staticKeys } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { send, tag } from './wire.js';
import type { Creds } from './wire.js';

// The embedded S3 verifies SigV4A (its own key derivation and @smithy/signature-v4's canonical
// request), here against requests signed by @smithy/signature-v4a, the JS SDK's SigV4A signer.

const REGION = 'us-east-1';
const creds = demoCredentials();
let s3: DemoS3;
let host: string;

beforeAll(async () => {
  s3 = await startDemoS3({ region: REGION, keys: staticKeys([creds]) });
  host = new URL(s3.url).host;
});
afterAll(() => s3.close());

async function v4aSend(c: Creds, regionSet: string, method: string, path: string, body?: string) {
  const signer = new SignatureV4a({ credentials: c, region: regionSet, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
  const signed = await signer.sign({ method, protocol: 'http:', hostname: host, path, query: {}, headers: { host }, body }, {});
  return send(s3.url, method, path, signed.headers as Record<string, string>, body);
}

describe('embedded S3 and SigV4A', () => {
  it('accepts SigV4A from @smithy/signature-v4a for its region, `*` and a matching prefix', async () => {
    const made = await v4aSend(creds, '*', 'PUT', '/v4a', undefined);
    expect(made.status, made.body).toBe(200);
    expect((await v4aSend(creds, REGION, 'PUT', '/v4a/a.txt', 'one')).status).toBe(200);
    expect((await v4aSend(creds, 'eu-west-1,us-*', 'PUT', '/v4a/b.txt', 'two')).status).toBe(200);
    expect(objectBytes(s3.buckets.get('v4a')?.objects.get('b.txt') ?? { parts: [] }).toString()).toBe('two');
    const get = await v4aSend(creds, '*', 'GET', '/v4a/a.txt');
    expect(get.status).toBe(200);
    expect(get.body).toBe('one');
  });

  it('refuses a signature made with another secret', async () => {
    const res = await v4aSend({ ...creds, secretAccessKey: creds.secretAccessKey.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) }, '*', 'GET', '/v4a/a.txt');
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('SignatureDoesNotMatch');
    expect(tag(res.body, 'StringToSign')).toMatch(/^AWS4-ECDSA-P256-SHA256\n\d{8}T\d{6}Z\n\d{8}\/s3\/aws4_request\n[0-9a-f]{64}$/);
  });

  it('refuses a region set that leaves its region out', async () => {
    const res = await v4aSend(creds, 'us-west-2,eu-west-1', 'GET', '/v4a/a.txt');
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('AccessDenied');
  });

  it('refuses a region set changed after signing', async () => {
    const signer = new SignatureV4a({ credentials: creds, region: 'us-east-1', service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
    const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: host, path: '/v4a/a.txt', query: {}, headers: { host } }, {});
    const res = await send(s3.url, 'GET', '/v4a/a.txt', { ...(signed.headers as Record<string, string>), 'x-amz-region-set': '*' });
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('SignatureDoesNotMatch');
  });

  it('refuses a garbled signature and a credential with a region in it, without crashing', async () => {
    const signer = new SignatureV4a({ credentials: creds, region: '*', service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
    const signed = (await signer.sign({ method: 'GET', protocol: 'http:', hostname: host, path: '/v4a/a.txt', query: {}, headers: { host } }, {})).headers as Record<string, string>;
    const auth = signed['authorization'] as string;
    for (const bad of [auth.replace(/Signature=\w+/, 'Signature=30' + 'f'.repeat(20)), auth.replace(/Signature=\w+/, 'Signature=zz'), auth.replace('/s3/aws4_request', `/${REGION}/s3/aws4_request`)]) {
      const res = await send(s3.url, 'GET', '/v4a/a.txt', { ...signed, authorization: bad });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect((await v4aSend(creds, '*', 'GET', '/v4a/a.txt')).status).toBe(200);
  });
});
