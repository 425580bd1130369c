// planOutbound: where a captured outbound connection goes (table tests).
import test from 'ava';
import type { Service, Waypoint, Workload } from '../../../api/model.js';
import { ProxyState } from '../../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../../daemon/state/proxy-state-updater.js';
import { planOutbound, type OutboundPlan } from '../../../daemon/proxy/outbound-plan.js';

function workload(name: string, ip: string, node: string, o: Partial<Workload> = {}): Workload {
  return {
    uid: `Kubernetes//Pod/default/${name}`, name, namespace: 'default', addresses: [ip], node, serviceAccount: name.split('-')[0]!,
    trustDomain: 'cluster.local', tunnelProtocol: 'HBONE', services: {}, waypoint: null, canonicalName: name, canonicalRevision: 'latest',
    workloadName: name, authorizationPolicies: [], status: 'HEALTHY', labels: {}, ...o,
  };
}

const HTTPBIN_KEY = 'default/httpbin.default.svc.cluster.local';
const backs = { [HTTPBIN_KEY]: { ports: [{ servicePort: 8000, targetPort: 8080 }] } };
const httpbin: Service = {
  name: 'httpbin', namespace: 'default', hostname: 'httpbin.default.svc.cluster.local', addresses: ['10.96.0.10'],
  ports: [{ servicePort: 8000, targetPort: 8080, name: 'http', appProtocol: '' }], subjectAltNames: [], waypoint: null, sourceKind: 'Service', resolution: '',
};
const empty: Service = { ...httpbin, name: 'empty', hostname: 'empty.default.svc.cluster.local', addresses: ['10.96.0.11'] };
const external: Service = {
  ...httpbin, name: 'ext', hostname: 'api.example.com', addresses: ['192.0.2.0/24'], ports: [{ servicePort: 443, targetPort: 443, name: 'tls', appProtocol: 'tls' }],
  sourceKind: 'ServiceEntry', resolution: 'NONE',
};

// Waypoints: `waypoint` (a pod outside the mesh on node-2 backing its Service, listening
// for HBONE on 15008) serves `reviews` (service waypoint) and `ratings-1` (workload
// waypoint); `idle-waypoint` has no pods; `missing` does not exist.
const waypointRef = (name: string): Waypoint => ({ namespace: 'default', name, hostname: `${name}.default.svc.cluster.local`, hbonePort: 15008 });
const WAYPOINT_KEY = 'default/waypoint.default.svc.cluster.local';
const waypointBacks = { [WAYPOINT_KEY]: { ports: [{ servicePort: 15008, targetPort: 15008 }] } };
const waypointPod = (name: string, ip: string, node: string, o: Partial<Workload> = {}): Workload =>
  workload(name, ip, node, { serviceAccount: 'waypoint', tunnelProtocol: 'NONE', services: waypointBacks, ...o });
const waypointSvc: Service = { ...httpbin, name: 'waypoint', hostname: 'waypoint.default.svc.cluster.local', addresses: ['10.96.0.20'], ports: [{ servicePort: 15008, targetPort: 15008, name: 'mesh', appProtocol: 'hbone' }] };
const idleWaypointSvc: Service = { ...waypointSvc, name: 'idle-waypoint', hostname: 'idle-waypoint.default.svc.cluster.local', addresses: ['10.96.0.21'] };
const REVIEWS_KEY = 'default/reviews.default.svc.cluster.local';
const reviews: Service = { ...httpbin, name: 'reviews', hostname: 'reviews.default.svc.cluster.local', addresses: ['10.96.0.30'], ports: [{ servicePort: 9080, targetPort: 9080, name: 'http', appProtocol: '' }], waypoint: waypointRef('waypoint') };
const details: Service = { ...reviews, name: 'details', hostname: 'details.default.svc.cluster.local', addresses: ['10.96.0.31'], waypoint: waypointRef('idle-waypoint') };
const productpage: Service = { ...reviews, name: 'productpage', hostname: 'productpage.default.svc.cluster.local', addresses: ['10.96.0.32'], waypoint: waypointRef('missing') };
const RATINGS_KEY = 'default/ratings.default.svc.cluster.local';
const ratings: Service = { ...reviews, name: 'ratings', hostname: 'ratings.default.svc.cluster.local', addresses: ['10.96.0.33'], waypoint: null };

