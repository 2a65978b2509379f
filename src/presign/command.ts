import { ConfigError, loadConfig, parseDuration, parseSize } from '../config/index.js';
import type { Config } from '../config/index.js';
import { createCredentialChain } from '../credentials/index.js';
import { SignetError } from '../errors.js';
import type { Credentials } from '../sigv4/types.js';
import { parseS3Url } from './parse-s3-url.js';
import { CHECKSUM_ALGORITHMS, SUCCESS_STATUSES, mintPostPolicy } from './post-policy.js';
import type { PostChecksumAlgorithm, PostPolicyRequest } from './post-policy.js';
import { PRESIGN_METHODS, parsePresignMethod } from './presign-spec.js';
import type { PresignMethod } from './presign-spec.js';
import { presignUrl } from './presign-url.js';
import { flag, readArgs, usage } from './read-args.js';
import type { ReadArgs } from './read-args.js';

const SERVE_FLAGS = '[serve flags: --region, --upstream, --profile, --role-arn, --addressing …]';

export const PRESIGN_USAGE = `Usage: signet presign [--method ${PRESIGN_METHODS.join('|')}] [--expires 1h] [--header 'name: value']…
                      [--upload-id ID [--part-number N]] [--version-id ID] [--query name=value]… [--json]
                      ${SERVE_FLAGS} s3://bucket/key

Prints a presigned URL signed with the credentials signet serve would use: GetObject, HeadObject,
PutObject, DeleteObject, and the multipart calls (POST --query uploads= creates an upload, PUT
--upload-id --part-number uploads a part, POST --upload-id completes, DELETE --upload-id aborts).
--header signs a header the URL's user must then send as given (content-type, x-amz-acl,
x-amz-checksum-sha256, …). --json prints {"url","method","headers","expiresSeconds","expiresAt"}.
The expiry (default 1h) is cut to what the credentials have left and to S3's limit of 7 days.`;

export const PRESIGN_POST_USAGE = `Usage: signet presign-post [--expires 1h] [--max-size 10MiB] [--min-size 0] [--content-type image/]
                           [--acl private] [--success-action-status 200|201|204] [--redirect URL]
                           [--meta name=value]… [--checksum CRC32|CRC32C|SHA1|SHA256]
                           ${SERVE_FLAGS} s3://bucket/prefix/ | s3://bucket/key

Prints {"url": …, "fields": {…}} for a browser upload (S3 POST Object): send every field, then the
file as the last field named "file" (curl -F, an HTML form, FormData). A target ending in '/' lets
the form choose any key under that prefix (the key field is prefix\${filename}); otherwise the key
is fixed. The policy allows nothing the flags do not name.`;

export interface PresignIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly now?: () => Date;
}

function seconds(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 1000) usage(`--expires: ${JSON.stringify(text)} is not a duration of at least 1s (e.g. 900, 15m, 1h, 168h)`);
  return Math.floor(ms / 1000);
}

function size(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = parseSize(text);
  if (n === undefined) usage(`${name}: ${JSON.stringify(text)} is not a size (e.g. 1048576, 10MiB)`);
  return n;
}

/** `name=value` pairs of a repeatable flag. */
function pairs(args: ReadArgs, name: string, separator: string): Array<[string, string]> {
  return (args.flags.get(name) ?? []).map((text) => {
    const at = text.indexOf(separator);
    if (at <= 0) usage(`${name}: expected "name${separator}value", got ${JSON.stringify(text)}`);
    return [text.slice(0, at).trim(), text.slice(at + separator.length).trim()];
  });
}

function s3Target(args: ReadArgs): { bucket: string; key: string } {
  if (args.target === undefined) usage('no s3://bucket/key given');
  const parsed = parseS3Url(args.target);
  if (typeof parsed === 'string') usage(parsed);
  return parsed;
}

async function credentialsFor(config: Config, io: PresignIo, command: string): Promise<Credentials | null> {
  const fetch = createCredentialChain({
    profile: config.profile, roleArn: config.roleArn, externalId: config.externalId, roleSessionName: config.roleSessionName,
    roleDurationSeconds: Math.round(config.roleDuration / 1000), region: config.region, env: io.env,
  });
  try {
    return (await fetch()).credentials;
  } catch (err) {
    io.err(`signet ${command}: ${(err as Error).message}`);
    return null;
  }
}

function warnShortened(io: PresignIo, command: string, asked: number, got: number, why: 'credentials' | 'seven-days' | null): void {
  if (why === null) return;
  const reason = why === 'credentials' ? 'the credentials expire by then' : 'S3 allows at most 7 days';
  io.err(`signet ${command}: warning: expiry shortened from ${asked}s to ${got}s (${reason})`);
}

/**
 * The frame both commands share: parse (exit 2 on bad input), fetch credentials (exit 1), mint,
 * print. `build` returns what to print, or throws a ConfigError/SignetError for the user.
 */
