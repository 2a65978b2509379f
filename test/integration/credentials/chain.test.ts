import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialChainError, createCredentialChain } from '../../../src/credentials/index.js';
import { startContainerServer } from '../../support/credentials/container-server.js';
import { isolatedAwsEnv } from '../../support/credentials/env.js';
import { startImdsServer } from '../../support/credentials/imds-server.js';
import type { LoopbackServer } from '../../support/credentials/loopback-server.js';
import { startStsServer } from '../../support/credentials/sts-server.js';

const REGION = 'eu-west-1';

describe('the credential chain against real protocol servers on loopback', () => {
  let env: ReturnType<typeof isolatedAwsEnv>;
  const servers: LoopbackServer[] = [];

  beforeEach(() => {
    env = isolatedAwsEnv();
  });
  afterEach(async () => {
    env.restore();
    await Promise.all(servers.splice(0).map((s) => s.down()));
  });

  async function sts() {
    const s = await startStsServer();
    servers.push(s.server);
    process.env.AWS_ENDPOINT_URL_STS = s.server.url;
    return s;
  }

  it('reads static and temporary credentials from the environment, expiration included', async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'ASIAENVEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
      AWS_SESSION_TOKEN: 'env-token',
      AWS_CREDENTIAL_EXPIRATION: '2099-01-01T00:00:00Z',
    });
    const { credentials, source } = await createCredentialChain({ region: REGION })();
    expect(source).toBe('env');
    expect(credentials).toEqual({
      accessKeyId: 'ASIAENVEXAMPLE',
      secretAccessKey: 'env-secret',
      sessionToken: 'env-token',
      expiration: new Date('2099-01-01T00:00:00Z'),
    });
  });

  it('prefers a selected profile over environment keys, as the SDK does', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'env-secret' });
    env.write('credentials', '[dev]\naws_access_key_id = AKIADEVPROFILE\naws_secret_access_key = dev-secret\n');
    const { credentials, source } = await createCredentialChain({ region: REGION, profile: 'dev' })();
    expect(source).toBe('profile');
    expect(credentials.accessKeyId).toBe('AKIADEVPROFILE');
    expect(credentials.expiration).toBeUndefined();
  });

  it('reads the default profile from the shared credentials file in HOME', async () => {
    env.write('credentials', '[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default-secret\n');
    const { credentials, source } = await createCredentialChain({ region: REGION })();
    expect(source).toBe('profile');
    expect(credentials.accessKeyId).toBe('AKIADEFAULT');
  });

  it('assumes a profile role_arn with its source_profile through the regional STS endpoint', async () => {
    const s = await sts();
    env.write('credentials', '[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n');
    env.write('config', '[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\nexternal_id = ext-1\n');
    process.env.AWS_PROFILE = 'app';
    const { credentials, source } = await createCredentialChain({ region: REGION })();
    expect(source).toBe('profile');
    expect(s.issuer.isValid(credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken, Date.now())).toBe(true);
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ action: 'AssumeRole', callerAccessKeyId: 'AKIABASE', region: REGION });
    expect(s.calls[0]?.params).toMatchObject({ RoleArn: 'arn:aws:iam::123456789012:role/app', ExternalId: 'ext-1' });
  });

  it('runs a profile credential_process and names the source process', async () => {
    const script = env.write(
      'creds.cjs',
      "process.stdout.write(JSON.stringify({Version:1,AccessKeyId:'ASIAPROC',SecretAccessKey:'proc-secret',SessionToken:'proc-token',Expiration:'2099-01-01T00:00:00Z'}))",
    );
    env.write('config', `[default]\ncredential_process = "${process.execPath}" "${script}"\n`);
    const { credentials, source } = await createCredentialChain({ region: REGION })();
    expect(source).toBe('process');
    expect(credentials).toMatchObject({ accessKeyId: 'ASIAPROC', sessionToken: 'proc-token' });
    expect(credentials.expiration?.toISOString()).toBe('2099-01-01T00:00:00.000Z');
  });

  it('exchanges the web identity token file with STS and re-reads the file on every fetch (IRSA)', async () => {
    const s = await sts();
    const tokenFile = env.write('token', 'jwt-one');
    Object.assign(process.env, { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/irsa' });
    const chain = createCredentialChain({ region: REGION });
    const first = await chain();
    env.write('token', 'jwt-two');
    await chain();
    expect(first.source).toBe('web-identity');
    expect(s.issuer.isValid(first.credentials.accessKeyId, first.credentials.secretAccessKey, first.credentials.sessionToken, Date.now())).toBe(true);
    expect(s.calls.map((c) => [c.action, c.params.WebIdentityToken])).toEqual([
      ['AssumeRoleWithWebIdentity', 'jwt-one'],
      ['AssumeRoleWithWebIdentity', 'jwt-two'],
    ]);
  });

  it('fetches from the container endpoint with the token file, re-read on every fetch (EKS Pod Identity)', async () => {
    const c = await startContainerServer({ token: 'pod-token-1' });
    servers.push(c.server);
    const tokenFile = env.write('pod-token', 'pod-token-1');
    Object.assign(process.env, { AWS_CONTAINER_CREDENTIALS_FULL_URI: c.url, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile });
    const chain = createCredentialChain({ region: REGION });
    const first = await chain();
    c.state.token = 'pod-token-2';
    env.write('pod-token', 'pod-token-2');
    const second = await chain();
    expect([first.source, second.source]).toEqual(['container', 'container']);
    expect(c.state.rejected).toBe(0);
    expect(c.issuer.issued.map((i) => i.accessKeyId)).toEqual([first.credentials.accessKeyId, second.credentials.accessKeyId]);
  });

  it('asks IMDSv2 for a session token first, then the role and its credentials', async () => {
    const imds = await startImdsServer();
    servers.push(imds.server);
    Object.assign(process.env, { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.server.url, AWS_EC2_METADATA_DISABLED: 'false' });
    const { credentials, source } = await createCredentialChain({ region: REGION })();
    expect(source).toBe('imds');
    expect(imds.log).toEqual([
      'PUT /latest/api/token',
      'GET /latest/meta-data/iam/security-credentials/',
      `GET /latest/meta-data/iam/security-credentials/${imds.role}`,
    ]);
    expect(credentials.accessKeyId).toBe(imds.issuer.last?.accessKeyId);
    expect(credentials.expiration?.getTime()).toBe(imds.issuer.last?.expiresAtMs);
  });

  it('never calls IMDS when AWS_EC2_METADATA_DISABLED is set, and names every source it tried', async () => {
    const imds = await startImdsServer();
    servers.push(imds.server);
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.server.url;
    const error = await createCredentialChain({ region: REGION })().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(imds.server.requests).toBe(0);
    expect(error?.message).toMatch(/^no AWS credentials found \(env: .*; profile 'default': .*; process: .*; web-identity: .*; imds: disabled by AWS_EC2_METADATA_DISABLED\)$/);
    expect(error?.message).not.toContain('\n');
  });

  it('assumes --role-arn on top of what the chain found, in the configured region (role chaining)', async () => {
    const s = await sts();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIACALLER', AWS_SECRET_ACCESS_KEY: 'caller-secret' });
    const chain = createCredentialChain({
      region: REGION,
      roleArn: 'arn:aws:iam::123456789012:role/target',
      externalId: 'ext-42',
      roleSessionName: 'signet-test',
      roleDurationSeconds: 900,
    });
    const { credentials, source } = await chain();
    expect(source).toBe('assume-role(env)');
    expect(s.issuer.isValid(credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken, Date.now())).toBe(true);
    expect(s.calls[0]).toMatchObject({ action: 'AssumeRole', callerAccessKeyId: 'AKIACALLER', region: REGION });
    expect(s.calls[0]?.params).toMatchObject({
      RoleArn: 'arn:aws:iam::123456789012:role/target',
      ExternalId: 'ext-42',
      RoleSessionName: 'signet-test',
      DurationSeconds: '900',
    });
    await chain();
    expect(s.calls).toHaveLength(2);
  });

  it('tells a source set up but unreachable (worth waiting for) from no source at all, naming the unreachable one first', async () => {
    const c = await startContainerServer({ token: 'pod-token' });
    await c.server.down();
    Object.assign(process.env, { AWS_CONTAINER_CREDENTIALS_FULL_URI: c.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'pod-token' });
    const down = await createCredentialChain({ region: REGION })().then(() => null, (e: unknown) => e as CredentialChainError);
    expect(down).toBeInstanceOf(CredentialChainError);
    expect(down?.sourceConfigured).toBe(true);
    expect(down?.message).toMatch(/^no AWS credentials found \(container: .*ECONNREFUSED.*; env: /);
    delete process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    const none = await createCredentialChain({ region: REGION })().then(() => null, (e: unknown) => e as CredentialChainError);
    expect(none?.sourceConfigured).toBe(false);
  });

  it('does not count an unreachable IMDS as a source set up here (it is asked on any machine)', async () => {
    const imds = await startImdsServer();
    servers.push(imds.server);
    await imds.server.down();
    Object.assign(process.env, { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.server.url, AWS_EC2_METADATA_DISABLED: 'false' });
    const err = await createCredentialChain({ region: REGION })().then(() => null, (e: unknown) => e as CredentialChainError);
    expect(err?.message).toMatch(/^no AWS credentials found \(env: /);
    expect(err?.sourceConfigured).toBe(false);
  });

  it('stops at a configured source that fails instead of falling through to the next one', async () => {
    const s = await sts();
    s.state.failWith = { status: 403, code: 'AccessDenied' };
    const tokenFile = env.write('token', 'jwt');
    Object.assign(process.env, { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/irsa' });
    await expect(createCredentialChain({ region: REGION })()).rejects.toThrow(/^credential source web-identity failed: AccessDenied/);
  });
});
