import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../src/config/index.js';
import { staticKeys, startDemoS3 } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { createAccessLog, createLogger } from '../../../src/observability/index.js';
import { startSignet } from '../../../src/server/signet.js';
import type { RunningSignet } from '../../../src/server/signet.js';
import { startSigV4Service } from '../../support/sigv4-service.js';
import type { SigV4Service } from '../../support/sigv4-service.js';

/** Each upstream holds its own keys: a request signed as the wrong identity is refused there. */
export const TEAM_A_KEYS = { accessKeyId: 'AKIATEAMAROUTE', secretAccessKey: 'team-a-upstream-secret/+0123456789abcdef' };
export const TEAM_B_KEYS = { accessKeyId: 'AKIATEAMBROUTE', secretAccessKey: 'team-b-upstream-secret/+0123456789abcdef' };
export const SEARCH_KEYS = { accessKeyId: 'AKIASEARCHROUTE', secretAccessKey: 'search-upstream-secret/+0123456789abcde' };

/** Gateway clients (--inbound-keys). */
export const ADMIN = { accessKeyId: 'GWADMIN', secretAccessKey: 'gateway-admin-secret/+abcdefghijklmnop' };
export const TEAM_A_CLIENT = { accessKeyId: 'GWTEAMA', secretAccessKey: 'gateway-team-a-secret/+abcdefghijklmn' };
export const READER = { accessKeyId: 'GWREADER', secretAccessKey: 'gateway-reader-secret/+abcdefghijklmn' };
export const SEARCHER = { accessKeyId: 'GWSEARCH', secretAccessKey: 'gateway-search-secret/+abcdefghijklmn' };

export interface Gateway {
  readonly signet: RunningSignet;
  readonly url: string;
  readonly s3a: DemoS3;
  readonly s3b: DemoS3;
  readonly search: SigV4Service;
  readonly logs: string[];
  readonly configFile: string;
  readonly dir: string;
  /** The routes: YAML this gateway started with. */
  readonly routesYaml: string;
  close(): Promise<void>;
}

/**
 * One signet in front of three upstreams on 127.0.0.1: two embedded S3 servers (different keys and
 * regions, each verifying with @smithy/signature-v4) and a generic SigV4 service (`es`) verifying
 * with smithy's generic rules. Team identities come from a shared credentials file (profiles);
 * the search route uses the default chain (handed in, as the harness does).
 */
export async function startGateway(): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-routes-'));
  const s3a = await startDemoS3({ region: 'eu-west-1', keys: staticKeys([TEAM_A_KEYS]), record: true, autoCreateBuckets: true });
  const s3b = await startDemoS3({ region: 'us-west-2', keys: staticKeys([TEAM_B_KEYS]), record: true, autoCreateBuckets: true });
  const search = await startSigV4Service({ service: 'es', region: 'eu-west-1', credentials: SEARCH_KEYS, requirePayloadHeader: true });
  const credentialsFile = join(dir, 'credentials');
  writeFileSync(credentialsFile, [
    '[team-a]', `aws_access_key_id = ${TEAM_A_KEYS.accessKeyId}`, `aws_secret_access_key = ${TEAM_A_KEYS.secretAccessKey}`,
    '[team-b]', `aws_access_key_id = ${TEAM_B_KEYS.accessKeyId}`, `aws_secret_access_key = ${TEAM_B_KEYS.secretAccessKey}`, '',
  ].join('\n'));
  const awsConfigFile = join(dir, 'config');
  writeFileSync(awsConfigFile, '');
  const keysFile = join(dir, 'clients.yaml');
  writeFileSync(keysFile, [
    'clients:',
    `  - { accessKeyId: ${ADMIN.accessKeyId}, secret: "${ADMIN.secretAccessKey}", name: admin }`,
    `  - { accessKeyId: ${TEAM_A_CLIENT.accessKeyId}, secret: "${TEAM_A_CLIENT.secretAccessKey}", name: team-a-app, routes: [team-a] }`,
    `  - { accessKeyId: ${READER.accessKeyId}, secret: "${READER.secretAccessKey}", name: reader, actions: [read-only] }`,
    `  - { accessKeyId: ${SEARCHER.accessKeyId}, secret: "${SEARCHER.secretAccessKey}", name: searcher, routes: [search] }`,
    '',
  ].join('\n'));
  const routesYaml = [
    'routes:',
    '  - name: search',
    '    match: { pathPrefix: /search }',
    `    upstream: ${search.url}`,
    '    region: eu-west-1',
    '    service: es',
    '  - name: team-a',
    '    match: { buckets: ["team-a-*"] }',
    `    upstream: ${s3a.url}`,
    '    region: eu-west-1',
    '    credentials: { profile: team-a }',
    '  - name: team-b-host',
    '    match: { hosts: ["s3.team-b.internal"] }',
    `    upstream: ${s3b.url}`,
    '    region: us-west-2',
    '    credentials: { profile: team-b }',
    '  - name: team-b',
    '    match: { buckets: ["team-b-*"] }',
    `    upstream: ${s3b.url}`,
    '    region: us-west-2',
    '    credentials: { profile: team-b }',
    '',
  ].join('\n');
  const configFile = join(dir, 'signet.yaml');
  writeFileSync(configFile, routesYaml);
  const config = loadConfig(['--region', 'us-east-1', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--config', configFile, '--inbound-keys', keysFile], {});
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(line);
      cb();
    },
  });
  const signet = await startSignet(config, {
    logger: createLogger({ level: 'info', destination: sink }), accessLog: createAccessLog('info', sink),
    fetchCredentials: async () => ({ credentials: { ...SEARCH_KEYS }, source: 'test' }),
    env: { AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: awsConfigFile, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  return {
    signet, url: signet.proxy.url, s3a, s3b, search, logs, configFile, dir, routesYaml,
    async close() {
      await signet.close();
      await Promise.all([s3a.close(), s3b.close(), search.close()]);
    },
  };
}

/** The access-log lines, parsed. */
export function requestLines(logs: readonly string[]): Array<Record<string, unknown>> {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request');
}
