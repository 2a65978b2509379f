import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemoS3 } from '../../../src/demo/index.js';
import type { DemoS3, KeyStore } from '../../../src/demo/index.js';
import { startContainerServer } from '../../support/credentials/container-server.js';
import { CredentialIssuer } from '../../support/credentials/issuer.js';
import { startServeChild } from '../../support/serve-child.js';
import type { ServeChild } from '../../support/serve-child.js';
import { isolatedEnv, runSignet } from '../ops/cli-child.js';
import { eventually } from '../ops/slow-upload.js';

// `signet serve` (its own process) fed by a container credentials endpoint (EKS Pod Identity / ECS
// protocol) on loopback, in front of the embedded S3, which accepts exactly the keys the endpoint
// issued and only until they expire.

const TOKEN = 'pod-identity-token';

/** The embedded S3's view of the issuer: a key is valid with its secret and token until its expiry. */
function issuedKeys(issuer: CredentialIssuer): KeyStore {
  return {
    lookup(id) {
      const c = issuer.find(id);
      return c === undefined ? undefined : { secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiresAt: c.expiresAtMs };
    },
  };
}

let signet: ServeChild | undefined;
let s3: DemoS3 | undefined;
let container: Awaited<ReturnType<typeof startContainerServer>> | undefined;
afterEach(async () => {
  await signet?.stop();
  await s3?.close();
  await container?.server.down();
  signet = s3 = container = undefined;
});

async function start(issuer: CredentialIssuer, extra: string[] = []): Promise<ServeChild> {
  s3 = await startDemoS3({ region: 'us-east-1', keys: issuedKeys(issuer), record: true });
  return startServeChild(['--region', 'us-east-1', '--upstream', s3.url, ...extra],
    isolatedEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: container!.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN }));
}

async function put(base: string, key: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}/outage-bucket/${key}`, { method: 'PUT', body: `body of ${key}`, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

const logged = (lines: readonly string[], msg: string): boolean => lines.some((l) => l.includes(`"msg":"${msg}`));

describe('credential source outages, signet serve against a loopback container endpoint', () => {
  it('exits 2 naming every source when no credential source is configured at all', async () => {
    const r = await runSignet(['serve', '--region', 'us-east-1', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], isolatedEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^signet: signet could not resolve AWS credentials: .*no AWS credentials found \(env: /);
  });

  it('source down at start: signet starts not ready, answers 503 with a clear message, and recovers when it comes back', async () => {
    const issuer = new CredentialIssuer();
    container = await startContainerServer({ token: TOKEN, issuer });
    await container.server.down();
    const sig = (signet = await start(issuer));

    const readyz = await fetch(`${sig.admin}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toMatch(/^CredentialChainError: no AWS credentials found \(container: .*ECONNREFUSED/);
    expect((await fetch(`${sig.admin}/healthz`)).status).toBe(200);
    const refused = await put(sig.proxy, 'early');
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('<Code>ServiceUnavailable</Code>');
    expect(refused.body).toContain('signet holds no valid AWS credentials');
    expect(refused.body).not.toContain(TOKEN);
    expect(s3!.requests).toHaveLength(0);
    expect(logged(sig.lines, 'signet listening without credentials')).toBe(true);

    await container.server.up();
    await eventually(async () => (await fetch(`${sig.admin}/readyz`)).status === 200, 40_000, '/readyz 200 after the endpoint came back');
    expect(await put(sig.proxy, 'later')).toMatchObject({ status: 200 });
    expect(s3!.requests.at(-1)!.headers['authorization']).toContain(issuer.last!.accessKeyId);
    expect(logged(sig.lines, 'credential refresh recovered')).toBe(true);
  }, 60_000);

  it('source down mid-traffic: the held credentials serve every request until they expire, then 503, then recovery', async () => {
    // 8 s credentials refreshed 3 s ahead (±0.3 s jitter): the first refresh, at ~5 s, finds the endpoint gone.
    const issuer = new CredentialIssuer(8000);
    container = await startContainerServer({ token: TOKEN, issuer });
    const sig = (signet = await start(issuer, ['--credentials-refresh-margin', '3s']));
    const first = issuer.last!;
    await container.server.down();

    const outcomes: Array<{ at: number; status: number; body: string }> = [];
    let n = 0;
    while (Date.now() < first.expiresAtMs + 1500) {
      const r = await put(sig.proxy, `k${n++}`);
      outcomes.push({ at: Date.now(), ...r });
      await sleep(25);
    }
    // Answers that ended well before the expiry all succeeded; a request signed in the last moments
    // may reach S3 after the expiry, so 300 ms either side of it are not judged.
    const before = outcomes.filter((o) => o.at < first.expiresAtMs - 300);
    const after = outcomes.filter((o) => o.at > first.expiresAtMs + 300);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((o) => o.status !== 200)).toEqual([]);
    expect(after.length).toBeGreaterThan(0);
    for (const o of after) {
      expect(o.status).toBe(503);
      expect(o.body).toMatch(/<Message>signet&apos;s AWS credentials expired at \S+ and could not be refreshed yet; see the signet log\.<\/Message>/);
    }
    expect((await fetch(`${sig.admin}/readyz`)).status).toBe(503);
    // Logged by the first refresh attempt after the expiry (backoff: at most 8 s later).
    await eventually(async () => logged(sig.lines, 'credentials expired and could not be refreshed'), 15_000, 'the expiry error in the log');

    await container.server.up();
    await eventually(async () => (await fetch(`${sig.admin}/readyz`)).status === 200, 40_000, '/readyz 200 after the endpoint came back');
    expect(await put(sig.proxy, 'recovered')).toMatchObject({ status: 200 });
    expect(issuer.issued.length).toBeGreaterThanOrEqual(2);
    expect(s3!.requests.at(-1)!.headers['authorization']).toContain(issuer.last!.accessKeyId);
  }, 60_000);
});
