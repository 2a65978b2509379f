import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../src/demo/index.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { S3CMD, clientHome, clientMissing, md5, patternFile, runClient, runPiped } from '../support/real-clients.js';
import type { ClientHome } from '../support/real-clients.js';

// Debian's s3cmd through signet (sidecar) to the embedded S3. The store takes single PUTs up to
// 12 MiB (S3: 5 GiB); signet converts PUTs above 12 MiB to multipart. s3cmd's own multipart is off
// for the conversion case (--disable-multipart), as an old client without it would send.

const missing = clientMissing(S3CMD, 's3cmd', 'SIGNET_TEST_S3CMD');
if (missing !== null) console.warn(`skipping the s3cmd tests: ${missing}`);

const MiB = 1024 * 1024;
const LIMIT = 12 * MiB;
const dir = mkdtempSync(join(tmpdir(), 'signet-s3cmd-'));

describe.skipIf(missing !== null)('s3cmd through signet', () => {
  let h: Harness;
  let plain: Harness;
  let home: ClientHome;
  const s3cmd = (...args: string[]) => runClient(S3CMD, ['-c', home.s3cfg, ...args], home.env);
  beforeAll(async () => {
    h = await startHarness({ args: ['--multipart-threshold', '12MiB'], s3: { maxPutObjectSize: LIMIT } });
    plain = await startHarness({ s3: { maxPutObjectSize: LIMIT } });
    home = clientHome(h.url, { accessKeyId: 'DUMMYS3CMDKEY', secretAccessKey: 'dummy-s3cmd-secret' });
  });
  afterAll(async () => {
    await h?.close();
    await plain?.close();
  });

  it('mb, put, ls, get and del', async () => {
    expect((await s3cmd('mb', 's3://s3cmd-bucket')).code).toBe(0);
    const path = join(dir, 'small');
    const sum = await patternFile(path, 100_003);
    const put = await s3cmd('put', path, 's3://s3cmd-bucket/dir/small file.bin');
    expect(put, put.stderr).toMatchObject({ code: 0 });
    const ls = await s3cmd('ls', 's3://s3cmd-bucket/dir/');
    expect(ls.stdout).toMatch(/\s100003\s+s3:\/\/s3cmd-bucket\/dir\/small file\.bin\n/);
    const out = join(dir, 'small.back');
    const get = await s3cmd('get', '--force', 's3://s3cmd-bucket/dir/small file.bin', out);
    expect(get, get.stderr).toMatchObject({ code: 0 });
    expect(md5(readFileSync(out))).toBe(sum);
    expect((await s3cmd('del', 's3://s3cmd-bucket/dir/small file.bin')).code).toBe(0);
    expect(h.s3.buckets.get('s3cmd-bucket')!.objects.has('dir/small file.bin')).toBe(false);
    expect((await s3cmd('ls', 's3://s3cmd-bucket/dir/')).stdout).toBe('');
  });

  it('put from a pipe (s3cmd\'s own multipart of stdin), read back identical', async () => {
    const path = join(dir, 'piped');
    const sum = await patternFile(path, 20 * MiB + 5);
    const put = await runPiped(`cat '${path}'`, S3CMD, ['-c', home.s3cfg, 'put', '-', 's3://s3cmd-bucket/piped'], home.env);
    expect(put, put.stderr).toMatchObject({ code: 0 });
    expect(md5(objectBytes(h.s3.buckets.get('s3cmd-bucket')!.objects.get('piped')!))).toBe(sum);
  });

  it('a put above the single-PUT limit: refused without conversion, converted by signet', async () => {
    const path = join(dir, 'over');
    const sum = await patternFile(path, LIMIT + 1);
    const plainHome = clientHome(plain.url, { accessKeyId: 'DUMMYS3CMDKEY', secretAccessKey: 'dummy-s3cmd-secret' });
    const refused = await runClient(S3CMD, ['-c', plainHome.s3cfg, 'put', '--disable-multipart', path, 's3://s3cmd-bucket/over'], plainHome.env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('EntityTooLarge');

    const put = await s3cmd('put', '--disable-multipart', '--mime-type', 'application/x-test', '--add-header', 'x-amz-meta-origin:s3cmd', path, 's3://s3cmd-bucket/over');
    expect(put, put.stderr).toMatchObject({ code: 0 });
    const ops = h.s3.requests.filter((r) => r.rawPath.startsWith('/s3cmd-bucket/over')).map((r) => `${r.method} ${r.rawPath.replace(/uploadId=[^&]+/, 'uploadId=…')}`);
    expect(ops).toEqual(['POST /s3cmd-bucket/over?uploads=', 'PUT /s3cmd-bucket/over?partNumber=1&uploadId=…', 'PUT /s3cmd-bucket/over?partNumber=2&uploadId=…',
      'POST /s3cmd-bucket/over?uploadId=…']);
    const obj = h.s3.buckets.get('s3cmd-bucket')!.objects.get('over')!;
    expect(obj.etag).toMatch(/-2"$/);
    expect(obj.headers['content-type']).toBe('application/x-test');
    expect(obj.headers['x-amz-meta-origin']).toBe('s3cmd');
    const out = join(dir, 'over.back');
    expect((await s3cmd('get', '--force', 's3://s3cmd-bucket/over', out)).code).toBe(0);
    expect(md5(readFileSync(out))).toBe(sum);
    expect(h.s3.buckets.get('s3cmd-bucket')!.uploads.size).toBe(0);
  });
});
