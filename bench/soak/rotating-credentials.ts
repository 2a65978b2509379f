// A container credentials endpoint (the EKS Pod Identity / ECS protocol: GET with an Authorization
// token, JSON keys back) on 127.0.0.1 that mints new keys on every call, each living `lifetimeMs`,
// and registers them with the embedded S3's key store so that S3 accepts exactly those keys until
// they expire. Expired keys are dropped from the store, so it stays small over a long run.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StaticKeyStore } from '../../src/demo/index.js';

export interface RotatingCredentials {
  readonly url: string;
  readonly token: string;
  /** Keys minted so far (signet's fetches). */
  readonly issued: number;
  close(): Promise<void>;
}

export async function startRotatingCredentials(store: StaticKeyStore, lifetimeMs: number): Promise<RotatingCredentials> {
  const token = randomBytes(16).toString('hex');
  const live: Array<{ id: string; expiresAt: number }> = [];
  let issued = 0;
  const server = createServer((req, res) => {
    req.resume();
    if (req.method !== 'GET' || req.url !== '/v1/credentials' || req.headers.authorization !== token) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"Code":"AccessDenied","Message":"invalid authorization token"}');
      return;
    }
    const now = Date.now();
    while (live.length > 0 && live[0]!.expiresAt < now) store.remove(live.shift()!.id);
    issued += 1;
    const creds = {
      accessKeyId: `ASIASOAK${String(issued).padStart(12, '0')}`,
      secretAccessKey: randomBytes(30).toString('base64').slice(0, 40),
      sessionToken: randomBytes(48).toString('base64'),
      expiresAt: now + lifetimeMs,
    };
    store.add(creds);
    live.push({ id: creds.accessKeyId, expiresAt: creds.expiresAt });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, Token: creds.sessionToken,
      AccountId: '123456789012', Expiration: new Date(creds.expiresAt).toISOString(),
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/credentials`,
    token,
    get issued() { return issued; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
