export { CredentialCache } from './cache.js';
export type { CredentialCacheOptions } from './cache.js';
export { createCredentialChain, CredentialChainError } from './chain.js';
export { DEFAULT_REFRESH_MARGIN_MS } from './constants.js';
export { accessKeyIdPrefix } from './describe.js';
export { PushedCredentials } from './pushed-credentials.js';
export type { PushedSet } from './pushed-credentials.js';
export type {
  CredentialChainOptions,
  CredentialEvents,
  CredentialFetcher,
  CredentialHolder,
  CredentialLogger,
  CredentialSourceName,
  CredentialStatus,
} from './types.js';
export { webIdentityFetcher } from './web-identity.js';
export type { WebIdentityOptions } from './web-identity.js';
