import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../src/demo/index.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { AWS_CLI, clientHome, clientMissing, md5, patternFile, runClient, runPiped } from '../support/real-clients.js';
import type { ClientHome } from '../support/real-clients.js';

// Debian's AWS CLI v2 through signet to the embedded S3 (which verifies signet's signatures with
// @smithy/signature-v4). The store takes single PUTs up to 12 MiB, standing in for S3's 5 GiB, and
// signet converts PUTs above 12 MiB to multipart: the ">5 GiB" rule shown at small sizes.

const missing = clientMissing(AWS_CLI, 'awscli', 'SIGNET_TEST_AWS');
if (missing !== null) console.warn(`skipping the AWS CLI tests: ${missing}`);

const MiB = 1024 * 1024;
const LIMIT = 12 * MiB;
const OVER = 13 * MiB;
const dir = mkdtempSync(join(tmpdir(), 'signet-aws-cli-'));

/** The AWS CLI with its own config; `--endpoint-url` is signet on loopback. */
function cli(home: ClientHome, endpoint: string) {
  return (...args: string[]) => runClient(AWS_CLI, ['--endpoint-url', endpoint, ...args], home.env);
}

function stored(h: Harness, bucket: string, key: string) {
  return h.s3.buckets.get(bucket)?.objects.get(key);
}

