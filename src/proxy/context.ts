import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestTrace } from '../observability/request-trace.js';
import type { Strategy } from '../payload/strategy.js';
import type { Route } from '../route/route.js';
import type { ClientGrant } from './client-grant.js';
import type { ClientPolicy } from './client-policy.js';
import { RequestAbort } from './request-abort.js';

/**
 * Everything one request carries through the pipeline. Every field is set here, in the
 * constructor, so the object keeps one shape (no property is ever added later).
 */
export class RequestContext {
  readonly id: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly startedAt: bigint;
  method: string;
  bucket = '';
  key = '';
  operation = 'Other';
  /** Canonical query: the wire query and the signed one. */
  queryString = '';
  query: ReadonlyArray<readonly [string, string]> = [];
  /** The client's end-to-end headers that are forwarded (lower-case, repeats joined with ','). */
  headers: Record<string, string> = {};
  region = '';
  /** Wire path and query of the last attempt. */
  path = '';
  strategy: Strategy | '' = '';
  status = 0;
  bytesIn = 0;
  bytesOut = 0;
  upstreamSeconds = 0;
  signingSeconds = 0;
  retries = 0;
  errorCode = '';
  s3RequestId = '';
  s3Id2 = '';
  /** The bucket when the client named it in the Host header (virtual-hosted style), '' otherwise. */
  hostBucket = '';
  /** Gateway mode: what the client's verified signature covers (client-grant.ts); null in sidecar mode. */
  grant: ClientGrant | null = null;
  /** Gateway mode: the client's name from --inbound-keys (its key id in the flat form), '' otherwise. */
  clientName = '';
  /** Gateway mode: the client's policy (null: the client may do anything, or sidecar mode). */
  clientPolicy: ClientPolicy | null = null;
  /** The route the request takes (picked once; a reload never changes it); null only for signet's own endpoints. */
  route: Route | null = null;
  /** The route's name when the gateway has a `routes:` list, '' otherwise (access log, metrics). */
  routeName = '';
  /** Generic SigV4 services: the normalised wire path (service-target.ts); '' for S3 routes (bucket and key make it). */
  servicePath = '';
  /** Gateway mode: the client's limiter slot this request holds, released once when it finishes (pipeline finish). */
  limiter: { release(): void } | null = null;
  /** The request's spans when it is traced and sampled; null otherwise (every hook is `trace?.`). */
  trace: RequestTrace | null = null;
  readonly abort: RequestAbort;
  /** signet cut the client connection itself (a failure after the response had started). */
  connectionCut = false;

  constructor(id: string, req: IncomingMessage, res: ServerResponse) {
    this.id = id;
    this.req = req;
    this.res = res;
    this.startedAt = process.hrtime.bigint();
    this.method = req.method ?? 'GET';
    this.abort = new RequestAbort();
  }
}
