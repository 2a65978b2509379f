import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { demoCredentials, staticKeys, startDemoS3 } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { createAccessLog, createLogger } from '../../../src/observability/index.js';
import { startSignet } from '../../../src/server/signet.js';
import type { RunningSignet } from '../../../src/server/signet.js';
import { rawRequest } from '../../support/http.js';

// One route signs SigV4A (a Multi-Region Access Point), the other SigV4, in one signet; the
// embedded S3 verifies both (SigV4A with its own key derivation and smithy's canonical request).
const keys = demoCredentials();
let s3: DemoS3;
let signet: RunningSignet;
beforeAll(async () => {
  s3 = await startDemoS3({ region: 'us-east-1', keys: staticKeys([keys]), record: true, autoCreateBuckets: true });
  const dir = mkdtempSync(join(tmpdir(), 'signet-v4a-route-'));
  const file = join(dir, 'signet.yaml');
  writeFileSync(file, [
    'routes:',
    `  - { name: mrap, match: { buckets: ["mrap-*"] }, upstream: "${s3.url}", signingAlgorithm: sigv4a, regionSet: "*" }`,
    `  - { name: plain, upstream: "${s3.url}" }`,
    '',
  ].join('\n'));
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  signet = await startSignet(loadConfig(['--region', 'us-east-1', '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--config', file], {}), {
    logger: createLogger({ level: 'info', destination: sink }), accessLog: createAccessLog('info', sink),
    fetchCredentials: async () => ({ credentials: { ...keys }, source: 'test' }),
  });
});
afterAll(async () => {
  await signet.close();
  await s3.close();
});

describe('a SigV4A route beside a SigV4 one', () => {
  it('signs each route with its own algorithm', async () => {
    for (const path of ['/mrap-data/a.txt', '/plain-data/b.txt']) {
      const put = await rawRequest(signet.proxy.url, { method: 'PUT', path, headers: { 'content-length': 5 }, body: 'hello' });
      expect(put.status, put.body.toString()).toBe(200);
    }
    const auth = (prefix: string): string => s3.requests.find((r) => r.method === 'PUT' && r.rawPath.startsWith(prefix))!.headers['authorization']!;
    expect(auth('/mrap-data/')).toMatch(/^AWS4-ECDSA-P256-SHA256 Credential=\w+\/\d{8}\/s3\/aws4_request, SignedHeaders=[^,]*x-amz-region-set/);
    expect(s3.requests.find((r) => r.rawPath.startsWith('/mrap-data/'))!.headers['x-amz-region-set']).toBe('*');
    expect(auth('/plain-data/')).toMatch(/^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/us-east-1\/s3\/aws4_request/);
  });
});
