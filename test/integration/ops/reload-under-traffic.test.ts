import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials, staticKeys, startDemoS3 } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { isolatedEnv, spawnSignet } from './cli-child.js';
import { heldPut } from './signed-client.js';
import { eventually } from './slow-upload.js';

// signet serve in a child process (real signals), its --inbound-keys rewritten every way an
// operator or Kubernetes rewrites a file, and SIGHUP, while signed requests keep flowing.
type Key = { accessKeyId: string; secretAccessKey: string };
const key = (name: string): Key => ({ accessKeyId: `RELOAD${name.toUpperCase()}`, secretAccessKey: `reload-${name}-secret-abcdefghijklmnop` });
const STABLE = key('stable');
const OLD = key('old');
const NEW1 = key('new1');
const NEW2 = key('new2');
const NEW3 = key('new3');
const NEW4 = key('new4');

function keysFile(clients: Key[], extra = ''): string {
  return 'clients:\n' + clients.map((c) => `  - accessKeyId: ${c.accessKeyId}\n    secret: ${c.secretAccessKey}\n    name: ${c.accessKeyId.toLowerCase()}\n    buckets: ["reload-*"]\n`).join('') + extra;
}

let s3: DemoS3;
let child: ChildProcess;
let dir: string;
let proxy = '';
let admin = '';
const lines: Array<Record<string, unknown>> = [];
let stderr = '';

