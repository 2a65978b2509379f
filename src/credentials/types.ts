import type { Credentials } from '../sigv4/types.js';

/** Which link of the chain supplied the credentials; `assume-role(<inner>)` when a role is assumed on top. */
export type CredentialSourceName = string;

/** Hooks for metrics; wired to prom-client by observability/. All optional. */
export interface CredentialEvents {
  onRefresh?(result: 'success' | 'failure', durationSeconds: number, source: string): void;
  onCredentials?(info: { source: string; expiration: Date | undefined; accessKeyIdPrefix: string }): void;
}

/** The subset of pino the cache uses, so tests can pass a recorder. */
export interface CredentialLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export type CredentialFetcher = () => Promise<{ credentials: Credentials; source: CredentialSourceName }>;

export interface CredentialChainOptions {
  profile?: string | undefined;
  roleArn?: string | undefined;
  externalId?: string | undefined;
  roleSessionName?: string | undefined;
  roleDurationSeconds?: number | undefined;
  region: string;
  /**
   * Where the chain reads its decisions (which links apply) and the settings it hands to the SDK explicitly.
   * The SDK's providers still read process.env themselves for what they take no option for
   * (env credentials, the IMDS endpoint, HOME), so keep the two in agreement. Defaults to process.env.
   */
  env?: NodeJS.ProcessEnv | undefined;
}

export interface CredentialStatus {
  ready: boolean;
  source: string | null;
  expiration: Date | null;
  lastError: string | null;
}

/**
 * What the request path and /readyz read from a credential cache. A CredentialCache fetches and
 * refreshes its own; with --workers, a worker's PushedCredentials holds what the primary sends.
 */
export interface CredentialHolder {
  current(): Credentials;
  ready(): boolean;
  status(): CredentialStatus;
  /** Awaited by startup: the first fetch, or nothing for pushed credentials. */
  start(): Promise<void>;
  stop(): void;
}