async function run(
  command: string, help: string, argv: readonly string[], io: PresignIo,
  parse: (argv: readonly string[]) => { args: ReadArgs; config: Config },
  build: (args: ReadArgs, config: Config, credentials: Credentials, now: Date) => string,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(help);
    return 0;
  }
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`signet ${command}: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const credentials = await credentialsFor(parsed.config, io, command);
  if (credentials === null) return 1;
  try {
    io.out(build(parsed.args, parsed.config, credentials, io.now?.() ?? new Date()));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`signet ${command}: ${err.message}`);
      return 2;
    }
    if (err instanceof SignetError) {
      io.err(`signet ${command}: ${err.reason}`);
      return err.code === 'InvalidArgument' ? 2 : 1;
    }
    throw err;
  }
}

const PRESIGN_FLAGS = {
  valued: new Set(['--method', '--expires', '--header', '--upload-id', '--part-number', '--version-id', '--query']),
  repeatable: new Set(['--header', '--query']),
  boolean: new Set(['--json']),
};

/** `signet presign`: exit 0 with the URL on stdout, 2 on bad input, 1 when credentials fail. */
export function runPresign(argv: readonly string[], io: PresignIo): Promise<number> {
  return run('presign', PRESIGN_USAGE, argv, io, (a) => {
    const args = readArgs(a, PRESIGN_FLAGS);
    const s3 = s3Target(args);
    const m = flag(args, '--method') ?? 'GET';
    let method: PresignMethod;
    try {
      method = parsePresignMethod(m);
    } catch {
      usage(`--method: ${JSON.stringify(m)} is not one of ${PRESIGN_METHODS.join(', ')}`);
    }
    if (method === 'PUT' && s3.key === '') usage('PUT needs an object key: s3://bucket/key');
    seconds(flag(args, '--expires') ?? '1h');
    pairs(args, '--header', ':');
    pairs(args, '--query', '=');
    return { args, config: loadConfig([...args.rest], io.env) };
  }, (args, config, credentials, now) => {
    const s3 = s3Target(args);
    const query: Array<[string, string]> = [];
    for (const [name, f] of [['uploadId', '--upload-id'], ['partNumber', '--part-number'], ['versionId', '--version-id']] as const) {
      const v = flag(args, f);
      if (v !== undefined) query.push([name, v]);
    }
    query.push(...pairs(args, '--query', '='));
    const asked = seconds(flag(args, '--expires') ?? '1h');
    const result = presignUrl({
      method: parsePresignMethod(flag(args, '--method') ?? 'GET'), bucket: s3.bucket, key: s3.key, query,
      headers: Object.fromEntries(pairs(args, '--header', ':')), upstream: config.upstream, addressing: config.addressing,
      region: config.region, service: config.service, credentials, now, expiresSeconds: asked,
      sigv4a: config.signingAlgorithm === 'sigv4a' ? { regionSet: config.regionSet } : undefined,
    });
    warnShortened(io, 'presign', asked, result.expiresSeconds, result.shortened);
    if (flag(args, '--json') === undefined) return result.url;
    const { url, method, headers, expiresSeconds, expiresAt } = result;
    return JSON.stringify({ url, method, headers, expiresSeconds, expiresAt });
  });
}

const POST_FLAGS = {
  valued: new Set(['--expires', '--max-size', '--min-size', '--content-type', '--acl', '--success-action-status', '--redirect', '--meta', '--checksum']),
  repeatable: new Set(['--meta']),
};

function postRequest(args: ReadArgs, expiresSeconds: number): PostPolicyRequest {
  const s3 = s3Target(args);
  const status = flag(args, '--success-action-status');
  if (status !== undefined && !(SUCCESS_STATUSES as readonly string[]).includes(status)) usage('--success-action-status: must be 200, 201 or 204');
  const checksum = flag(args, '--checksum')?.toUpperCase();
  if (checksum !== undefined && !(CHECKSUM_ALGORITHMS as readonly string[]).includes(checksum)) usage(`--checksum: must be one of ${CHECKSUM_ALGORITHMS.join(', ')}`);
  const optional = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } => (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
  const meta = pairs(args, '--meta', '=');
  return {
    bucket: s3.bucket, key: s3.key, prefix: s3.key === '' || s3.key.endsWith('/'), expiresSeconds,
    ...optional('minSize', size('--min-size', flag(args, '--min-size'))),
    ...optional('maxSize', size('--max-size', flag(args, '--max-size'))),
    ...optional('contentTypePrefix', flag(args, '--content-type')),
    ...optional('acl', flag(args, '--acl')),
    ...optional('successActionStatus', status as PostPolicyRequest['successActionStatus']),
    ...optional('successActionRedirect', flag(args, '--redirect')),
    ...(meta.length > 0 ? { metadata: Object.fromEntries(meta) } : {}),
    ...optional('checksumAlgorithm', checksum as PostChecksumAlgorithm | undefined),
  };
}

/** `signet presign-post`: the url and fields of a browser POST upload, as JSON on stdout. */
export function runPresignPost(argv: readonly string[], io: PresignIo): Promise<number> {
  return run('presign-post', PRESIGN_POST_USAGE, argv, io, (a) => {
    const args = readArgs(a, POST_FLAGS);
    postRequest(args, seconds(flag(args, '--expires') ?? '1h'));
    return { args, config: loadConfig([...args.rest], io.env) };
  }, (args, config, credentials, now) => {
    const asked = seconds(flag(args, '--expires') ?? '1h');
    const policy = mintPostPolicy({
      ...postRequest(args, asked), upstream: config.upstream, addressing: config.addressing, region: config.region,
      service: config.service, credentials, now,
    });
    warnShortened(io, 'presign-post', asked, policy.expiresSeconds, policy.shortened);
    return JSON.stringify({ url: policy.url, fields: policy.fields, expiresAt: policy.expiresAt }, null, 2);
  });
}

const realIo = (): PresignIo => ({ out: (l) => console.log(l), err: (l) => console.error(l), env: process.env });

/** The CLI entries: real stdout/stderr and environment. */
export function presignCommand(argv: readonly string[]): Promise<number> {
  return runPresign(argv, realIo());
}

export function presignPostCommand(argv: readonly string[]): Promise<number> {
  return runPresignPost(argv, realIo());
}
