import type { Dispatcher } from 'undici';
import type { Config } from '../config/index.js';
import { resolveEndpoint } from '../s3/endpoint.js';
import type { Credentials } from '../sigv4/types.js';
import { signedCall } from './signed-call.js';
import { ok, problem, skipped } from './types.js';
import type { CheckResult } from './types.js';

const BUCKET_REGION = 'x-amz-bucket-region';

/** HEAD bucket signed for the configured region: S3 names the bucket's region in x-amz-bucket-region, even when refusing. */
export async function checkRegion(bucket: string | undefined, config: Config, credentials: Credentials | null, dispatcher: Dispatcher, date: Date): Promise<CheckResult> {
  if (bucket === undefined) return skipped('region', 'pass --bucket NAME to check a bucket\'s region');
  if (credentials === null) return skipped('region', 'no credentials to sign with');
  // SigV4A signs for the region set, and a Multi-Region Access Point has no one region to learn.
  if (config.signingAlgorithm === 'sigv4a') return skipped('region', `SigV4A signs for the region set ${config.regionSet.join(',')}; the round-trip check covers it`);
  const endpoint = resolveEndpoint(config.upstream, bucket, config.addressing);
  let status: number;
  let region: string | string[] | undefined;
  try {
    const answer = await signedCall({
      origin: endpoint.origin, host: endpoint.host, method: 'HEAD', path: endpoint.virtualHosted ? '/' : '/' + encodeURIComponent(bucket),
      region: config.region, service: config.service, credentials, date, dispatcher,
    });
    status = answer.status;
    region = answer.headers[BUCKET_REGION];
  } catch (err) {
    return problem('region', `HEAD ${bucket} failed: ${(err as { code?: string }).code ?? (err as Error).message}`, 'fix the endpoint check first');
  }
  if (typeof region === 'string' && region !== '') {
    if (region === config.region) return ok('region', `bucket ${bucket} is in ${region}, as configured`);
    return problem('region', `bucket ${bucket} is in ${region}, signet is configured for ${config.region}`,
      `run with --region ${region} (signet follows the bucket anyway, at one extra round trip per bucket and hour)`);
  }
  if (status === 404) return problem('region', `bucket ${bucket} does not exist (HTTP 404)`, 'check the bucket name');
  if (status === 200) return ok('region', `bucket ${bucket} answered HEAD without naming its region; assuming ${config.region}`);
  return problem('region', `HEAD ${bucket} answered HTTP ${status} without naming a region`,
    status === 403 ? 'the credentials are refused or lack s3:ListBucket on the bucket; see the identity and round-trip checks' : 'see the round-trip check');
}
