import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, isolatedEnv, spawnSignet } from './cli-child.js';
import type { CliResult } from './cli-child.js';
import { eventually, inFlight, slowUpload } from './slow-upload.js';

let child: ChildProcess | null = null;
afterEach(() => {
  if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
});

/** `signet demo` in a child process; resolves once it has printed its proxy and admin URLs. */
async function startDemoChild(): Promise<{ proxy: string; admin: string; done: Promise<CliResult> }> {
  const c = spawnSignet(['demo', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--log-level', 'warn'], isolatedEnv());
  child = c;
  const done = collect(c);
  let stderr = '';
  return new Promise((resolve, reject) => {
    c.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const proxy = /proxy (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      const admin = /Metrics: (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(stderr)?.[1];
      if (proxy !== undefined && admin !== undefined) resolve({ proxy, admin, done });
    });
    void done.then((r) => reject(new Error(`signet demo exited early (${r.code}): ${r.stderr}`)));
  });
}

function refused(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname);
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('SIGTERM', () => {
  it('turns /readyz to 503 at once, lets the in-flight request finish, refuses new connections, exits 0', async () => {
    const { proxy, admin, done } = await startDemoChild();
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    const upload = slowUpload(proxy, '/drain-bucket/in-flight.txt');
    await eventually(async () => (await inFlight(admin)) === 1, 5000, 'the upload to be in flight');

    child!.kill('SIGTERM');
    await eventually(async () => (await fetch(`${admin}/readyz`)).status === 503, 2000, '/readyz 503');
    await eventually(() => refused(proxy), 2000, 'the proxy port to refuse connections');

    upload.finish();
    expect((await upload.response).status).toBe(200);
    const result = await done;
    expect(result.code).toBe(0);
  }, 20_000);

  it('exits at once on a second signal, even with a request still in flight', async () => {
    const { proxy, admin, done } = await startDemoChild();
    const upload = slowUpload(proxy, '/drain-bucket/stuck.txt');
    const outcome = upload.response.then(() => 'answered', () => 'cut');
    await eventually(async () => (await inFlight(admin)) === 1, 5000, 'the upload to be in flight');
    child!.kill('SIGTERM');
    await eventually(async () => (await fetch(`${admin}/readyz`)).status === 503, 2000, '/readyz 503');
    const t0 = Date.now();
    child!.kill('SIGTERM');
    const result = await done;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(result.code).toBe(1);
    // The cut request never got a response.
    expect(await outcome).toBe('cut');
  }, 20_000);
});

describe('SIGHUP', () => {
  it('does not stop signet (it reloads what can be reloaded), and SIGTERM still drains and exits 0', async () => {
    const { admin, done } = await startDemoChild();
    child!.kill('SIGHUP');
    child!.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    expect(child!.exitCode).toBeNull();
    child!.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.signal).toBeNull();
  }, 20_000);
});
