// Gateway API HTTPRoute and GRPCRoute attached to a Service (GAMMA; reference rules
// 97-99) → one route table per service. Rule timeouts and retry: resilience.ts.
//
// A parentRef `{group: "", kind: Service, name, namespace?, port?}` (a missing group is
// accepted too) attaches the route to that Service; `port` (or a `sectionName` naming a
// Service port) limits it to that port, encoded as `port` in every match. A route in
// another namespace than the Service is a consumer route: it applies to clients in the
// route's namespace only (`sourceNamespace` in every match) and comes before the
// Service's own routes.
//
// Every match of every rule becomes one L7 route; all routes of one service are ordered
// by precedence (rule 97: exact path, longest prefix, method, most headers, most query
// params), ties by the oldest route, then ns/name, then rule and match order.
import type { L7Action, L7Destination, L7HttpMatch, L7HttpRoute, L7Mirror, L7RouteTable } from '../../../api/l7-model.js';
import type { ConfigView } from '../../config/kinds.js';
import { KINDS } from '../../config/kinds.js';
import type { KubeObject } from '../../config/resource.js';
import type { Rec, Warnings } from './common.js';
import { byAge, int, list, nsOf, rec, resourceId, specOf, str, text } from './common.js';
import { convertFilters } from './gateway-api-filters.js';
import { gatewayApiResilience } from './resilience.js';
import type { GatewayMatch, PrecedenceKeys } from './gateway-api-match.js';
import { comparePrecedence, grpcRouteMatch, httpRouteMatch } from './gateway-api-match.js';
import type { KnownService, ServiceIndex } from './service-index.js';
import type { Warn } from './vs-actions.js';
import { serviceHostname } from '../service-ports.js';

/** Not in KINDS (the controller does not validate GRPCRoute yet); read when present. */
export const GRPC_ROUTE_KIND = 'gateway.networking.k8s.io/GRPCRoute';
const CLUSTER_NOT_FOUND = 500;

interface RuleEntry {
  route: L7HttpRoute;
  keys: PrecedenceKeys;
}

function backendDestinations(v: unknown, routeNs: string, services: ServiceIndex, path: string, warn: Warn): L7Destination[] {
  const out: L7Destination[] = [];
  list(v).forEach((item, k) => {
    const at = `${path}[${k}]`;
    const b = rec(item);
    const name = text(b?.name);
    if (!b || name === undefined) {
      warn(at, 'backendRef without a name: skipped');
      return;
    }
    const group = str(b.group) ?? '';
    const kind = str(b.kind) ?? 'Service';
    const ns = text(b.namespace) ?? routeNs;
    const weight = Math.max(0, int(b.weight) ?? 1);
    let d: L7Destination;
    if (group === '' && kind === 'Service') {
      d = { host: serviceHostname(name, ns), weight };
      if (!services.kubeService(ns, name)) {
        d.invalidStatus = CLUSTER_NOT_FOUND;
        warn(at, `Service ${ns}/${name} does not exist: requests sent to this backend get ${CLUSTER_NOT_FOUND}`);
      }
    } else {
      d = { host: name, weight, invalidStatus: CLUSTER_NOT_FOUND };
      warn(at, `backend kind ${group === '' ? '' : `${group}/`}${kind} is not supported (Service only): requests sent to this backend get ${CLUSTER_NOT_FOUND}`);
    }
    const port = int(b.port);
    if (port !== undefined && port > 0) d.port = port;
    const headers = convertFilters(b.filters, `${at}.filters`, warn, { backendLevel: true }).headers;
    if (headers) d.headers = headers;
    out.push(d);
  });
  return out;
}

/** Converts every rule of one route; each match becomes one entry (rule 98: no matches = PathPrefix `/`). */
function routeEntries(obj: KubeObject, grpc: boolean, services: ServiceIndex, w: Warnings): RuleEntry[] {
  const id = resourceId(obj);
  const warn: Warn = (path, message) => w.add(id, path, message);
  const out: RuleEntry[] = [];
  list(specOf(obj).rules).forEach((item, i) => {
    const rule = rec(item);
    const path = `spec.rules[${i}]`;
    if (!rule) return;
    const filters = convertFilters(rule.filters, `${path}.filters`, warn, { backendLevel: false });
    let action: L7Action;
    if (filters.redirect) action = { redirect: filters.redirect };
    else {
      const route = backendDestinations(rule.backendRefs, nsOf(obj), services, `${path}.backendRefs`, warn);
      if (route.some((d) => d.weight > 0)) action = { route };
      else {
        warn(`${path}.backendRefs`, `no backendRef with a weight above 0: matching requests get ${CLUSTER_NOT_FOUND}`);
        action = { directResponse: { status: CLUSTER_NOT_FOUND } };
      }
    }
    const { timeoutMs, retries } = gatewayApiResilience(rule, path, warn);
    const mirrors: L7Mirror[] = (filters.mirrors ?? []).flatMap((m, k) => {
      const [d] = backendDestinations([m.backendRef], nsOf(obj), services, `${path}.filters.requestMirror[${k}].backendRef`, warn);
      return d && d.invalidStatus === undefined && m.percentage > 0 ? [{ destination: { ...d, weight: 1 }, percentage: m.percentage }] : [];
    });
    if (rule.sessionPersistence !== undefined && rule.sessionPersistence !== null) warn(path, 'sessionPersistence not supported by the waypoint yet: ignored');

    const matches = list(rule.matches);
    const entries: (Rec | undefined)[] = matches.length === 0 ? [undefined] : matches.map((m) => rec(m) ?? {});
    const ruleName = text(rule.name) ?? String(i);
    entries.forEach((m, j) => {
      const converted: GatewayMatch = grpc ? grpcRouteMatch(m) : httpRouteMatch(m);
      if ('dropped' in converted) {
        warn(`${path}.matches[${j}]`, converted.dropped);
        return;
      }
      const name = entries.length > 1 ? `${id}#${ruleName}.${j}` : `${id}#${ruleName}`;
      const isEmpty = Object.keys(converted.match).length === 0;
      const route: L7HttpRoute = { name, matches: isEmpty ? [] : [converted.match], action };
      if (filters.rewrite && 'route' in action) route.rewrite = filters.rewrite;
      if (filters.headers) route.headers = filters.headers;
      if (timeoutMs !== undefined) route.timeoutMs = timeoutMs;
      if (retries && 'route' in action) route.retries = retries;
      if (mirrors.length > 0 && 'route' in action) route.mirrors = mirrors;
      out.push({ route, keys: converted.keys });
    });
  });
  return out;
}

