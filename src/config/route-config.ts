/** One route of a gateway, as read from the `routes:` list of --config: every setting resolved. */
import type { AddressingMode, PayloadMode, SigningAlgorithm } from './config.js';
import type { Capability, UpstreamTarget } from './upstream.js';

/** Who a route signs as. Absent (null on the route): the process's default chain and its cache. */
export interface RouteCredentials {
  readonly profile?: string | undefined;
  readonly roleArn?: string | undefined;
  readonly externalId?: string | undefined;
  readonly roleSessionName?: string | undefined;
  /** In ms. */
  readonly roleDuration?: number | undefined;
  /** STS AssumeRoleWithWebIdentity with a token file (IRSA-style), instead of the chain. */
  readonly webIdentity?: { readonly roleArn: string; readonly tokenFile: string } | undefined;
}

/** The conditions of a route; every one given must hold. None given: the route matches everything. */
export interface RouteMatchConfig {
  /** Bucket globs (`*` any run, `?` one character), as client-policy globs. */
  readonly buckets: readonly string[];
  /** Host header values (lower case, globs), compared without the port; never dialled. */
  readonly hosts: readonly string[];
  /** `/search`: matches `/search` and `/search/…`, and is removed before forwarding; '' when absent. */
  readonly pathPrefix: string;
}

export interface RouteConfig {
  readonly name: string;
  readonly match: RouteMatchConfig;
  readonly upstream: UpstreamTarget;
  readonly region: string;
  /** `s3`: S3 rules; any other name: the generic SigV4 rules (normalised, double-encoded path; no buckets). */
  readonly service: string;
  readonly addressing: AddressingMode;
  readonly payload: PayloadMode;
  readonly upstreamCapabilities: ReadonlySet<Capability>;
  readonly signingAlgorithm: SigningAlgorithm;
  /** SigV4A: the X-Amz-Region-Set regions; empty for SigV4. */
  readonly regionSet: readonly string[];
  /** null: the top-level credentials (--profile, --role-arn, the chain), shared with every such route. */
  readonly credentials: RouteCredentials | null;
}
