import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { socketExchange } from '../../support/raw-socket.js';
import { collect, isolatedEnv, spawnSignet } from './cli-child.js';

let child: ChildProcess | null = null;
afterEach(() => {
  if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
});

/** `signet demo` at info level; resolves with its proxy URL once it is up. */
function startDemo(): Promise<{ proxy: string; c: ChildProcess }> {
  const c = spawnSignet(['demo', '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--log-level', 'info'], isolatedEnv());
  child = c;
  let stderr = '';
  return new Promise((resolve, reject) => {
    c.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const proxy = /proxy (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      if (proxy !== undefined) resolve({ proxy, c });
    });
    c.once('exit', (code) => reject(new Error(`signet demo exited early (${code}): ${stderr}`)));
  });
}

describe('shutdown', () => {
  it('writes the access-log line of every request before it exits, a body-refused one included', async () => {
    const { proxy, c } = await startDemo();
    const done = collect(c);
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const put = await fetch(`${proxy}/logs-bucket/k${i}`, { method: 'PUT', body: `v${i}` });
      expect(put.status).toBe(200);
      const get = await fetch(`${proxy}/logs-bucket/k${i}`);
      expect(await get.text()).toBe(`v${i}`);
    }
    // Refused before its 8 MiB body is read: answered, lingered over, closed.
    const body = Buffer.alloc(8 * 1024 * 1024, 0x62);
    const refused = await socketExchange(proxy, `PUT /logs-bucket/big HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n` +
      'Content-Encoding: aws-chunked\r\n\r\n', body, 5_000);
    expect(refused.status).toBe(411);
    ids.push(refused.headers['x-amz-request-id']!);
    // And one more after it, on a fresh connection.
    expect((await fetch(`${proxy}/logs-bucket/k0`)).status).toBe(200);

    c.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l['msg'] === 'request');
    expect(requests).toHaveLength(52);
    expect(requests.map((l) => l['reqId'])).toEqual(expect.arrayContaining(ids));
    expect(lines.at(-1)?.['msg']).toBe('shutdown complete');
  }, 30_000);

  it('exits promptly on SIGTERM when whoever read its stdout has gone', async () => {
    const { proxy, c } = await startDemo();
    const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
    // Lines waiting in the access log's buffer, then a reader that goes away.
    for (let i = 0; i < 5; i++) await fetch(`${proxy}/gone-bucket/k${i}`, { method: 'PUT', body: 'x' });
    c.stdout!.destroy();
    const t0 = Date.now();
    c.kill('SIGTERM');
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 5_000));
    const outcome = await Promise.race([exited, timeout]);
    expect(outcome).not.toBe('still running');
    expect(Date.now() - t0).toBeLessThan(5_000);
  }, 20_000);
});