function state(opts: { registryOnly?: boolean; extra?: Workload[] } = {}): ProxyState {
  const s = new ProxyState();
  new ProxyStateUpdater(s).apply({
    full: true, version: '1', removals: [],
    upserts: [
      ...[
        workload('sleep-1', '10.244.1.5', 'node-1'),
        workload('httpbin-1', '10.244.1.2', 'node-1', { services: backs }),
        workload('httpbin-2', '10.244.2.2', 'node-2', { services: backs }),
        workload('legacy-1', '10.244.2.9', 'node-2', { tunnelProtocol: 'NONE', namespace: 'legacy' }),
        workload('httpbin-3', '10.244.2.3', 'node-2', { services: backs, status: 'UNHEALTHY' }),
        workload('outside-1', '10.244.1.9', 'node-1', { tunnelProtocol: 'NONE', namespace: 'legacy' }),
        waypointPod('waypoint-1', '10.244.2.20', 'node-2'),
        workload('reviews-1', '10.244.2.30', 'node-2', { services: { [REVIEWS_KEY]: { ports: [{ servicePort: 9080, targetPort: 9080 }] } } }),
        workload('reviews-2', '10.244.1.30', 'node-1', { services: { [REVIEWS_KEY]: { ports: [{ servicePort: 9080, targetPort: 9080 }] } } }),
        workload('ratings-1', '10.244.2.40', 'node-2', { waypoint: waypointRef('waypoint'), services: { [RATINGS_KEY]: { ports: [{ servicePort: 9080, targetPort: 9080 }] } } }),
        ...(opts.extra ?? []),
      ].map((w) => ({ kind: 'WORKLOAD' as const, name: w.uid, value: w })),
      ...[httpbin, empty, external, waypointSvc, idleWaypointSvc, reviews, details, productpage, ratings].map((s) => ({ kind: 'SERVICE' as const, name: `${s.namespace}/${s.hostname}`, value: s })),
      { kind: 'MESH_CONFIG', name: 'mesh', value: { trustDomain: 'cluster.local', rootNamespace: 'istio-system', outboundTrafficPolicy: opts.registryOnly ? 'REGISTRY_ONLY' : 'ALLOW_ANY' } },
    ],
  });
  return s;
}

const pickByName = (name: string) => (_k: string, c: readonly Workload[]): Workload => c.find((w) => w.name === name) ?? c[0]!;

interface Case {
  name: string;
  src: string;
  dst: [string, number];
  pick?: string;
  registryOnly?: boolean;
  extra?: Workload[];
  expect: Partial<{ kind: OutboundPlan['kind']; target: string; tunnel: string; authority: string; destination: string; waypoint: string; reasonMatch: RegExp; dstIdentity: string; srcIdentity: string }>;
}

