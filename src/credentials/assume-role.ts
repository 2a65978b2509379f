import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { toCredentials } from './to-credentials.js';
import type { CredentialFetcher } from './types.js';

export interface AssumeRoleOptions {
  roleArn: string;
  externalId?: string | undefined;
  roleSessionName?: string | undefined;
  durationSeconds?: number | undefined;
  region: string;
}

/**
 * `--role-arn`: STS AssumeRole with whatever the inner chain found as the caller (role chaining).
 * The STS client is regional (the configured region) and, like every SDK client, honours
 * AWS_ENDPOINT_URL_STS. fromTemporaryCredentials does not memoize, so each call is a new AssumeRole.
 */
export function assumeRoleOnTop(inner: CredentialFetcher, options: AssumeRoleOptions): CredentialFetcher {
  let innerSource = 'unknown';
  const provider = fromTemporaryCredentials({
    params: {
      RoleArn: options.roleArn,
      // One name per process keeps CloudTrail readable; AWS_ROLE_SESSION_NAME is the web-identity one.
      RoleSessionName: options.roleSessionName ?? `signet-${Date.now()}`,
      ExternalId: options.externalId,
      DurationSeconds: options.durationSeconds,
    },
    masterCredentials: async () => {
      const { credentials, source } = await inner();
      innerSource = source;
      return credentials;
    },
    clientConfig: { region: options.region },
  });
  return async () => {
    const identity = await provider();
    return { credentials: toCredentials(identity), source: `assume-role(${innerSource})` };
  };
}
