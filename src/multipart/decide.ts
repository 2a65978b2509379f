import { AWS_CHUNKED } from '../sigv4/constants.js';

export type MultipartMode = 'auto' | 'off';

export interface MultipartPolicy {
  readonly mode: MultipartMode;
  /** Known-length bodies larger than this go multipart. */
  readonly threshold: number;
}

export interface MultipartFacts {
  readonly operation: string;
  readonly contentLength: number; // -1 when absent
  readonly chunked: boolean;
  readonly clientPayloadHash: string;
  readonly contentEncoding: string;
}

/**
 * Whether a request becomes a multipart upload; pure. Only a PutObject whose body signet reads
 * plainly: a client that aws-chunks its own body signs a single PutObject's length and checks,
 * and SDKs that do so do their own multipart past 5 GiB.
 */
export function multipartReason(f: MultipartFacts, p: MultipartPolicy): 'unknown-length' | 'over-threshold' | null {
  if (p.mode === 'off' || f.operation !== 'PutObject') return null;
  if (f.clientPayloadHash.startsWith('STREAMING-') || f.contentEncoding.toLowerCase().includes(AWS_CHUNKED)) return null;
  if (f.chunked) return 'unknown-length';
  return f.contentLength > p.threshold ? 'over-threshold' : null;
}
