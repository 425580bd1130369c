// Builders shared by the waypoint engine tests: route tables in the wire shape
// (api/l7-model.ts), compiled for one service, and requests.
import type { L7Action, L7Destination, L7HttpMatch, L7HttpRoute, L7RouteTable, L7TcpRoute } from '../../../api/l7-model.js';
import type { CompiledRouteTable } from '../../../waypoint/engine/index.js';
import { compileRouteTable } from '../../../waypoint/engine/index.js';

export { rng } from '../rbac/support.js';

export const SERVICE = 'foo/reviews.foo.svc.cluster.local';
export const HOST = 'reviews.foo.svc.cluster.local';

export function dest(subset?: string, weight = 1, extra: Partial<L7Destination> = {}): L7Destination {
  return { host: HOST, weight, ...(subset !== undefined ? { subset } : {}), ...extra };
}

/** An HTTP route named `name` to subset `name` (so a test can tell which route won). */
export function route(name: string, matches: L7HttpMatch[] = [], extra: Partial<L7HttpRoute> = {}): L7HttpRoute {
  const action: L7Action = { route: [dest(name)] };
  return { name, matches, action, ...extra };
}

export function table(http: L7HttpRoute[], extra: Partial<L7RouteTable> = {}): L7RouteTable {
  return { kind: 'VirtualService', origins: ['VirtualService foo/reviews'], http, tcp: [], ...extra };
}

export function compiled(http: L7HttpRoute[], extra: Partial<L7RouteTable> = {}): CompiledRouteTable {
  return compileRouteTable(SERVICE, table(http, extra));
}

export function tcpRoute(name: string, matches: L7TcpRoute['matches'] = [], route: L7Destination[] = [dest(name)]): L7TcpRoute {
  return { name, matches, route };
}
