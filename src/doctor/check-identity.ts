import type { Dispatcher } from 'undici';
import type { CredentialFetcher } from '../credentials/index.js';
import { accessKeyIdPrefix } from '../credentials/index.js';
import type { Credentials } from '../sigv4/types.js';
import { StsError, getCallerIdentity, stsEndpoint } from './sts-identity.js';
import { ok, problem, skipped } from './types.js';
import type { CheckResult } from './types.js';

export async function checkCredentials(fetch: CredentialFetcher): Promise<{ result: CheckResult; credentials: Credentials | null }> {
  try {
    const { credentials, source } = await fetch();
    const expiry = credentials.expiration === undefined ? '' : `, expire ${credentials.expiration.toISOString()}`;
    return { result: ok('credentials', `from ${source} (key ${accessKeyIdPrefix(credentials.accessKeyId)}…${expiry})`), credentials };
  } catch (err) {
    return {
      result: problem('credentials', (err as Error).message,
        'provide credentials the SDK way: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, --profile, a web identity token (IRSA), ECS/EKS pod identity or an instance role'),
      credentials: null,
    };
  }
}

const STS_FIXES: Readonly<Record<string, string>> = {
  InvalidClientTokenId: 'AWS does not know this access key: it was deleted, deactivated or mistyped; check AWS_ACCESS_KEY_ID or the profile',
  SignatureDoesNotMatch: 'the secret key does not belong to this access key id; check AWS_SECRET_ACCESS_KEY or the profile',
  ExpiredToken: 'the session token has expired; refresh the credentials (aws sso login, or a new role session)',
  AccessDenied: 'an SCP or permission boundary denies sts:GetCallerIdentity; the identity may still work for S3',
};

export async function checkIdentity(credentials: Credentials | null, region: string, env: NodeJS.ProcessEnv, dispatcher: Dispatcher, date: Date): Promise<CheckResult> {
  if (credentials === null) return skipped('identity', 'no credentials to ask STS about');
  const endpoint = stsEndpoint(region, env);
  try {
    const id = await getCallerIdentity(credentials, region, endpoint, dispatcher, date);
    return ok('identity', `${id.arn} (account ${id.account})`);
  } catch (err) {
    if (err instanceof StsError) {
      return problem('identity', `STS ${endpoint.host} refused GetCallerIdentity: ${err.code}`,
        STS_FIXES[err.code] ?? `STS said: ${err.message}`);
    }
    const code = (err as { code?: string }).code ?? (err as Error).message;
    return problem('identity', `cannot reach STS at ${endpoint.origin}: ${code}`,
      'allow egress to the STS regional endpoint (or set AWS_ENDPOINT_URL_STS to a VPC endpoint)');
  }
}
