import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Debian's AWS CLI v2 and s3cmd, run as users run them, with a configuration that keeps every packet
// on loopback. The first `aws` on PATH may be a broken pyenv shim, so the Debian paths are used
// unless an override names another binary.

export const AWS_CLI = process.env['SIGNET_TEST_AWS'] ?? '/usr/bin/aws';
export const S3CMD = process.env['SIGNET_TEST_S3CMD'] ?? '/usr/bin/s3cmd';

/** Why a client's tests cannot run here, or null when they can. */
export function clientMissing(binary: string, debianPackage: string, override: string): string | null {
  return existsSync(binary) ? null : `${binary} is absent: install Debian's ${debianPackage} (apt-get install ${debianPackage}) or name a binary in ${override}`;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a client to its end; a non-zero exit is returned, not thrown, so a test can assert on refusals. */
export function runClient(binary: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { env, maxBuffer: 64 << 20, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') return reject(err);
      resolve({ code: err === null ? 0 : (err.code as number), stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** A shell pipeline (`producer | client …`), so the client reads a real pipe of unknown length. */
export function runPiped(producer: string, binary: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const quoted = [binary, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return runClient('/bin/sh', ['-c', `${producer} | ${quoted}`], env);
}

export interface ClientHome {
  readonly dir: string;
  /** The environment both clients run with: nothing of the developer's setup, IMDS off. */
  readonly env: NodeJS.ProcessEnv;
  /** s3cmd's config file (pass as `-c`). */
  readonly s3cfg: string;
}

/**
 * A temporary home with an AWS CLI config and credentials (path addressing, the given keys) and an
 * `.s3cfg` pointing s3cmd at `endpoint` over plain HTTP; the endpoint must be on 127.0.0.1.
 */
export function clientHome(endpoint: string, keys: { accessKeyId: string; secretAccessKey: string }): ClientHome {
  const u = new URL(endpoint);
  if (u.hostname !== '127.0.0.1') throw new Error(`real clients only ever talk to loopback, not ${u.hostname}`);
  const dir = mkdtempSync(join(tmpdir(), 'signet-clients-'));
  const config = join(dir, 'config');
  const credentials = join(dir, 'credentials');
  const s3cfg = join(dir, 's3cfg');
  writeFileSync(config, '[default]\nregion = us-east-1\noutput = json\ns3 =\n  addressing_style = path\n');
  writeFileSync(credentials, `[default]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`);
  // host_bucket without %(bucket)s: s3cmd uses path-style URLs. No proxy, no HTTPS, signature v4.
  writeFileSync(s3cfg, [
    '[default]', `access_key = ${keys.accessKeyId}`, `secret_key = ${keys.secretAccessKey}`, `host_base = ${u.host}`, `host_bucket = ${u.host}`,
    'bucket_location = us-east-1', 'use_https = False', 'signature_v2 = False', 'check_ssl_certificate = False', 'proxy_host =',
    'proxy_port = 0', 'multipart_chunk_size_mb = 15', 'enable_multipart = True', 'progress_meter = False', '',
  ].join('\n'));
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8',
    AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '', AWS_CLI_AUTO_PROMPT: 'off', AWS_MAX_ATTEMPTS: '1', AWS_RETRY_MODE: 'standard',
  };
  return { dir, env, s3cfg };
}

/** Writes `bytes` of a repeating, position-dependent pattern (so a shifted or dropped block shows) and returns its MD5. */
export async function patternFile(path: string, bytes: number): Promise<string> {
  const out = createWriteStream(path);
  const md5 = createHash('md5');
  const block = Buffer.alloc(1 << 20);
  for (let off = 0; off < bytes; off += block.length) {
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((off + i) >>> 0, i);
    const piece = bytes - off >= block.length ? block : block.subarray(0, bytes - off);
    md5.update(piece);
    if (!out.write(Buffer.from(piece))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise((r) => out.end(r));
  return md5.digest('hex');
}

export const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');
