import { ConfigError, loadConfig, parseDuration } from '../config/index.js';
import { createCredentialChain } from '../credentials/index.js';
import { SignetError } from '../errors.js';
import { parseS3Url } from './parse-s3-url.js';
import { presignUrl } from './presign-url.js';
import type { PresignMethod } from './presign-url.js';

export const PRESIGN_USAGE = `Usage: signet presign [--method GET|PUT] [--expires 1h] [serve flags: --region, --upstream, --profile, --role-arn, --addressing …] s3://bucket/key

Prints a presigned URL signed with the credentials signet serve would use. The expiry
(default 1h) is cut to what the credentials have left and to S3's limit of 7 days.`;

export interface PresignIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly now?: () => Date;
}

interface PresignArgs {
  method: PresignMethod;
  expiresSeconds: number;
  target: string;
  rest: string[];
}

function usage(message: string): never {
  throw new ConfigError(message);
}

function readArgs(argv: readonly string[]): PresignArgs {
  let method: PresignMethod = 'GET';
  let expires = '1h';
  let target: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    if (name === '--method' || name === '--expires') {
      const value = eq !== -1 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) usage(`${name}: needs a value`);
      if (name === '--method') {
        const m = value.toUpperCase();
        if (m !== 'GET' && m !== 'PUT') usage(`--method: ${JSON.stringify(value)} is not GET or PUT`);
        method = m;
      } else expires = value;
    } else if (!arg.startsWith('-')) {
      if (target !== undefined) usage(`more than one s3:// URL given (${JSON.stringify(target)} and ${JSON.stringify(arg)})`);
      target = arg;
    } else {
      rest.push(arg);
      // A serve flag's value travels with it (`--region eu-west-1`); `--flag=value` is one word.
      const next = argv[i + 1];
      if (eq === -1 && next !== undefined && !next.startsWith('-') && !next.startsWith('s3://')) rest.push(argv[++i]!);
    }
  }
  if (target === undefined) usage('no s3://bucket/key given');
  const ms = parseDuration(expires);
  if (ms === undefined || ms < 1000) usage(`--expires: ${JSON.stringify(expires)} is not a duration of at least 1s (e.g. 900, 15m, 1h, 168h)`);
  return { method, expiresSeconds: Math.floor(ms / 1000), target, rest };
}

/** `signet presign`: exit 0 with the URL on stdout, 2 on bad input, 1 when credentials fail. */
export async function runPresign(argv: readonly string[], io: PresignIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(PRESIGN_USAGE);
    return 0;
  }
  let args: PresignArgs;
  let config;
  let s3: { bucket: string; key: string };
  try {
    args = readArgs(argv);
    const parsed = parseS3Url(args.target);
    if (typeof parsed === 'string') usage(parsed);
    s3 = parsed;
    if (args.method === 'PUT' && s3.key === '') usage('PUT needs an object key: s3://bucket/key');
    config = loadConfig(args.rest, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`signet presign: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const fetch = createCredentialChain({
    profile: config.profile, roleArn: config.roleArn, externalId: config.externalId, roleSessionName: config.roleSessionName,
    roleDurationSeconds: Math.round(config.roleDuration / 1000), region: config.region, env: io.env,
  });
  let credentials;
  try {
    ({ credentials } = await fetch());
  } catch (err) {
    io.err(`signet presign: ${(err as Error).message}`);
    return 1;
  }
  try {
    const result = presignUrl({
      method: args.method, bucket: s3.bucket, key: s3.key, upstream: config.upstream, addressing: config.addressing,
      region: config.region, service: config.service, credentials, now: io.now?.() ?? new Date(), expiresSeconds: args.expiresSeconds,
    });
    if (result.shortened !== null) {
      const why = result.shortened === 'credentials' ? 'the credentials expire by then' : 'S3 allows at most 7 days';
      io.err(`signet presign: warning: expiry shortened from ${args.expiresSeconds}s to ${result.expiresSeconds}s (${why})`);
    }
    io.out(result.url);
    return 0;
  } catch (err) {
    if (err instanceof SignetError) {
      io.err(`signet presign: ${err.reason}`);
      return err.code === 'InvalidArgument' ? 2 : 1;
    }
    throw err;
  }
}

/** The CLI entry: real stdout/stderr and environment. */
export function presignCommand(argv: readonly string[]): Promise<number> {
  return runPresign(argv, { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env });
}
