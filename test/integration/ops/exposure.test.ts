import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { startSignet } from '../../../src/server/signet.js';
import { isolatedEnv, runSignet } from './cli-child.js';

// Safe exposure by default: a listener other machines can reach, with no client authentication,
// is an open proxy for signet's IAM identity, so it takes an explicit opt-in.
const BASE = ['--region', 'us-east-1', '--upstream', 'http://127.0.0.1:1', '--admin-listen', 'off'];

describe('a non-loopback --listen without --inbound-keys', () => {
  it('refuses to start: exit 2 and one line naming the flags', async () => {
    const result = await runSignet(['serve', ...BASE, '--listen', '0.0.0.0:8080'], isolatedEnv());
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      "signet: --listen 0.0.0.0:8080 is not loopback and --inbound-keys is not set: anyone who reaches the port would borrow signet's IAM identity; set --inbound-keys FILE, or --allow-unauthenticated to accept that",
    ]);
  });

  it('refuses the same from the environment (the image default SIGNET_LISTEN)', async () => {
    const result = await runSignet(['serve', ...BASE], isolatedEnv({ SIGNET_LISTEN: ':8080' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--listen 0.0.0.0:8080 is not loopback');
  });

  it.each(['127.0.0.1:0', '127.0.0.2:0', 'localhost:0', '[::1]:0'])('accepts the loopback address %s', (listen) => {
    expect(() => loadConfig([...BASE, '--listen', listen], {})).not.toThrow();
  });

  it('starts with --allow-unauthenticated, warning in the log and in /readyz', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _e, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
    const logger = pino({ level: 'info' }, sink);
    const config = loadConfig(['--region', 'us-east-1', '--upstream', 'http://127.0.0.1:1', '--listen', '0.0.0.0:0', '--admin-listen', '127.0.0.1:0', '--allow-unauthenticated'], {});
    const signet = await startSignet(config, {
      logger,
      fetchCredentials: async () => ({ credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 's' }, source: 'test' }),
    });
    try {
      const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
      expect(warnings.some((w) => w.msg.includes('--inbound-keys is not set'))).toBe(true);
      const res = await fetch(`${signet.admin!.url}/readyz`);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toMatch(/^ready\n/);
      expect(body).toContain('--allow-unauthenticated');
    } finally {
      await signet.close();
    }
  });
});
