import { assumeRoleOnTop } from './assume-role.js';
import { chainLinks } from './chain-links.js';
import { describeError } from './describe.js';
import { toCredentials } from './to-credentials.js';
import type { CredentialChainOptions, CredentialFetcher } from './types.js';

/** Thrown when no link of the chain supplied credentials; the message names each source and why it failed. */
export class CredentialChainError extends Error {
  /**
   * True when a source set up here failed (an unreachable container endpoint or STS, a refused token):
   * worth waiting for. False when nothing here could supply credentials at all.
   */
  readonly sourceConfigured: boolean;

  constructor(message: string, sourceConfigured: boolean) {
    super(message);
    this.name = 'CredentialChainError';
    this.sourceConfigured = sourceConfigured;
  }
}

/**
 * The credential chain in the SDK's order (env, profile, process, web identity, container or IMDS),
 * optionally with a role assumed on top. Every call asks the sources afresh: refresh timing belongs
 * to CredentialCache, not to the SDK.
 */
export function createCredentialChain(options: CredentialChainOptions): CredentialFetcher {
  const env = options.env ?? process.env;
  const links = chainLinks(env, options.profile, options.region);
  const base: CredentialFetcher = async () => {
    const misses: string[] = [];
    // The SDK marks an unreachable container endpoint "try the next link" too: a source the
    // environment names that was tried and failed is still set up here and may come back.
    let explicitFailed = false;
    for (const link of links) {
      if (link.skipReason !== null) {
        misses.push(`${link.name}: ${link.skipReason}`);
        continue;
      }
      try {
        const { identity, source } = await link.provide();
        return { credentials: toCredentials(identity), source };
      } catch (err) {
        // The SDK's rule: errors marked tryNextLink mean "this source is not configured"; anything
        // else (STS refused, a malformed profile) is a real failure of a configured source.
        if (!(err as { tryNextLink?: boolean }).tryNextLink) {
          throw new CredentialChainError(`credential source ${link.name} failed: ${describeError(err)}`, true);
        }
        // A source the environment names comes first: it is the one to fix, and long reasons get clipped.
        if (link.explicit) {
          explicitFailed = true;
          misses.unshift(`${link.name}: ${describeError(err)}`);
        } else {
          misses.push(`${link.name}: ${describeError(err)}`);
        }
      }
    }
    throw new CredentialChainError(`no AWS credentials found (${misses.join('; ')})`, explicitFailed);
  };
  if (options.roleArn === undefined || options.roleArn === '') return base;
  return assumeRoleOnTop(base, {
    roleArn: options.roleArn,
    externalId: options.externalId,
    roleSessionName: options.roleSessionName,
    durationSeconds: options.roleDurationSeconds,
    region: options.region,
  });
}

