// Cross-resource check: L7 configuration that only a waypoint applies, bound to a service
// that no waypoint serves. In ambient mode the node proxy does not do HTTP, so these have
// no effect unless the service uses a waypoint (`istio.io/use-waypoint` on the service or,
// when the service has none, on its namespace, naming an istio-waypoint Gateway that takes
// service traffic):
//   - a VirtualService with `http` routes bound to the mesh (no `gateways`, or `mesh`);
//   - an HTTPRoute or GRPCRoute whose parentRef is a Service or ServiceEntry;
//   - an AuthorizationPolicy whose targetRef(s) name a Service or ServiceEntry (such a
//     policy goes to the waypoint only, whatever its rules: without one it is not enforced).
// A warning, only when the input holds the service and enough to decide: the service's
// own label, or its Namespace object (`analyze` of a partial input stays quiet).
import type { LoadedObject } from '../config/load-yaml.js';
import type { KubeObject } from '../config/resource.js';
import { displayName, groupOf, isRecord } from '../config/resource.js';
import { USE_WAYPOINT_LABEL, WAYPOINT_FOR_LABEL, isWaypointGateway, requestedWaypoint, waypointServes } from '../translate/waypoints.js';
import type { Finding } from './finding.js';
import { resolveHost } from './host-names.js';

const NETWORKING = 'networking.istio.io';
const GATEWAY_API = 'gateway.networking.k8s.io';
const SECURITY = 'security.istio.io';
/** What `istioctl waypoint apply` and `ambit waypoint apply` name a waypoint by default. */
const DEFAULT_WAYPOINT = 'waypoint';

/** A Service or ServiceEntry: what waypoints serve. */
interface Target {
  kind: 'Service' | 'ServiceEntry';
  namespace: string;
  name: string;
  /** The host named in messages. */
  host: string;
  labels: Record<string, string>;
}

interface Index {
  byHost: Map<string, Target[]>;
  byName: Map<string, Target>;
  namespaceLabels: Map<string, Record<string, string>>;
  gateways: Map<string, KubeObject>;
}

function nsOf(o: KubeObject): string {
  return o.metadata.namespace || 'default';
}

function spec(o: KubeObject): Record<string, unknown> {
  return isRecord(o.spec) ? o.spec : {};
}

function is(o: KubeObject, group: string, kind: string): boolean {
  return o.kind === kind && groupOf(o.apiVersion) === group;
}

function add<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function index(objects: readonly LoadedObject[]): Index {
  const idx: Index = { byHost: new Map(), byName: new Map(), namespaceLabels: new Map(), gateways: new Map() };
  for (const { object: o } of objects) {
    if (is(o, '', 'Namespace')) idx.namespaceLabels.set(o.metadata.name, o.metadata.labels ?? {});
    else if (is(o, GATEWAY_API, 'Gateway')) idx.gateways.set(`${nsOf(o)}/${o.metadata.name}`, o);
    else if (is(o, '', 'Service')) {
      const t: Target = { kind: 'Service', namespace: nsOf(o), name: o.metadata.name, host: resolveHost(o.metadata.name, nsOf(o)), labels: o.metadata.labels ?? {} };
      add(idx.byHost, t.host, t);
      idx.byName.set(`Service/${t.namespace}/${t.name}`, t);
    } else if (is(o, NETWORKING, 'ServiceEntry')) {
      const hosts = (Array.isArray(spec(o).hosts) ? (spec(o).hosts as unknown[]) : []).filter((h): h is string => typeof h === 'string');
      const t: Target = { kind: 'ServiceEntry', namespace: nsOf(o), name: o.metadata.name, host: hosts[0] ?? o.metadata.name, labels: o.metadata.labels ?? {} };
      for (const h of hosts) add(idx.byHost, h.toLowerCase(), t);
      idx.byName.set(`ServiceEntry/${t.namespace}/${t.name}`, t);
    }
  }
  return idx;
}

/** The waypoint to suggest: one in the target's namespace that takes service traffic, else the default name. */
function suggestion(idx: Index, namespace: string): string {
  const candidates = [...idx.gateways.values()]
    .filter((g) => nsOf(g) === namespace && isWaypointGateway(g) && waypointServes(g, 'service'))
    .map((g) => g.metadata.name)
    .sort((a, b) => Number(b === DEFAULT_WAYPOINT) - Number(a === DEFAULT_WAYPOINT) || a.localeCompare(b));
  return candidates[0] ?? DEFAULT_WAYPOINT;
}

