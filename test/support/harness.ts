import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/index.js';
import { demoCredentials, staticKeys, startDemoS3 } from '../../src/demo/index.js';
import type { DemoS3, DemoS3Options } from '../../src/demo/index.js';
import { createAccessLog, createLogger } from '../../src/observability/index.js';
import { startSignet } from '../../src/server/signet.js';
import type { RunningSignet } from '../../src/server/signet.js';

export interface Harness {
  readonly signet: RunningSignet;
  readonly s3: DemoS3;
  /** signet's proxy URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Every JSON log line signet wrote. */
  readonly logs: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly args?: string[];
  readonly s3?: Partial<DemoS3Options>;
  readonly sessionToken?: string;
  readonly logLevel?: string;
  /** The environment signet's configuration reads (OTEL_* for tracing); empty when absent. */
  readonly env?: NodeJS.ProcessEnv;
  /** HTML signet serves at /_signet/demo (signet demo's upload page, or a test's own page). */
  readonly demoPage?: string;
  /** What signet's --upstream points at, given the embedded S3 (a fault proxy in front of it); the S3 itself when absent. */
  readonly upstream?: (s3: DemoS3) => Promise<string>;
}

/** signet in front of the embedded S3 (which checks every signature with @smithy/signature-v4), both on 127.0.0.1. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const keys = { ...demoCredentials(), ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}) };
  const s3 = await startDemoS3({ region: 'us-east-1', keys: staticKeys([keys]), record: true, ...options.s3 });
  const config = loadConfig(
    ['--region', 'us-east-1', '--upstream', options.upstream === undefined ? s3.url : await options.upstream(s3), '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0',
      '--max-retries', '2', ...(options.args ?? [])],
    options.env ?? {},
  );
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(line);
      cb();
    },
  });
  // The same two loggers signet builds for itself, writing into `logs`.
  const level = options.logLevel ?? 'info';
  const logger = createLogger({ level, destination: sink });
  const accessLog = createAccessLog(level, sink);
  const signet = await startSignet(config, { logger, accessLog, fetchCredentials: async () => ({ credentials: { ...keys }, source: 'test' }),
    ...(options.demoPage !== undefined ? { demoPage: options.demoPage } : {}),
  });
  return {
    signet, s3, url: signet.proxy.url, keys, logs,
    async close() {
      await signet.close();
      await s3.close();
    },
  };
}
