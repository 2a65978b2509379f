import type { IncomingMessage, ServerResponse } from 'node:http';
import { noSuchBucket } from './demo-error.js';
import type { ReceivedBody } from './read-body.js';
import type { RequestInfo } from './request-info.js';
import type { StoredBucket } from './store.js';

/** Settings and data shared by all requests of one server. */
export interface ServerState {
  region: string;
  buckets: Map<string, StoredBucket>;
  autoCreateBuckets: boolean;
  discardBodies: boolean;
  maxPutObjectSize: number;
}

/** One authenticated request whose body has been read and verified. */
export interface OpContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  state: ServerState;
  bucketName: string;
  key: string;
  body: ReceivedBody;
  now: number;
}

export function requireBucket(ctx: OpContext): StoredBucket {
  const bucket = ctx.state.buckets.get(ctx.bucketName);
  if (bucket === undefined) throw noSuchBucket(ctx.bucketName);
  return bucket;
}

/** Bodies of bucket-level calls (XML) are small; join them. */
export function bodyText(ctx: OpContext): string {
  return Buffer.concat(ctx.body.parts).toString('utf8');
}

export const httpDate = (ms: number): string => new Date(ms).toUTCString();
export const isoDate = (ms: number): string => new Date(ms).toISOString();
