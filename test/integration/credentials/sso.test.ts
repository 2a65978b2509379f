import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCredentialChain } from '../../../src/credentials/index.js';
import { isolatedAwsEnv } from '../../support/credentials/env.js';
import { CredentialIssuer } from '../../support/credentials/issuer.js';
import { LoopbackServer, sendJson } from '../../support/credentials/loopback-server.js';

const START_URL = 'https://signet-test.awsapps.com/start';

describe('an SSO profile', () => {
  let env: ReturnType<typeof isolatedAwsEnv>;
  let portal: LoopbackServer | undefined;
  beforeEach(() => {
    env = isolatedAwsEnv();
  });
  afterEach(async () => {
    await portal?.down();
    env.restore();
  });

  it('trades the cached SSO token for role credentials at the portal and names the source sso', async () => {
    const issuer = new CredentialIssuer();
    const seen: Array<string | undefined> = [];
    // The IAM Identity Center portal's GetRoleCredentials (GET /federation/credentials, bearer token header).
    portal = await LoopbackServer.start((req, _body, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      seen.push(`${url.pathname} ${url.searchParams.get('account_id')} ${url.searchParams.get('role_name')} ${String(req.headers['x-amz-sso_bearer_token'])}`);
      const c = issuer.issue();
      sendJson(res, 200, {
        roleCredentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiresAtMs },
      });
    });
    process.env.AWS_ENDPOINT_URL_SSO = portal.url;
    env.write('config', `[default]\nsso_start_url = ${START_URL}\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = Reader\n`);
    const cacheDir = join(env.home, '.aws', 'sso', 'cache');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(
      join(cacheDir, `${createHash('sha1').update(START_URL).digest('hex')}.json`),
      JSON.stringify({ accessToken: 'sso-access-token', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), region: 'eu-west-1', startUrl: START_URL }),
    );
    const { credentials, source } = await createCredentialChain({ region: 'eu-west-1' })();
    expect(source).toBe('sso');
    expect(seen).toEqual(['/federation/credentials 123456789012 Reader sso-access-token']);
    expect(credentials.accessKeyId).toBe(issuer.last?.accessKeyId);
    expect(credentials.expiration?.getTime()).toBe(issuer.last?.expiresAtMs);
  });
});
