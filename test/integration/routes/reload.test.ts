import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { smithySigner } from '../../support/smithy-reference.js';
import { ADMIN, startGateway } from './support.js';
import type { Gateway } from './support.js';

let g: Gateway;
beforeAll(async () => {
  g = await startGateway();
});
afterAll(async () => {
  await g.close();
});

const put = async (bucket: string, key: string): Promise<unknown> => {
  const c = new S3Client({ endpoint: g.url, forcePathStyle: true, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 });
  try {
    return await c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
  } catch (err) {
    return err;
  } finally {
    c.destroy();
  }
};

/** The route list with team b's bucket route replaced by a team-c route on team a's store, as team a. */
function swapped(): string {
  const [head] = g.routesYaml.split('  - name: team-b\n');
  return head + [
    '  - name: team-c',
    '    match: { buckets: ["team-c-*"] }',
    `    upstream: ${g.s3a.url}`,
    '    region: eu-west-1',
    '    credentials: { profile: team-a }',
    '',
  ].join('\n');
}

/**
 * A PUT whose head signet has taken (it answered 100 Continue: the route is picked) but whose body
 * is still to come; `send()` then writes the body and resolves with the status line.
 */
async function heldPut(bucket: string, key: string, body: string): Promise<{ send(): Promise<string> }> {
  const u = new URL(g.url);
  const hash = createHash('sha256').update(body).digest('hex');
  const signed = await smithySigner(ADMIN, 'us-east-1').sign({
    method: 'PUT', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: `/${bucket}/${key}`, query: {},
    headers: { host: u.host, 'x-amz-content-sha256': hash, 'content-length': String(body.length) },
  });
  const head = `PUT /${bucket}/${key} HTTP/1.1\r\n` + Object.entries(signed.headers).map(([n, v]) => `${n}: ${v}\r\n`).join('') + 'expect: 100-continue\r\nconnection: close\r\n\r\n';
  const socket = connect(Number(u.port), u.hostname);
  socket.on('error', () => undefined);
  let received = '';
  const continued = new Promise<void>((resolve) => {
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (received.includes('100 Continue')) resolve();
    });
  });
  socket.write(head);
  await continued;
  return {
    send: () => new Promise((resolve) => {
      socket.on('close', () => resolve(received.split('\r\n').find((l) => l.startsWith('HTTP/1.1 ') && !l.includes(' 100 ')) ?? received));
      socket.write(body);
    }),
  };
}

describe('routes reload', () => {
  it('swaps in a new table: a removed route answers 404, a new one is served, in-flight requests keep their route', async () => {
    expect(await put('team-b-data', 'before')).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    const inFlight = await heldPut('team-b-data', 'in-flight', 'started before the reload');
    writeFileSync(g.configFile, swapped());
    await g.signet.reloadRoutes();
    expect(g.signet.routes.current().routes.map((r) => r.name)).toEqual(['search', 'team-a', 'team-b-host', 'team-c']);
    // The request that had its route before the swap finishes on it.
    expect(await inFlight.send()).toBe('HTTP/1.1 200 OK');
    expect(objectBytes(g.s3b.buckets.get('team-b-data')!.objects.get('in-flight')!).toString()).toBe('started before the reload');
    expect(await put('team-b-data', 'after')).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    expect(await put('team-c-data', 'new')).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(g.s3a.buckets.get('team-c-data')?.objects.has('new')).toBe(true);
    // team-c signs as team a, whose cache the reload kept (three identities still, not four).
    expect(g.signet.routes.current().credentialCaches().size).toBe(3);
  });

  it('keeps the old table when the new file is bad, with one line naming the file, the route and the key', async () => {
    const before = g.signet.routes.current();
    writeFileSync(g.configFile, 'routes:\n  - name: broken\n    region: Not-A-Region\n');
    const err = await g.signet.reloadRoutes().then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toBe(`--config ${JSON.stringify(g.configFile)} routes[0] (broken).region: "Not-A-Region" is not a region (lower-case letters, digits and -, e.g. us-east-1)`);
    expect(g.signet.routes.current()).toBe(before);
    expect(await put('team-c-data', 'still')).toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });

  it('follows the file by itself (watch) and on SIGHUP (reload()), counting each attempt under source="routes"', async () => {
    const metric = async (result: string): Promise<number> => {
      const text = await (await fetch(`${g.signet.admin!.url}/metrics`)).text();
      return Number(new RegExp(`signet_config_reloads_total\\{source="routes",result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? NaN);
    };
    const failures = await metric('failure');
    // Written in place: the watcher (or its poll) picks it up without being asked. (The comment makes
    // the bytes new even if the watcher last saw the file as it was at start: it loads only on a change.)
    writeFileSync(g.configFile, g.routesYaml + '# watched\n');
    for (let i = 0; i < 200 && !g.signet.routes.current().routes.some((r) => r.name === 'team-b'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(g.signet.routes.current().routes.map((r) => r.name)).toContain('team-b');
    expect(await put('team-b-data', 'watched')).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    // SIGHUP reloads even an unchanged file; a bad one is reported and counted, never thrown.
    writeFileSync(g.configFile, 'routes: [');
    const before = g.signet.routes.current();
    await g.signet.reload();
    expect(g.signet.routes.current()).toBe(before);
    expect(await metric('failure')).toBeGreaterThan(failures);
    expect(g.logs.some((l) => l.includes('routes reload failed; the previous routes stay in force'))).toBe(true);
    writeFileSync(g.configFile, swapped());
    await g.signet.reload();
    expect(g.signet.routes.current().routes.map((r) => r.name)).toContain('team-c');
  });

  it('keeps the old table when a new route\'s identity cannot be had (its credentials are fetched before the swap)', async () => {
    const before = g.signet.routes.current();
    writeFileSync(g.configFile, swapped() + '  - name: ghost\n    match: { buckets: ["ghost-*"] }\n    credentials: { profile: no-such-profile }\n');
    await expect(g.signet.reloadRoutes()).rejects.toThrow(/route ghost: .*no-such-profile/);
    expect(g.signet.routes.current()).toBe(before);
    expect(await put('team-c-data', 'still-2')).toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });
});
