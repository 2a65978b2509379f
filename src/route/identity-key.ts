import type { RouteConfig } from '../config/index.js';

/** The identity of every route without credentials of its own: the process's default chain. */
export const DEFAULT_IDENTITY = 'default';

/**
 * Who a route signs as, as a key: routes with equal keys share one credential cache (one fetch, one
 * refresher). With --workers it also names the set the primary pushes, so the primary and every
 * worker must derive it alike: this function is the one place. Built from what the config says
 * (region, profile, role, token file), never from a secret.
 */
export function identityKey(r: RouteConfig): string {
  const c = r.credentials;
  if (c === null) return DEFAULT_IDENTITY;
  return JSON.stringify([r.region, c.profile, c.roleArn, c.externalId, c.roleSessionName, c.roleDuration, c.webIdentity?.roleArn, c.webIdentity?.tokenFile]);
}

/** Each distinct identity of a route list, with the first route that signs as it (file order). */
export function routeIdentities(routes: readonly RouteConfig[]): Map<string, RouteConfig> {
  const out = new Map<string, RouteConfig>();
  for (const r of routes) {
    const key = identityKey(r);
    if (!out.has(key)) out.set(key, r);
  }
  return out;
}
