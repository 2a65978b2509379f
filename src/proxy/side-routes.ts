import type { RequestContext } from './context.js';
import { isPostObjectForm } from './post-object-relay.js';
import { RESERVED_BUCKET } from './signet-endpoint.js';

export type SideRoute = (ctx: RequestContext) => Promise<void>;

/**
 * The requests that are not S3 calls for signet to sign, picked once the target is known: signet's
 * own endpoints under /_signet/ (no bucket can be named so), and browser form uploads, which carry
 * their own signed policy and are relayed as they are.
 */
export function sideRoutes(endpoint: SideRoute, postObject: SideRoute): (ctx: RequestContext) => SideRoute | null {
  return (ctx) => {
    if (ctx.bucket === RESERVED_BUCKET) return endpoint;
    if (isPostObjectForm(ctx)) return postObject;
    return null;
  };
}
