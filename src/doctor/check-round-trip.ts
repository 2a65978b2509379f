import { Writable } from 'node:stream';
import { request } from 'undici';
import type { Config } from '../config/index.js';
import { createLogger } from '../observability/index.js';
import { startSignet } from '../server/signet.js';
import type { Credentials } from '../sigv4/types.js';
import { ok, problem, skipped } from './types.js';
import type { CheckResult } from './types.js';

interface RequestLog {
  msg?: string;
  error?: string;
  retries?: number;
  region?: string;
  summary?: string;
}

const FIXES: Readonly<Record<string, string>> = {
  AccessDenied: 'the identity lacks s3:ListBucket on the bucket, or a bucket policy/SCP denies it',
  InvalidAccessKeyId: 'S3 does not know this access key; see the identity check',
  SignatureDoesNotMatch: 'the secret key does not match, or something between signet and S3 rewrites the request (see the detail)',
  NoSuchBucket: 'check the bucket name',
  GatewayTimeout: 'the endpoint did not answer in time; see the endpoint check and --headers-timeout',
  BadGateway: 'the endpoint could not be reached; see the endpoint check',
};

/**
 * HEAD /<bucket> through a real, in-process proxy (127.0.0.1, port 0, admin off): the same
 * pipeline, signing, region discovery, skew correction and retries as `signet serve`.
 */
async function call(url: string, method: 'HEAD' | 'GET'): Promise<number> {
  const res = await request(url, { method });
  await res.body.dump();
  return res.statusCode;
}

export async function checkRoundTrip(bucket: string | undefined, config: Config, credentials: Credentials | null, source: string): Promise<CheckResult> {
  if (bucket === undefined) return skipped('round trip', 'pass --bucket NAME for a signed HEAD through the proxy');
  if (credentials === null) return skipped('round trip', 'no credentials to sign with');
  const lines: RequestLog[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as RequestLog);
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination: sink });
  const local: Config = { ...config, listen: { ...config.listen, host: '127.0.0.1', port: 0 }, adminListen: null, tlsCert: undefined, tlsKey: undefined };
  const signet = await startSignet(local, { logger, fetchCredentials: async () => ({ credentials, source }) });
  const path = `/${encodeURIComponent(bucket)}`;
  let status: number;
  try {
    status = await call(signet.proxy.url + path, 'HEAD');
    // S3 answers a failed HEAD without a body, so without its error code: ask once more with a
    // GET (list one key) to learn the code and let signet explain a SignatureDoesNotMatch.
    if (status !== 200) await call(signet.proxy.url + path + '?list-type=2&max-keys=1', 'GET');
  } finally {
    await signet.close();
  }
  const requests = lines.filter((l) => l.msg === 'request');
  const entry: RequestLog = { ...requests[0], error: requests.find((l) => l.error !== undefined)?.error };
  const healed = (entry.retries ?? 0) > 0 ? `, after ${entry.retries} retr${entry.retries === 1 ? 'y' : 'ies'}` : '';
  if (status === 200) return ok('round trip', `HEAD /${bucket} through signet: 200 (signed for ${entry.region ?? config.region}${healed})`);
  const code = entry.error ?? `HTTP ${status}`;
  const mismatch = lines.find((l) => l.summary !== undefined)?.summary;
  return problem('round trip', `HEAD /${bucket} through signet: ${status} ${code}${mismatch === undefined ? '' : ` (${mismatch})`}`,
    FIXES[code] ?? 'see the checks above');
}