const cases: Case[] = [
  { name: 'VIP to a remote endpoint goes through HBONE to its node, target port resolved', src: '10.244.1.5', dst: ['10.96.0.10', 8000], pick: 'httpbin-2',
    expect: { kind: 'hbone', target: '10.244.2.2:8080', tunnel: '10.244.2.2:15008', destination: 'httpbin-2', dstIdentity: 'httpbin', srcIdentity: 'sleep' } },
  { name: 'VIP to a same-node endpoint is delivered locally', src: '10.244.1.5', dst: ['10.96.0.10', 8000], pick: 'httpbin-1',
    expect: { kind: 'local', target: '10.244.1.2:8080', destination: 'httpbin-1' } },
  { name: 'unhealthy endpoints are never picked', src: '10.244.1.5', dst: ['10.96.0.10', 8000], pick: 'httpbin-3',
    expect: { destination: 'httpbin-1' } },
  { name: 'a pod IP is addressed directly with the original port', src: '10.244.1.5', dst: ['10.244.2.2', 8080],
    expect: { kind: 'hbone', target: '10.244.2.2:8080', tunnel: '10.244.2.2:15008' } },
  { name: 'a destination outside the mesh is passed through', src: '10.244.1.5', dst: ['10.244.2.9', 80],
    expect: { kind: 'passthrough', target: '10.244.2.9:80', reasonMatch: /not in the mesh/ } },
  { name: 'an unknown source is refused', src: '10.244.9.9', dst: ['10.96.0.10', 8000], expect: { kind: 'refuse', reasonMatch: /unknown source/ } },
  { name: 'a source on another node is refused', src: '10.244.2.2', dst: ['10.96.0.10', 8000], expect: { kind: 'refuse', reasonMatch: /not on this node/ } },
  { name: 'a VIP port the service does not have is refused', src: '10.244.1.5', dst: ['10.96.0.10', 9999], expect: { kind: 'refuse', reasonMatch: /no port 9999/ } },
  { name: 'a service without endpoints is refused', src: '10.244.1.5', dst: ['10.96.0.11', 8000], expect: { kind: 'refuse', reasonMatch: /no healthy endpoints/ } },
  { name: 'ALLOW_ANY passes unknown destinations through', src: '10.244.1.5', dst: ['198.51.100.7', 443], expect: { kind: 'passthrough', target: '198.51.100.7:443', reasonMatch: /ALLOW_ANY/ } },
  { name: 'REGISTRY_ONLY refuses unknown destinations', src: '10.244.1.5', dst: ['198.51.100.7', 443], registryOnly: true, expect: { kind: 'refuse', reasonMatch: /REGISTRY_ONLY/ } },
  { name: 'REGISTRY_ONLY lets a ServiceEntry address through', src: '10.244.1.5', dst: ['192.0.2.44', 443], registryOnly: true, expect: { kind: 'passthrough', reasonMatch: /ServiceEntry default\/ext/ } },
  { name: 'REGISTRY_ONLY: a ServiceEntry address on another port is refused', src: '10.244.1.5', dst: ['192.0.2.44', 80], registryOnly: true, expect: { kind: 'refuse' } },
  { name: 'REGISTRY_ONLY still allows mesh pods by IP', src: '10.244.1.5', dst: ['10.244.2.2', 8080], registryOnly: true, expect: { kind: 'hbone' } },
  // A local pod outside the mesh is captured only for Service VIPs (no kube-proxy): plaintext, never HBONE.
  { name: 'outside the mesh: VIP to a remote mesh pod goes plaintext to the endpoint', src: '10.244.1.9', dst: ['10.96.0.10', 8000], pick: 'httpbin-2',
    expect: { kind: 'passthrough', target: '10.244.2.2:8080', destination: 'httpbin-2', reasonMatch: /not in the mesh/ } },
  { name: 'outside the mesh: VIP to a same-node mesh pod is delivered with its inbound policy', src: '10.244.1.9', dst: ['10.96.0.10', 8000], pick: 'httpbin-1',
    expect: { kind: 'plaintext-local', target: '10.244.1.2:8080', destination: 'httpbin-1' } },
  { name: 'outside the mesh: a VIP port the service does not have is refused', src: '10.244.1.9', dst: ['10.96.0.10', 9999], expect: { kind: 'refuse', reasonMatch: /no port 9999/ } },
  { name: 'outside the mesh: a service without endpoints is refused', src: '10.244.1.9', dst: ['10.96.0.11', 8000], expect: { kind: 'refuse', reasonMatch: /no healthy endpoints/ } },
  { name: 'outside the mesh: a pod IP (not a VIP) passes through', src: '10.244.1.9', dst: ['10.244.2.2', 8080], expect: { kind: 'passthrough', target: '10.244.2.2:8080', reasonMatch: /not in the mesh/ } },
  { name: 'outside the mesh: REGISTRY_ONLY does not apply (not a mesh client)', src: '10.244.1.9', dst: ['198.51.100.7', 443], registryOnly: true, expect: { kind: 'passthrough' } },
  // Waypoints (mesh sources only).
  { name: 'waypoint: a service with a waypoint goes through HBONE to a waypoint pod, authority the original VIP', src: '10.244.1.5', dst: ['10.96.0.30', 9080], pick: 'waypoint-1',
    expect: { kind: 'waypoint', tunnel: '10.244.2.20:15008', authority: '10.96.0.30:9080', waypoint: 'waypoint-1', dstIdentity: 'waypoint', srcIdentity: 'sleep' } },
  { name: 'waypoint: a pod whose workload has a waypoint goes through it, authority the pod IP and port', src: '10.244.1.5', dst: ['10.244.2.40', 9080],
    expect: { kind: 'waypoint', tunnel: '10.244.2.20:15008', authority: '10.244.2.40:9080', waypoint: 'waypoint-1', dstIdentity: 'waypoint' } },
  { name: 'waypoint: a workload waypoint is not used for service-addressed traffic (as ztunnel)', src: '10.244.1.5', dst: ['10.96.0.33', 9080],
    expect: { kind: 'hbone', target: '10.244.2.40:9080', destination: 'ratings-1' } },
  { name: 'waypoint: a waypoint without healthy endpoints refuses (no bypass)', src: '10.244.1.5', dst: ['10.96.0.31', 9080],
    expect: { kind: 'refuse', reasonMatch: /waypoint default\/idle-waypoint: no healthy endpoints/ } },
  { name: 'waypoint: a waypoint whose service is missing refuses', src: '10.244.1.5', dst: ['10.96.0.32', 9080],
    expect: { kind: 'refuse', reasonMatch: /waypoint default\/missing: service missing\.default\.svc\.cluster\.local not found/ } },
  { name: 'waypoint: an unhealthy waypoint pod is never picked', src: '10.244.1.5', dst: ['10.96.0.30', 9080], pick: 'waypoint-9',
    extra: [waypointPod('waypoint-9', '10.244.2.29', 'node-2', { status: 'UNHEALTHY' })], expect: { kind: 'waypoint', waypoint: 'waypoint-1' } },
  { name: 'waypoint: a port the service does not have is refused before the waypoint', src: '10.244.1.5', dst: ['10.96.0.30', 1234], expect: { kind: 'refuse', reasonMatch: /no port 1234/ } },
  { name: 'waypoint: on the same node it is still reached with HBONE (a separate process)', src: '10.244.1.5', dst: ['10.96.0.30', 9080], pick: 'waypoint-2',
    extra: [waypointPod('waypoint-2', '10.244.1.20', 'node-1')], expect: { kind: 'waypoint', tunnel: '10.244.1.20:15008', waypoint: 'waypoint-2' } },
  { name: 'waypoint: the waypoint\'s own upstream traffic goes direct', src: '10.244.1.21', dst: ['10.96.0.30', 9080], pick: 'reviews-1',
    extra: [waypointPod('waypoint-3', '10.244.1.21', 'node-1', { tunnelProtocol: 'HBONE' })], expect: { kind: 'hbone', target: '10.244.2.30:9080', destination: 'reviews-1', srcIdentity: 'waypoint' } },
  { name: 'waypoint: a source outside the mesh bypasses the waypoint (Service load balancing only)', src: '10.244.1.9', dst: ['10.96.0.30', 9080], pick: 'reviews-1',
    expect: { kind: 'passthrough', target: '10.244.2.30:9080', destination: 'reviews-1', reasonMatch: /not in the mesh/ } },
  { name: 'waypoint: a service without one is unchanged', src: '10.244.1.5', dst: ['10.96.0.10', 8000], pick: 'httpbin-2',
    expect: { kind: 'hbone', target: '10.244.2.2:8080', tunnel: '10.244.2.2:15008', destination: 'httpbin-2' } },
];

