import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { startSignet } from '../../../src/server/signet.js';
import { isolatedEnv, runSignet } from './cli-child.js';

// An operator who picks a port that is taken gets one line naming the flag, like any bad value.
let taken: Server;
let port: number;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  port = (taken.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => taken.close(() => r()));
});

const deps = { logger: pino({ level: 'silent' }), fetchCredentials: async () => ({ credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 's' }, source: 'test' }) };

describe('a listener that cannot bind', () => {
  it('names --listen', async () => {
    const config = loadConfig(['--region', 'us-east-1', '--upstream', 'http://127.0.0.1:1', '--listen', `127.0.0.1:${port}`, '--admin-listen', '127.0.0.1:0'], {});
    await expect(startSignet(config, deps)).rejects.toThrow(`--listen: 127.0.0.1:${port} is already in use`);
  });

  it('names --admin-listen', async () => {
    const config = loadConfig(['--region', 'us-east-1', '--upstream', 'http://127.0.0.1:1', '--listen', '127.0.0.1:0', '--admin-listen', `127.0.0.1:${port}`], {});
    await expect(startSignet(config, deps)).rejects.toThrow(`--admin-listen: 127.0.0.1:${port} is already in use`);
  });
});

describe('signet demo on a taken port', () => {
  it('exits 2 with one line naming --listen, instead of hanging on its embedded S3', async () => {
    const result = await runSignet(['demo', '--listen', `127.0.0.1:${port}`, '--admin-listen', 'off'], isolatedEnv());
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').filter((l) => l.startsWith('signet:'))).toEqual([`signet: --listen: 127.0.0.1:${port} is already in use`]);
  });
});
