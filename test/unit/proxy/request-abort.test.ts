import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { RequestAbort } from '../../../src/proxy/request-abort.js';

describe('RequestAbort', () => {
  it('calls each listener once on abort, and none that was removed or added after', () => {
    const a = new RequestAbort();
    const calls: string[] = [];
    const one = (): void => void calls.push('one');
    const two = (): void => void calls.push('two');
    a.on('abort', one);
    a.once('abort', two);
    a.addListener('abort', one);
    a.off('abort', one);
    a.abort();
    a.abort();
    a.on('abort', () => calls.push('late'));
    expect(calls).toEqual(['one', 'two']);
    expect(a.aborted).toBe(true);
  });

  it('ends a sleep early when aborted', async () => {
    const a = new RequestAbort();
    const slept = a.sleep(60_000);
    a.abort();
    await slept;
    await a.sleep(60_000); // already aborted: returns at once
  });

  it('is taken by undici as a request signal: aborting cuts a request the upstream never answers', async () => {
    const server = createServer(() => undefined); // accepts and never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent();
    try {
      const a = new RequestAbort();
      const { port } = server.address() as AddressInfo;
      const pending = agent.request({ origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET', signal: a });
      setTimeout(() => a.abort(), 50);
      await expect(pending).rejects.toMatchObject({ code: 'UND_ERR_ABORTED' });
      // undici took its listener off once the request was done with the signal.
      expect((a as unknown as { listeners: unknown[] | null }).listeners).toBeNull();
    } finally {
      await agent.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('leaves no listener behind after an answered request', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent();
    try {
      const a = new RequestAbort();
      const { port } = server.address() as AddressInfo;
      const r = await agent.request({ origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET', signal: a });
      await r.body.text();
      await new Promise((resolve) => setImmediate(resolve)); // undici lets go on the body's 'close'
      expect((a as unknown as { listeners: unknown[] | null }).listeners).toEqual([]);
    } finally {
      await agent.close();
      server.close();
    }
  });
});