const addr = (a: { ip: string; port: number }): string => `${a.ip}:${a.port}`;

for (const c of cases) {
  test(c.name, (t) => {
    const plan = planOutbound(state({ registryOnly: c.registryOnly, extra: c.extra }), 'node-1', { ip: c.src, port: 40000 }, { ip: c.dst[0], port: c.dst[1] }, pickByName(c.pick ?? 'none'));
    const e = c.expect;
    const mtls = plan.kind === 'hbone' || plan.kind === 'waypoint' || plan.kind === 'local';
    if (e.kind) t.is(plan.kind, e.kind, JSON.stringify(plan));
    if (e.target) t.is('target' in plan ? addr(plan.target) : undefined, e.target);
    if (e.tunnel) t.is(plan.kind === 'hbone' || plan.kind === 'waypoint' ? addr(plan.tunnel) : undefined, e.tunnel);
    if (e.authority) t.is(plan.kind === 'waypoint' ? addr(plan.authority) : undefined, e.authority);
    if (e.destination) t.is('destination' in plan ? plan.destination?.name : undefined, e.destination);
    if (e.waypoint) t.is(plan.kind === 'waypoint' ? plan.waypoint.name : undefined, e.waypoint);
    if (e.reasonMatch) t.regex('reason' in plan ? plan.reason : '', e.reasonMatch);
    if (e.dstIdentity) t.is(mtls ? plan.dstIdentity.serviceAccount : undefined, e.dstIdentity);
    if (e.srcIdentity) t.is(mtls ? plan.srcIdentity.serviceAccount : undefined, e.srcIdentity);
  });
}