/** Why the target has no waypoint for its service traffic; undefined when it has one or the input cannot tell. */
function missingWaypoint(idx: Index, t: Target): string | undefined {
  const hasOwn = t.labels[USE_WAYPOINT_LABEL] !== undefined;
  const nsLabels = idx.namespaceLabels.get(t.namespace);
  if (!hasOwn && nsLabels === undefined) return undefined;
  const what = `${t.kind === 'Service' ? 'service' : 'service entry'} ${t.host}`;
  const source = hasOwn ? t.labels : (nsLabels ?? {});
  if (source[USE_WAYPOINT_LABEL] === 'none') {
    return `${what} opts out of waypoints (${USE_WAYPOINT_LABEL}=none on the ${hasOwn ? t.kind : 'namespace'})`;
  }
  const ref = requestedWaypoint(t.labels, nsLabels ?? {}, t.namespace);
  if (!ref) return `${what} does not use one (label it ${USE_WAYPOINT_LABEL}=${suggestion(idx, t.namespace)})`;
  const gw = idx.gateways.get(`${ref.namespace}/${ref.name}`);
  if (!gw || !isWaypointGateway(gw)) {
    return `${what} asks for waypoint ${ref.namespace}/${ref.name}, but there is no Gateway of class istio-waypoint by that name`;
  }
  if (!waypointServes(gw, 'service')) {
    return `${what} asks for waypoint ${ref.namespace}/${ref.name}, which does not take service traffic (${WAYPOINT_FOR_LABEL}=${gw.metadata.labels?.[WAYPOINT_FOR_LABEL] ?? ''})`;
  }
  return undefined;
}

/** A Service or ServiceEntry reference ({group, kind, name, namespace?}) → its key in the index. */
function refKey(ref: unknown, defaultNamespace: string): string | undefined {
  if (!isRecord(ref) || typeof ref.name !== 'string') return undefined;
  const group = typeof ref.group === 'string' ? ref.group : '';
  const namespace = typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : defaultNamespace;
  if (ref.kind === 'Service' && (group === '' || group === 'core')) return `Service/${namespace}/${ref.name}`;
  if (ref.kind === 'ServiceEntry' && group === NETWORKING) return `ServiceEntry/${namespace}/${ref.name}`;
  return undefined;
}

/** The services each waypoint-only resource is bound to, with the field naming each. */
function bindings(lo: LoadedObject, idx: Index): { path: string; target: Target }[] {
  const o = lo.object;
  const s = spec(o);
  const ns = nsOf(o);
  const out: { path: string; target: Target }[] = [];
  if (is(o, NETWORKING, 'VirtualService')) {
    const gateways = Array.isArray(s.gateways) ? (s.gateways as unknown[]) : [];
    const mesh = gateways.length === 0 || gateways.includes('mesh');
    if (!mesh || !Array.isArray(s.http) || s.http.length === 0) return out;
    (Array.isArray(s.hosts) ? (s.hosts as unknown[]) : []).forEach((h, i) => {
      if (typeof h !== 'string' || h.includes('*')) return;
      for (const target of idx.byHost.get(resolveHost(h, ns)) ?? []) out.push({ path: `spec.hosts[${i}]`, target });
    });
  } else if (is(o, GATEWAY_API, 'HTTPRoute') || is(o, GATEWAY_API, 'GRPCRoute')) {
    (Array.isArray(s.parentRefs) ? (s.parentRefs as unknown[]) : []).forEach((ref, i) => {
      const key = refKey(ref, ns);
      const target = key === undefined ? undefined : idx.byName.get(key);
      if (target) out.push({ path: `spec.parentRefs[${i}]`, target });
    });
  } else if (is(o, SECURITY, 'AuthorizationPolicy')) {
    const refs: [string, unknown][] = Array.isArray(s.targetRefs) ? (s.targetRefs as unknown[]).map((r, i) => [`spec.targetRefs[${i}]`, r]) : [];
    if (isRecord(s.targetRef)) refs.push(['spec.targetRef', s.targetRef]);
    for (const [path, ref] of refs) {
      const key = refKey(ref, ns); // targetRefs are always in the policy's namespace
      const target = key === undefined ? undefined : idx.byName.get(key);
      if (target) out.push({ path, target });
    }
  }
  return out;
}

/** Warns on waypoint-only configuration bound to a service that no waypoint serves. */
export function checkWaypointUse(objects: readonly LoadedObject[], out: Finding[]): void {
  const idx = index(objects);
  if (idx.byName.size === 0) return;
  for (const lo of objects) {
    for (const { path, target } of bindings(lo, idx)) {
      const why = missingWaypoint(idx, target);
      if (why === undefined) continue;
      out.push({ severity: 'warning', kind: lo.object.kind, name: displayName(lo.object), path, message: `has no effect without a waypoint: ${why}`, file: lo.file });
    }
  }
}
