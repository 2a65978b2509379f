export type { Route } from './route.js';
export { RouteHolder, RouteTable } from './route-table.js';
export { afterPrefix, bucketOf, compileMatch, hostOf, routeMatches } from './route-match.js';
export type { RouteMatcher, RouteProbe } from './route-match.js';
export { DEFAULT_IDENTITY, identityKey, routeIdentities } from './identity-key.js';
