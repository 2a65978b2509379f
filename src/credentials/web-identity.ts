import { fromTokenFile } from '@aws-sdk/credential-providers';
import { toCredentials } from './to-credentials.js';
import type { CredentialFetcher } from './types.js';

export interface WebIdentityOptions {
  readonly roleArn: string;
  readonly tokenFile: string;
  readonly roleSessionName?: string | undefined;
  readonly region: string;
}

/**
 * A gateway route's own web identity (its role and token file, beside the process's): STS
 * AssumeRoleWithWebIdentity with the token read afresh on every call, as the chain's link does
 * for AWS_WEB_IDENTITY_TOKEN_FILE. The STS client honours AWS_ENDPOINT_URL_STS like every SDK client.
 */
export function webIdentityFetcher(o: WebIdentityOptions): CredentialFetcher {
  const stsConfig = { clientConfig: { region: o.region }, parentClientConfig: { region: o.region } };
  return async () => {
    const identity = await fromTokenFile({
      webIdentityTokenFile: o.tokenFile, roleArn: o.roleArn, roleSessionName: o.roleSessionName ?? `signet-${Date.now()}`, ...stsConfig,
    })();
    return { credentials: toCredentials(identity), source: 'web-identity' };
  };
}
