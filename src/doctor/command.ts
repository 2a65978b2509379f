import { createUpstreamAgent } from '../server/upstream-agent.js';
import { ConfigError, loadConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { createCredentialChain } from '../credentials/index.js';
import type { CredentialFetcher } from '../credentials/index.js';
import { checkCredentials, checkIdentity } from './check-identity.js';
import { checkRegion } from './check-region.js';
import { checkRoundTrip } from './check-round-trip.js';
import { checkUpstream } from './check-upstream.js';
import { formatReport, reportJson } from './report.js';
import { diagnoseRoutes } from './check-routes.js';
import type { CheckResult } from './types.js';

export interface DoctorIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const DEFAULT_IO: DoctorIo = { env: process.env, out: (t) => console.log(t), err: (t) => console.error(t) };

/** Takes out doctor's own flags; the rest are `signet serve` flags. */
function splitArgs(argv: string[]): { bucket: string | undefined; json: boolean; rest: string[] } {
  let bucket: string | undefined;
  let json = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--bucket') bucket = argv[++i];
    else if (a.startsWith('--bucket=')) bucket = a.slice('--bucket='.length);
    else rest.push(a);
  }
  return { bucket: bucket === '' ? undefined : bucket, json, rest };
}

/**
 * `signet doctor [--bucket NAME] [--json] [serve flags…]`: the troubleshooting steps as one
 * command. Exit 0 only when no check found a problem; 2 for bad flags.
 */
const DOCTOR_USAGE = `Usage: signet doctor [--bucket NAME] [--json] [serve flags…]

Runs the troubleshooting checks with the settings signet serve would use, one line each:
credential source and identity (STS GetCallerIdentity), upstream reachability and TLS, clock
offset against S3's Date, the bucket's region, and a signed HEAD round trip through the proxy's
own code path. With a routes: list in --config, every route is checked, each line named after
its route (S3 routes get the region and round-trip checks for --bucket, or for a bucket the
route names without a wildcard). --json prints { ok, checks: [{ name, status, detail, fix? }] }.
Exit 0 when every check passes, 1 when one found a problem, 2 for bad flags.
The serve flags (signet serve --help) select region, upstream, profile, role…`;

export async function runDoctor(argv: string[], io: DoctorIo = DEFAULT_IO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  const { bucket, json, rest } = splitArgs(argv);
  let config: Config;
  try {
    config = loadConfig(rest, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`signet doctor: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const results = await diagnose(config, bucket, io.env);
  io.out(json ? reportJson(results) : formatReport(results));
  return results.some((r) => r.status === 'problem') ? 1 : 0;
}

export async function diagnose(config: Config, bucket: string | undefined, env: NodeJS.ProcessEnv, fetch?: CredentialFetcher): Promise<CheckResult[]> {
  if (config.routes !== null) return diagnoseRoutes(config, config.routes, bucket, env, fetch);
  const dispatcher = createUpstreamAgent(config);
  try {
    const chain = fetch ?? createCredentialChain({
      profile: config.profile, roleArn: config.roleArn, externalId: config.externalId, roleSessionName: config.roleSessionName,
      roleDurationSeconds: Math.round(config.roleDuration / 1000), region: config.region, env,
    });
    let source = '';
    const creds = await checkCredentials(async () => {
      const got = await chain();
      source = got.source;
      return got;
    });
    const upstream = await checkUpstream(config.upstream, dispatcher);
    // Sign the direct checks with S3's time, so a skewed clock shows up once, in its own line.
    const date = new Date(Date.now() + upstream.offsetMs);
    const identity = await checkIdentity(creds.credentials, config.region, env, dispatcher, date);
    const region = await checkRegion(bucket, config, creds.credentials, dispatcher, date);
    const roundTrip = await checkRoundTrip(bucket, config, creds.credentials, source);
    return [creds.result, identity, upstream.reach, upstream.clock, region, roundTrip];
  } finally {
    await dispatcher.close();
  }
}
