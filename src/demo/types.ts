import type { StoredBucket } from './store.js';

export interface KeyEntry {
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms; a request signed with an entry past this instant is refused (400 ExpiredToken). */
  expiresAt?: number;
}

/** Which credentials the server accepts right now; looked up on every request. */
export interface KeyStore {
  lookup(accessKeyId: string): KeyEntry | undefined;
}

export interface CannedResponse {
  status: number;
  code: string;
  headers?: Record<string, string>;
  /** Raw body; when absent an S3 error document with `code` is sent. */
  body?: string;
}

/** What a fault rule sees of a request before it is handled. */
export interface FaultTarget {
  method: string;
  /** Request-line target exactly as received. */
  rawPath: string;
  /** Lower-case names; repeated headers joined with ','. */
  headers: Record<string, string>;
}

/**
 * A targeted fault: every request `match` accepts, up to `times` of them (default: all), is
 * answered with `response`, or has its socket destroyed when `reset` is set.
 */
export interface FaultRule {
  match: (target: FaultTarget) => boolean;
  times?: number;
  response?: CannedResponse;
  reset?: boolean;
  /** How many requests this rule has caught so far. */
  hits?: number;
}

/** Fault injection, consumed before any normal handling. Mutable at runtime through `DemoS3.faults`. */
export interface DemoFaults {
  /** Targeted faults, checked first, in order. */
  rules?: FaultRule[];
  /** Canned answers, one shifted off per request. */
  nextResponses?: CannedResponse[];
  /** Destroy the socket of the next N requests without answering. */
  resetNext?: number;
}

export interface AcceptedPayloads {
  signedChunked?: boolean;
  unsignedTrailer?: boolean;
  unsignedPayload?: boolean;
}

export interface DemoS3Options {
  host?: string;
  port?: number;
  /** The only region whose signatures are accepted. */
  region: string;
  keys: KeyStore;
  accept?: AcceptedPayloads;
  maxSkewMs?: number;
  /** Server clock in epoch ms. */
  now?: () => number;
  record?: boolean;
  autoCreateBuckets?: boolean;
  /** Verify bodies, then keep only size and ETag (benchmarks with large uploads). */
  discardBodies?: boolean;
  faults?: DemoFaults;
  /**
   * Largest PutObject body accepted (S3: 5 GiB); a larger Content-Length is refused with 400
   * EntityTooLarge before the body is read, so tests can show the rule with small sizes. Parts
   * are not limited by it.
   */
  maxPutObjectSize?: number;
}

export interface RecordedRequest {
  method: string;
  /** Request-line target exactly as received. */
  rawPath: string;
  /** Lower-case names; repeated headers joined with ','. */
  headers: Record<string, string>;
  rawHeaders: string[];
  /** Bytes received on the wire (aws-chunked framing included). */
  bodyBytes: number;
  /** SHA-256 hex of the wire body. */
  bodySha256: string;
  status: number;
  errorCode?: string;
  /**
   * Order of arrival (the request head), from 1. `requests` is in order of completion (an entry
   * is written when its response closes), which for requests cut by the client is whenever the
   * server notices the cut.
   */
  arrival: number;
}

export interface DemoS3 {
  url: string;
  port: number;
  requests: RecordedRequest[];
  buckets: Map<string, StoredBucket>;
  faults: DemoFaults;
  close(): Promise<void>;
}