describe.skipIf(missing !== null)('the AWS CLI through signet (sidecar: its signature is replaced)', () => {
  let h: Harness;
  let plain: Harness;
  let home: ClientHome;
  let aws: ReturnType<typeof cli>;
  const files: Record<string, { path: string; md5: string }> = {};
  beforeAll(async () => {
    h = await startHarness({ args: ['--multipart-threshold', '12MiB'], s3: { maxPutObjectSize: LIMIT } });
    plain = await startHarness({ s3: { maxPutObjectSize: LIMIT } });
    home = clientHome(h.url, { accessKeyId: 'DUMMYCLIKEY', secretAccessKey: 'dummy-cli-secret' });
    aws = cli(home, h.url);
    for (const [name, size] of [['small', 3 * MiB + 7], ['over', OVER], ['piped', 20 * MiB + 3]] as const) {
      const path = join(dir, name);
      files[name] = { path, md5: await patternFile(path, size) };
    }
  });
  afterAll(async () => {
    await h?.close();
    await plain?.close();
  });

  it('aws s3 cp - from a pipe: small (one PutObject) and 20 MiB (the CLI\'s own multipart), read back identical', async () => {
    const small = await runPiped(`cat '${files.small!.path}'`, AWS_CLI, ['--endpoint-url', h.url, 's3', 'cp', '-', 's3://cli-bucket/piped/small'], home.env);
    expect(small, small.stderr).toMatchObject({ code: 0 });
    const big = await runPiped(`cat '${files.piped!.path}'`, AWS_CLI, ['--endpoint-url', h.url, 's3', 'cp', '-', 's3://cli-bucket/piped/big'], home.env);
    expect(big, big.stderr).toMatchObject({ code: 0 });
    expect(md5(objectBytes(stored(h, 'cli-bucket', 'piped/small')!))).toBe(files.small!.md5);
    expect(md5(objectBytes(stored(h, 'cli-bucket', 'piped/big')!))).toBe(files.piped!.md5);
    // Downloaded by the CLI through signet too.
    const out = join(dir, 'piped-big.back');
    expect((await aws('s3', 'cp', 's3://cli-bucket/piped/big', out)).code).toBe(0);
    expect(md5(readFileSync(out))).toBe(files.piped!.md5);
  });

  it('aws s3 cp FILE, ls, and rm', async () => {
    const cp = await aws('s3', 'cp', files.small!.path, 's3://cli-bucket/files/small.bin');
    expect(cp, cp.stderr).toMatchObject({ code: 0 });
    const ls = await aws('s3', 'ls', 's3://cli-bucket/files/');
    expect(ls.stdout).toMatch(new RegExp(`\\s${3 * MiB + 7} small\\.bin\\n`));
    const out = join(dir, 'small.back');
    expect((await aws('s3', 'cp', 's3://cli-bucket/files/small.bin', out)).code).toBe(0);
    expect(md5(readFileSync(out))).toBe(files.small!.md5);
    expect((await aws('s3', 'rm', 's3://cli-bucket/files/small.bin')).code).toBe(0);
    expect(stored(h, 'cli-bucket', 'files/small.bin')).toBeUndefined();
  });

  it('aws s3api put-object above the single-PUT limit: refused without conversion, converted by signet', async () => {
    // Without conversion (default threshold): one PUT of 13 MiB, refused as S3 refuses 5 GiB + 1.
    const refused = await runClient(AWS_CLI, ['--endpoint-url', plain.url, 's3api', 'put-object', '--bucket', 'cli-bucket', '--key', 'over', '--body', files.over!.path], home.env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('EntityTooLarge');
    expect(stored(plain, 'cli-bucket', 'over')).toBeUndefined();

    const put = await aws('s3api', 'put-object', '--bucket', 'cli-bucket', '--key', 'over', '--body', files.over!.path, '--content-type', 'application/x-test',
      '--metadata', 'origin=cli');
    expect(put, put.stderr).toMatchObject({ code: 0 });
    // A PutObject-shaped answer with the multipart ETag (13 MiB in 8 MiB parts).
    expect((JSON.parse(put.stdout) as { ETag: string }).ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const ops = h.s3.requests.filter((r) => r.rawPath.startsWith('/cli-bucket/over')).map((r) => `${r.method} ${r.rawPath.replace(/uploadId=[^&]+/, 'uploadId=…')}`);
    expect(ops).toEqual(['POST /cli-bucket/over?uploads=', 'PUT /cli-bucket/over?partNumber=1&uploadId=…', 'PUT /cli-bucket/over?partNumber=2&uploadId=…',
      'POST /cli-bucket/over?uploadId=…']);
    const head = JSON.parse((await aws('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'over')).stdout) as Record<string, unknown>;
    expect(head).toMatchObject({ ContentLength: OVER, ContentType: 'application/x-test', Metadata: { origin: 'cli' } });
    const out = join(dir, 'over.back');
    const get = await aws('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'over', out);
    expect(get, get.stderr).toMatchObject({ code: 0 });
    expect(md5(readFileSync(out))).toBe(files.over!.md5);
    expect(h.s3.buckets.get('cli-bucket')!.uploads.size).toBe(0);
  });
});

describe.skipIf(missing !== null)('the AWS CLI through a signet gateway (--inbound-keys: its signature is verified)', () => {
  const client = { accessKeyId: 'CLIGATEWAYCLIENT', secretAccessKey: 'cli-gateway-secret/+0123456789abcdefghij' };
  let h: Harness;
  let home: ClientHome;
  let aws: ReturnType<typeof cli>;
  beforeAll(async () => {
    const keys = join(dir, 'inbound-keys');
    writeFileSync(keys, `${client.accessKeyId} ${client.secretAccessKey}\n`);
    h = await startHarness({ args: ['--inbound-keys', keys, '--multipart-threshold', '12MiB'], s3: { maxPutObjectSize: LIMIT } });
    home = clientHome(h.url, client);
    aws = cli(home, h.url);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('pipes, puts above the threshold (converted), lists and reads back', async () => {
    const path = join(dir, 'gw-over');
    const sum = await patternFile(path, OVER + 1);
    const piped = await runPiped(`cat '${path}'`, AWS_CLI, ['--endpoint-url', h.url, 's3', 'cp', '-', 's3://gw-bucket/piped'], home.env);
    expect(piped, piped.stderr).toMatchObject({ code: 0 });
    const put = await aws('s3api', 'put-object', '--bucket', 'gw-bucket', '--key', 'over', '--body', path);
    expect(put, put.stderr).toMatchObject({ code: 0 });
    expect((JSON.parse(put.stdout) as { ETag: string }).ETag).toMatch(/-2"$/);
    const ls = await aws('s3', 'ls', 's3://gw-bucket/');
    expect(ls.stdout).toContain(`${OVER + 1} over`);
    expect(ls.stdout).toContain(`${OVER + 1} piped`);
    for (const key of ['piped', 'over']) {
      const out = join(dir, `gw-${key}.back`);
      expect((await aws('s3', 'cp', `s3://gw-bucket/${key}`, out)).code).toBe(0);
      expect(md5(readFileSync(out))).toBe(sum);
    }
    // The upstream saw signet's identity only.
    expect(JSON.stringify(h.s3.requests)).not.toContain(client.accessKeyId);
  });

  it('is refused with a wrong secret or an unknown key, before anything reaches the store', async () => {
    const before = h.s3.requests.length;
    const wrong = clientHome(h.url, { accessKeyId: client.accessKeyId, secretAccessKey: 'not-the-secret' });
    const res = await runClient(AWS_CLI, ['--endpoint-url', h.url, 's3', 'ls', 's3://gw-bucket/'], wrong.env);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('SignatureDoesNotMatch');
    const unknown = clientHome(h.url, { accessKeyId: 'NOSUCHCLIENTKEY', secretAccessKey: client.secretAccessKey });
    const res2 = await runClient(AWS_CLI, ['--endpoint-url', h.url, 's3api', 'put-object', '--bucket', 'gw-bucket', '--key', 'x', '--body', join(dir, 'gw-over')], unknown.env);
    expect(res2.code).not.toBe(0);
    expect(res2.stderr).toContain('InvalidAccessKeyId');
    expect(h.s3.requests.length).toBe(before);
  });
});
