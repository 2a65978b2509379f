import type { CredentialHolder } from '../credentials/index.js';
import type { MultipartHook } from '../multipart/index.js';
import type { PayloadSettings } from '../payload/prepare.js';
import type { ForwardSettings } from '../proxy/forward.js';
import type { RouteMatcher } from './route-match.js';

/**
 * Where a request goes and as whom (DESIGN.md "Gateway mode"): one upstream, region, signing
 * service, payload capabilities and addressing, and its own credential cache. Everything here is
 * built once, when the table is; the pipeline only reads it. A `signet serve` without `routes:`
 * has exactly one of these, made from the top-level settings.
 */
export interface Route {
  /** From the config ('default' for the implicit route); in logs, metrics and client policies. */
  readonly name: string;
  readonly match: RouteMatcher;
  /** Not `s3`: the generic SigV4 rules (normalised, double-encoded path; no bucket, no S3 operation). */
  readonly generic: boolean;
  readonly forward: ForwardSettings;
  readonly payload: PayloadSettings;
  /** null for generic routes: multipart uploads are S3's. */
  readonly multipart: MultipartHook | null;
  readonly credentials: CredentialHolder;
  /** The signing clock of this route's upstream (local time corrected by what it said). */
  readonly now: () => Date;
}