interface Attachment {
  service: KnownService;
  port?: number;
  /** Consumer route: the client namespace it is limited to. */
  sourceNamespace?: string;
}

function isServiceRef(p: Rec): boolean {
  const group = str(p.group);
  return p.kind === 'Service' && (group === undefined || group === '');
}

/** The Services a route attaches to (Service parentRefs only; Gateway parents are not ours). */
function attachments(obj: KubeObject, services: ServiceIndex, w: Warnings): Attachment[] {
  const id = resourceId(obj);
  const out: Attachment[] = [];
  list(specOf(obj).parentRefs).forEach((item, k) => {
    const p = rec(item);
    if (!p || !isServiceRef(p)) return;
    const at = `spec.parentRefs[${k}]`;
    const name = text(p.name);
    const ns = text(p.namespace) ?? nsOf(obj);
    const service = name === undefined ? undefined : services.kubeService(ns, name);
    if (!service) {
      w.add(id, at, `Service ${ns}/${name ?? ''} does not exist: not attached`);
      return;
    }
    const a: Attachment = { service };
    const port = int(p.port);
    const section = text(p.sectionName);
    if (port !== undefined && port > 0) a.port = port;
    else if (section !== undefined) {
      const named = service.ports.find((sp) => sp.name === section);
      if (!named) {
        w.add(id, `${at}.sectionName`, `Service ${ns}/${service.name} has no port named ${section}: not attached`);
        return;
      }
      a.port = named.number;
    }
    if (a.port !== undefined && service.ports.length > 0 && !service.ports.some((sp) => sp.number === a.port)) {
      w.add(id, `${at}.port`, `the Service has no port ${a.port}: the route never matches`);
    }
    if (ns !== nsOf(obj)) a.sourceNamespace = nsOf(obj);
    out.push(a);
  });
  return out;
}

function scoped(route: L7HttpRoute, a: Attachment): L7HttpRoute {
  if (a.port === undefined && a.sourceNamespace === undefined) return route;
  const extra: L7HttpMatch = {};
  if (a.port !== undefined) extra.port = a.port;
  if (a.sourceNamespace !== undefined) extra.sourceNamespace = a.sourceNamespace;
  const matches = route.matches.length === 0 ? [extra] : route.matches.map((m) => ({ ...m, ...extra }));
  return { ...route, matches };
}

interface Collected {
  origins: string[];
  entries: (RuleEntry & { consumer: boolean; order: number })[];
}

/** Route tables by service key, from HTTPRoutes and GRPCRoutes attached to Services. */
export function buildGatewayRouteTables(view: ConfigView, services: ServiceIndex, w: Warnings): Map<string, L7RouteTable> {
  const routes = [
    ...view.list(KINDS.httpRoute).map((o) => ({ o, grpc: false })),
    ...view.list(GRPC_ROUTE_KIND).map((o) => ({ o, grpc: true })),
  ].sort((a, b) => byAge(a.o, b.o));
  const byService = new Map<string, Collected>();
  let order = 0;
  for (const { o, grpc } of routes) {
    const attached = attachments(o, services, w);
    if (attached.length === 0) continue;
    const entries = routeEntries(o, grpc, services, w);
    for (const a of attached) {
      const c = byService.get(a.service.key) ?? { origins: [], entries: [] };
      if (!c.origins.includes(resourceId(o))) c.origins.push(resourceId(o));
      for (const e of entries) c.entries.push({ route: scoped(e.route, a), keys: e.keys, consumer: a.sourceNamespace !== undefined, order: order++ });
      byService.set(a.service.key, c);
    }
  }
  const out = new Map<string, L7RouteTable>();
  for (const [key, c] of byService) {
    if (c.entries.length === 0) continue;
    const sorted = [...c.entries].sort((a, b) => Number(b.consumer) - Number(a.consumer) || comparePrecedence(a.keys, b.keys) || a.order - b.order);
    out.set(key, { kind: 'HTTPRoute', origins: c.origins, http: sorted.map((e) => e.route), tcp: [] });
  }
  return out;
}
