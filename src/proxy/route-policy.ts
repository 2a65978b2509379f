import { SignetError } from '../errors.js';
import type { ClientPolicy } from './client-policy.js';

/**
 * Which routes a gateway client may use (`routes:` globs in --inbound-keys). Without a list a
 * client with a policy keeps to S3 routes: its buckets, keys and S3 actions say nothing about a
 * search cluster or an API, so a non-S3 route must be named to be reachable (README "Routes").
 */
export function checkRoutePolicy(policy: ClientPolicy, route: { readonly name: string; readonly generic: boolean }): void {
  const routes = policy.routes;
  if (routes === undefined) {
    if (route.generic) throw new SignetError('AccessDenied', 'policy: a non-S3 route needs naming in the client\'s routes');
    return;
  }
  for (const g of routes) if (g.test(route.name)) return;
  throw new SignetError('AccessDenied', 'policy: route not allowed');
}