beforeAll(async () => {
  const upstreamKeys = demoCredentials();
  s3 = await startDemoS3({ region: 'us-east-1', keys: staticKeys([upstreamKeys]), autoCreateBuckets: true });
  dir = mkdtempSync(join(tmpdir(), 'signet-reload-'));
  writeFileSync(join(dir, 'keys.yaml'), keysFile([STABLE, OLD]));
  child = spawnSignet(
    ['serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--region', 'us-east-1', '--upstream', s3.url, '--inbound-keys', join(dir, 'keys.yaml')],
    isolatedEnv({ AWS_ACCESS_KEY_ID: upstreamKeys.accessKeyId, AWS_SECRET_ACCESS_KEY: upstreamKeys.secretAccessKey }),
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    let nl;
    while ((nl = out.indexOf('\n')) !== -1) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON: ignore
      }
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  await eventually(async () => lines.some((l) => l.msg === 'signet ready'), 20_000, `signet to start (${stderr})`);
  const ready = lines.find((l) => l.msg === 'signet ready')!;
  proxy = String(ready.listen);
  admin = String(ready.admin);
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = (k: Key) => new S3Client({ endpoint: proxy, forcePathStyle: true, region: 'us-east-1', credentials: k, maxAttempts: 1 });

/** The status a key gets for one small PUT now. */
async function statusOf(k: Key): Promise<number> {
  const c = client(k);
  try {
    await c.send(new PutObjectCommand({ Bucket: 'reload-probe', Key: 'probe', Body: 'p' }));
    return 200;
  } catch (e) {
    return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
  } finally {
    c.destroy();
  }
}

const reloadLines = (msg: string): Array<Record<string, unknown>> => lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(msg));

/** Writes a file beside the target and renames it over: the way editors, Ansible and `kubectl cp` replace one. */
function atomicWrite(path: string, text: string): void {
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}

describe('reload of --inbound-keys under traffic', () => {
  it('applies every kind of rewrite and SIGHUP with no failed request, and keeps the old clients on a bad file', async () => {
    // The load: four workers, each a PUT then a GET, signed by the SDK with a key present throughout.
    const failures: string[] = [];
    let ok = 0;
    let stop = false;
    const worker = async (n: number): Promise<void> => {
      const c = client(STABLE);
      for (let i = 0; !stop; i++) {
        try {
          await c.send(new PutObjectCommand({ Bucket: 'reload-load', Key: `w${n}/k${i % 20}`, Body: `body ${i}` }));
          const got = await c.send(new GetObjectCommand({ Bucket: 'reload-load', Key: `w${n}/k${i % 20}` }));
          if ((await got.Body!.transformToString()) !== `body ${i}`) failures.push('wrong body');
          ok += 2;
        } catch (e) {
          failures.push(String((e as Error).name) + ' ' + String((e as Error).message));
        }
      }
      c.destroy();
    };
    const load = [0, 1, 2, 3].map(worker);
    const file = join(dir, 'keys.yaml');
    const okBefore = async (): Promise<number> => ok;
    const trafficDuring = async (step: () => Promise<void>): Promise<void> => {
      const at = await okBefore();
      await step();
      await eventually(async () => ok > at + 4, 10_000, 'traffic to keep flowing');
    };

    expect(await statusOf(OLD)).toBe(200);
    expect(await statusOf(NEW1)).toBe(403);

    // 1. Written in place: a new key works.
    await trafficDuring(async () => {
      writeFileSync(file, keysFile([STABLE, OLD, NEW1]));
      await eventually(async () => (await statusOf(NEW1)) === 200, 10_000, 'NEW1 to be admitted after the in-place write');
    });

    // 2. Atomic replace revoking OLD, while an OLD upload is in flight: that one keeps its admission.
    const held = await heldPut(proxy, OLD, '/reload-load/held-by-old');
    await trafficDuring(async () => {
      atomicWrite(file, keysFile([STABLE, NEW1]));
      await eventually(async () => (await statusOf(OLD)) === 403, 10_000, 'OLD to be refused after the atomic replace');
    });
    held.finish();
    expect(await held.response).toMatch(/^HTTP\/1\.1 200/);

    // 3. Bad files: each refused with one line naming the file, the clients in force unchanged.
    const successesBefore = reloadLines('inbound keys reloaded').length;
    const bad: Array<[string, RegExp]> = [
      [keysFile([STABLE, NEW1]) + '  - accessKeyId: [unclosed\n', /not valid YAML\/JSON/],
      [keysFile([STABLE, NEW1, NEW1]), /listed twice/],
      [keysFile([STABLE, NEW1], `  - accessKeyId: ${NEW2.accessKeyId}\n    secret: ${NEW2.secretAccessKey}\n    sourceCidrs: ["10.0.0.0/40"]\n`), /sourceCidrs\[0\] \(client RELOADNEW2\): "10.0.0.0\/40" is not an address range/],
    ];
    for (const [i, [text, reason]] of bad.entries()) {
      await trafficDuring(async () => {
        if (i === 0) writeFileSync(file, text);
        else atomicWrite(file, text);
        await eventually(async () => reloadLines('inbound keys reload failed').length === i + 1, 10_000, `bad file ${i} to be reported`);
      });
      const line = reloadLines('inbound keys reload failed')[i]!;
      expect(line).toMatchObject({ level: 40, file });
      expect(String(line.err)).toMatch(reason);
      expect(String(line.err)).toContain(file);
      expect(await statusOf(NEW1)).toBe(200);
      expect(await statusOf(OLD)).toBe(403);
      expect(await statusOf(NEW2)).toBe(403);
    }
    expect(reloadLines('inbound keys reloaded').length).toBe(successesBefore);
    expect(JSON.stringify(lines)).not.toContain(NEW2.secretAccessKey);
    expect(JSON.stringify(lines)).not.toContain(NEW1.secretAccessKey);

    // 4. Kubernetes Secret volume: keys.yaml → ..data/keys.yaml, ..data → a timestamped directory,
    // updated by renaming a new ..data symlink into place.
    await trafficDuring(async () => {
      mkdirSync(join(dir, '..2026_01'));
      writeFileSync(join(dir, '..2026_01', 'keys.yaml'), keysFile([STABLE, NEW1, NEW2]));
      symlinkSync('..2026_01', join(dir, '..data'));
      symlinkSync('..data/keys.yaml', join(dir, 'keys.yaml.link'));
      renameSync(join(dir, 'keys.yaml.link'), file);
      await eventually(async () => (await statusOf(NEW2)) === 200, 10_000, 'NEW2 after the switch to the Secret layout');
    });
    await trafficDuring(async () => {
      mkdirSync(join(dir, '..2026_02'));
      writeFileSync(join(dir, '..2026_02', 'keys.yaml'), keysFile([STABLE, NEW2, NEW3]));
      symlinkSync('..2026_02', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      rmSync(join(dir, '..2026_01'), { recursive: true });
      await eventually(async () => (await statusOf(NEW3)) === 200, 10_000, 'NEW3 after the ..data swap');
    });
    expect(await statusOf(NEW1)).toBe(403);

    // 5. SIGHUP: the file behind the symlink edited where no watch looks; the signal reloads it.
    await trafficDuring(async () => {
      writeFileSync(join(dir, '..2026_02', 'keys.yaml'), keysFile([STABLE, NEW3, NEW4]));
      child.kill('SIGHUP');
      await eventually(async () => reloadLines('inbound keys reloaded').some((l) => l.trigger === 'signal'), 10_000, 'the SIGHUP reload');
    });
    expect(await statusOf(NEW4)).toBe(200);
    expect(child.exitCode).toBeNull();

    stop = true;
    await Promise.all(load);
    expect(failures).toEqual([]);
    // Each of the eight steps waited for at least five more answered requests.
    expect(ok).toBeGreaterThanOrEqual(40);

    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toMatch(/signet_config_reloads_total\{source="inbound-keys",result="failure"\} 3\b/);
    const successes = Number(/signet_config_reloads_total\{source="inbound-keys",result="success"\} (\d+)/.exec(metrics)?.[1]);
    expect(successes).toBeGreaterThanOrEqual(5);
    expect(successes).toBe(reloadLines('inbound keys reloaded').length);
    const last = Number(/signet_config_last_reload_success_timestamp_seconds\{source="inbound-keys"\} (\S+)/.exec(metrics)?.[1]);
    expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(120);
    const info = reloadLines('inbound keys reloaded').at(-1)!;
    expect(info).toMatchObject({ level: 30, clients: 3, file });
  }, 120_000);

  it('still stops on SIGTERM after SIGHUP', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 20_000);
});
