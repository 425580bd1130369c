// VirtualServices bound to the mesh → one route table per service (reference §4).
//
// Binding (rules 54, 55, 57): a VS applies to the mesh when `gateways` is omitted or lists
// `mesh`. Each host resolves against the VS namespace and binds every known service it
// covers (an FQDN or ServiceEntry host exactly, a `*.` wildcard every hostname under it).
// Mesh VirtualServices are not merged: for one service the VS with the most specific
// host wins (exact over wildcard, longer wildcard over shorter), then the oldest
// (creationTimestamp, then ns/name); the others are reported.
//
// Delegate VirtualServices (no `hosts`) are bound to no service: a root route's
// `delegate` inlines their http routes at that position (vs-delegate.ts).
import type { L7HttpRoute, L7RouteTable, L7TcpRoute } from '../../../api/l7-model.js';
import type { ConfigView } from '../../config/kinds.js';
import { KINDS } from '../../config/kinds.js';
import type { KubeObject } from '../../config/resource.js';
import { resolveHost } from '../../validation/host-names.js';
import type { Rec, Warnings } from './common.js';
import { byAge, list, nsOf, rec, resourceId, specOf, text } from './common.js';
import type { ServiceIndex } from './service-index.js';
import { hostSpecificity } from './service-index.js';
import type { Warn } from './vs-actions.js';
import { mergeDelegateRoute } from './vs-delegate.js';
import { convertVsHttpRoute, convertVsTcpRoute } from './vs-http-route.js';
import { MESH_GATEWAY } from './vs-match.js';

/** Rule 55: no gateways, or `mesh` among them. */
export function bindsToMesh(vs: KubeObject): boolean {
  const gateways = list(specOf(vs).gateways);
  return gateways.length === 0 || gateways.includes(MESH_GATEWAY);
}

function hostsOf(vs: KubeObject): string[] {
  return list(specOf(vs).hosts).filter((h): h is string => typeof h === 'string' && h !== '');
}

function warnFor(w: Warnings, vs: KubeObject): Warn {
  const id = resourceId(vs);
  return (path, message) => w.add(id, path, message);
}

/** The routes a delegate route inlines, in the delegate's order. */
function delegateRoutes(view: ConfigView, root: KubeObject, route: Rec, path: string, w: Warnings, origins: string[]): L7HttpRoute[] {
  const warn = warnFor(w, root);
  const ref = rec(route.delegate) ?? {};
  const name = text(ref.name);
  const namespace = text(ref.namespace) ?? nsOf(root);
  if (name === undefined) {
    warn(`${path}.delegate`, 'delegate without a name: the route is skipped');
    return [];
  }
  const delegate = view.get(KINDS.virtualService, namespace, name);
  if (!delegate) {
    warn(`${path}.delegate`, `delegate VirtualService ${namespace}/${name} does not exist: the route is skipped`);
    return [];
  }
  if (hostsOf(delegate).length > 0) {
    warn(`${path}.delegate`, `VirtualService ${namespace}/${name} has hosts, so it is not a delegate: the route is skipped`);
    return [];
  }
  const delegateId = resourceId(delegate);
  if (!origins.includes(delegateId)) origins.push(delegateId);
  const dwarn = warnFor(w, delegate);
  const out: L7HttpRoute[] = [];
  list(specOf(delegate).http).forEach((item, j) => {
    const leaf = rec(item);
    const leafPath = `spec.http[${j}]`;
    if (!leaf) return;
    if (leaf.delegate !== undefined) {
      dwarn(`${leafPath}.delegate`, 'only one level of delegation is supported: the route is skipped');
      return;
    }
    const merged = mergeDelegateRoute(route, leaf);
    if (!merged) {
      dwarn(`${leafPath}.match`, `the matches conflict with the root route ${resourceId(root)} ${path} (a delegate match must lie within the root's): the route is skipped`);
      return;
    }
    const r = convertVsHttpRoute(merged, { namespace: nsOf(delegate), path: leafPath, fallbackName: `${delegateId}#${j}`, warn: dwarn });
    if (r) out.push(r);
  });
  return out;
}

/** The route table of one mesh-bound VirtualService (the same for every service it binds). */
export function virtualServiceTable(view: ConfigView, vs: KubeObject, w: Warnings): L7RouteTable {
  const id = resourceId(vs);
  const spec = specOf(vs);
  const warn = warnFor(w, vs);
  const origins = [id];
  const http: L7HttpRoute[] = [];
  list(spec.http).forEach((item, i) => {
    const route = rec(item);
    const path = `spec.http[${i}]`;
    if (!route) {
      warn(path, 'route is not an object: skipped');
      return;
    }
    if (route.delegate !== undefined && route.delegate !== null) {
      http.push(...delegateRoutes(view, vs, route, path, w, origins));
      return;
    }
    const r = convertVsHttpRoute(route, { namespace: nsOf(vs), path, fallbackName: `${id}#${i}`, warn });
    if (r) http.push(r);
  });
  const tcp: L7TcpRoute[] = [];
  list(spec.tcp).forEach((item, i) => {
    const route = rec(item);
    if (!route) return;
    const r = convertVsTcpRoute(route, { namespace: nsOf(vs), path: `spec.tcp[${i}]`, fallbackName: `${id}#tcp${i}`, warn });
    if (r) tcp.push(r);
  });
  if (list(spec.tls).length > 0) warn('spec.tls', 'tls routes are not supported by the waypoint: ignored');
  return { kind: 'VirtualService', origins, http, tcp };
}

interface Claim {
  vs: KubeObject;
  hostIndex: number;
  specificity: number;
  order: number;
}

/** Route tables by service key, from the mesh-bound VirtualServices. */
export function buildVirtualServiceTables(view: ConfigView, services: ServiceIndex, w: Warnings): Map<string, L7RouteTable> {
  const claims = new Map<string, Claim[]>();
  const roots = [...view.list(KINDS.virtualService)].sort(byAge).filter((vs) => hostsOf(vs).length > 0 && bindsToMesh(vs));
  roots.forEach((vs, order) => {
    list(specOf(vs).hosts).forEach((h, hostIndex) => {
      if (typeof h !== 'string' || h === '') return;
      const host = resolveHost(h, nsOf(vs));
      const covered = services.covered(host);
      if (covered.length === 0) {
        w.add(resourceId(vs), `spec.hosts[${hostIndex}]`, `host ${host} is not a known Service or ServiceEntry host: ignored`);
        return;
      }
      for (const s of covered) claims.set(s.key, [...(claims.get(s.key) ?? []), { vs, hostIndex, specificity: hostSpecificity(host), order }]);
    });
  });

  const tables = new Map<KubeObject, L7RouteTable>();
  const out = new Map<string, L7RouteTable>();
  for (const [key, candidates] of [...claims].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ranked = [...candidates].sort((a, b) => b.specificity - a.specificity || a.order - b.order);
    const [winner, ...rest] = ranked;
    if (!winner) continue;
    for (const loser of rest) {
      if (loser.vs === winner.vs) continue;
      w.add(resourceId(loser.vs), `spec.hosts[${loser.hostIndex}]`,
        `service ${key} is already routed by ${resourceId(winner.vs)} (more specific host or older); mesh VirtualServices are not merged: this one does not apply to it`);
    }
    let table = tables.get(winner.vs);
    if (!table) {
      table = virtualServiceTable(view, winner.vs, w);
      tables.set(winner.vs, table);
    }
    if (table.http.length > 0 || table.tcp.length > 0) out.set(key, table);
  }
  return out;
}
