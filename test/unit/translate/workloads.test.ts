// Pods → Workloads (translatePod), enrollment, services map, waypoints, and the policy
// keys buildModel attaches to each workload.
import test from 'ava';
import type { Workload } from '../../../api/model.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { buildModel } from '../../../controller/translate/build-model.js';
import { isEnrolled } from '../../../controller/translate/enrollment.js';
import { defaultMesh } from '../../../controller/translate/mesh.js';
import { translatePod } from '../../../controller/translate/workloads.js';
import {
  AMBIENT, MemoryView, authorizationPolicy, endpointSlice, namespace, peerAuthentication, pod, service, viewOf, waypointGateway,
} from './builders.js';

const NONE_LABEL = { 'istio.io/dataplane-mode': 'none' };
const KEYS = (): string[] => ['k/marker'];
const WP = (ns: string, name: string): Workload['waypoint'] => ({ namespace: ns, name, hostname: `${name}.${ns}.svc.cluster.local`, hbonePort: 15008 });

interface Case {
  name: string;
  objects?: KubeObject[];
  pod: KubeObject;
  trustDomain?: string;
  /** undefined: the pod is not sent. Otherwise the listed fields must equal these. */
  expected: Partial<Workload> | undefined;
}

const ambientNs = namespace('default', AMBIENT);
const svcHttp = (o: Parameters<typeof service>[1] = {}): KubeObject => service('web', { selector: { app: 'web' }, ...o });
const webPod = (o: Parameters<typeof pod>[1] = {}): KubeObject => pod('web-1', { labels: { app: 'web' }, ...o });

const cases: Case[] = [
  // ---- identity and addresses ----
  {
    name: 'uid, name, namespace, node, podIP, default service account, trust domain',
    pod: pod('p', { ns: 'shop', ip: '10.0.0.5', node: 'node-a' }),
    expected: { uid: 'Kubernetes//Pod/shop/p', name: 'p', namespace: 'shop', node: 'node-a', addresses: ['10.0.0.5'], serviceAccount: 'default', trustDomain: 'cluster.local' },
  },
  { name: 'podIPs (dual stack) win over podIP', pod: pod('p', { ip: '10.0.0.5', ips: ['10.0.0.5', 'fd00::5'] }), expected: { addresses: ['10.0.0.5', 'fd00::5'] } },
  { name: 'empty podIPs fall back to podIP', pod: pod('p', { ip: '10.0.0.6', ips: [] }), expected: { addresses: ['10.0.0.6'] } },
  { name: 'serviceAccountName', pod: pod('p', { serviceAccountName: 'reviews' }), expected: { serviceAccount: 'reviews' } },
  { name: 'deprecated serviceAccount field', pod: pod('p', { serviceAccount: 'legacy' }), expected: { serviceAccount: 'legacy' } },
  { name: 'mesh trust domain', pod: pod('p'), trustDomain: 'example.org', expected: { trustDomain: 'example.org' } },
  { name: 'no node yet: empty node', pod: pod('p'), expected: { node: '' } },
  { name: 'not Ready: UNHEALTHY', pod: pod('p', { ready: false }), expected: { status: 'UNHEALTHY' } },
  { name: 'Ready: HEALTHY', pod: pod('p', { ready: true }), expected: { status: 'HEALTHY' } },

  // ---- skipped pods ----
  { name: 'Succeeded pod skipped', pod: pod('p', { phase: 'Succeeded' }), expected: undefined },
  { name: 'Failed pod skipped', pod: pod('p', { phase: 'Failed' }), expected: undefined },
  { name: 'pod without IP skipped', pod: pod('p', { ip: null }), expected: undefined },
  { name: 'Pending pod with an IP sent', pod: pod('p', { phase: 'Pending' }), expected: { addresses: ['10.0.0.10'] } },
  { name: 'hostNetwork pod skipped even when labelled ambient', objects: [ambientNs], pod: pod('p', { hostNetwork: true, labels: AMBIENT }), expected: undefined },

  // ---- enrollment ----
  { name: 'namespace ambient: HBONE, policies attached', objects: [ambientNs], pod: pod('p'), expected: { tunnelProtocol: 'HBONE', authorizationPolicies: ['k/marker'] } },
  { name: 'pod ambient in plain namespace: HBONE', objects: [namespace('default')], pod: pod('p', { labels: AMBIENT }), expected: { tunnelProtocol: 'HBONE' } },
  { name: 'pod none opts out of ambient namespace', objects: [ambientNs], pod: pod('p', { labels: NONE_LABEL }), expected: { tunnelProtocol: 'NONE', authorizationPolicies: [], waypoint: null } },
  { name: 'not labelled anywhere: NONE, no policies', objects: [namespace('default')], pod: pod('p'), expected: { tunnelProtocol: 'NONE', authorizationPolicies: [] } },
  { name: 'namespace object missing: NONE', pod: pod('p'), expected: { tunnelProtocol: 'NONE' } },
  { name: 'namespace label other than ambient: NONE', objects: [namespace('default', { 'istio.io/dataplane-mode': 'sidecar' })], pod: pod('p'), expected: { tunnelProtocol: 'NONE' } },

  // ---- services map ----
  { name: 'numeric targetPort', objects: [svcHttp()], pod: webPod(), expected: { services: { 'default/web.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080 }] } } } },
  { name: 'omitted targetPort = port', objects: [svcHttp({ ports: [{ port: 9000 }] })], pod: webPod(), expected: { services: { 'default/web.default.svc.cluster.local': { ports: [{ servicePort: 9000, targetPort: 9000 }] } } } },
  { name: 'numeric-string targetPort', objects: [svcHttp({ ports: [{ port: 80, targetPort: '8081' }] })], pod: webPod(), expected: { services: { 'default/web.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8081 }] } } } },
  {
    name: 'named targetPort resolved from container ports',
    objects: [svcHttp({ ports: [{ name: 'http', port: 80, targetPort: 'web' }] })],
    pod: webPod({ containerPorts: [{ name: 'metrics', containerPort: 9100 }, { name: 'web', containerPort: 3000 }] }),
    expected: { services: { 'default/web.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 3000 }] } } },
  },
  {
    name: 'unresolvable named port omitted, others kept',
    objects: [svcHttp({ ports: [{ name: 'http', port: 80, targetPort: 'missing' }, { name: 'grpc', port: 90, targetPort: 9090 }] })],
    pod: webPod(),
    expected: { services: { 'default/web.default.svc.cluster.local': { ports: [{ servicePort: 90, targetPort: 9090 }] } } },
  },
  { name: 'service with only unresolvable ports left out', objects: [svcHttp({ ports: [{ port: 80, targetPort: 'missing' }] })], pod: webPod(), expected: { services: {} } },
  {
    name: 'named port of another protocol not used',
    objects: [svcHttp({ ports: [{ port: 53, targetPort: 'dns' }] })],
    pod: webPod({ containerPorts: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }] }),
    expected: { services: {} },
  },
  {
    name: 'UDP ports skipped',
    objects: [svcHttp({ ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'http', port: 80, targetPort: 8080 }] })],
    pod: webPod(),
    expected: { services: { 'default/web.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080 }] } } },
  },
  { name: 'selector not matching', objects: [svcHttp({ selector: { app: 'db' } })], pod: webPod(), expected: { services: {} } },
  { name: 'service of another namespace', objects: [svcHttp({ ns: 'other' })], pod: webPod(), expected: { services: {} } },
  { name: 'ExternalName service ignored', objects: [svcHttp({ type: 'ExternalName' })], pod: webPod(), expected: { services: {} } },
  {
    name: 'two services backing one pod',
    objects: [svcHttp(), service('web-admin', { selector: { app: 'web' }, ports: [{ port: 8443 }] })],
    pod: webPod(),
    expected: { services: {
      'default/web.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080 }] },
      'default/web-admin.default.svc.cluster.local': { ports: [{ servicePort: 8443, targetPort: 8443 }] },
    } },
  },
  {
    name: 'selectorless service via EndpointSlice targetRef',
    objects: [service('ext', { ports: [{ name: 'http', port: 80 }] }), endpointSlice('ext-1', 'ext', 'default', [{ addresses: ['10.9.9.9'], targetRef: { kind: 'Pod', name: 'p' } }], [{ name: 'http', port: 8080 }])],
    pod: pod('p'),
    expected: { services: { 'default/ext.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080 }] } } },
  },
  {
    name: 'selectorless service via EndpointSlice address',
    objects: [service('ext', { ports: [{ name: 'http', port: 80 }] }), endpointSlice('ext-1', 'ext', 'default', [{ addresses: ['10.0.0.10'] }], [{ name: 'http', port: 8080 }])],
    pod: pod('p', { ip: '10.0.0.10' }),
    expected: { services: { 'default/ext.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080 }] } } },
  },
  {
    name: 'selectorless slice for another pod',
    objects: [service('ext', { ports: [{ name: 'http', port: 80 }] }), endpointSlice('ext-1', 'ext', 'default', [{ addresses: ['10.7.7.7'], targetRef: { kind: 'Pod', name: 'other' } }], [{ name: 'http', port: 8080 }])],
    pod: pod('p'),
    expected: { services: {} },
  },
  {
    name: 'selectorless slice of another service',
    objects: [service('ext', { ports: [{ name: 'http', port: 80 }] }), endpointSlice('x-1', 'x', 'default', [{ targetRef: { kind: 'Pod', name: 'p' } }], [{ name: 'http', port: 8080 }])],
    pod: pod('p'),
    expected: { services: {} },
  },
  {
    name: 'selectorless UDP port skipped',
    objects: [
      service('ext', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'http', port: 80 }] }),
      endpointSlice('ext-1', 'ext', 'default', [{ targetRef: { kind: 'Pod', name: 'p' } }], [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'http', port: 8080 }]),
    ],
    pod: pod('p'),
    expected: { services: { 'default/ext.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080 }] } } },
  },
  {
    name: 'selectorless dual-stack slices: one mapping per port',
    objects: [
      service('ext', { ports: [{ name: 'http', port: 80 }] }),
      endpointSlice('ext-v4', 'ext', 'default', [{ addresses: ['10.0.0.10'], targetRef: { kind: 'Pod', name: 'p' } }], [{ name: 'http', port: 8080 }]),
      endpointSlice('ext-v6', 'ext', 'default', [{ addresses: ['fd00::10'], targetRef: { kind: 'Pod', name: 'p' } }], [{ name: 'http', port: 8080 }]),
    ],
    pod: pod('p', { ips: ['10.0.0.10', 'fd00::10'] }),
    expected: { services: { 'default/ext.default.svc.cluster.local': { ports: [{ servicePort: 80, targetPort: 8080 }] } } },
  },

  // ---- waypoints ----
  { name: 'waypoint from pod label (waypoint-for workload)', objects: [ambientNs, waypointGateway('wp', 'default', 'workload')], pod: pod('p', { labels: { 'istio.io/use-waypoint': 'wp' } }), expected: { waypoint: WP('default', 'wp') } },
  { name: 'waypoint from namespace label', objects: [namespace('default', { ...AMBIENT, 'istio.io/use-waypoint': 'wp' }), waypointGateway('wp', 'default', 'all')], pod: pod('p'), expected: { waypoint: WP('default', 'wp') } },
  {
    name: 'pod label wins over namespace label',
    objects: [namespace('default', { ...AMBIENT, 'istio.io/use-waypoint': 'ns-wp' }), waypointGateway('ns-wp', 'default', 'all'), waypointGateway('pod-wp', 'default', 'all')],
    pod: pod('p', { labels: { 'istio.io/use-waypoint': 'pod-wp' } }),
    expected: { waypoint: WP('default', 'pod-wp') },
  },
  {
    name: 'pod label none opts out of the namespace waypoint',
    objects: [namespace('default', { ...AMBIENT, 'istio.io/use-waypoint': 'wp' }), waypointGateway('wp', 'default', 'all')],
    pod: pod('p', { labels: { 'istio.io/use-waypoint': 'none' } }),
    expected: { waypoint: null },
  },
  { name: 'waypoint gateway missing: none', objects: [ambientNs], pod: pod('p', { labels: { 'istio.io/use-waypoint': 'ghost' } }), expected: { waypoint: null } },
  { name: 'waypoint-for service (explicit) does not take workload traffic', objects: [ambientNs, waypointGateway('wp', 'default', 'service')], pod: pod('p', { labels: { 'istio.io/use-waypoint': 'wp' } }), expected: { waypoint: null } },
  { name: 'waypoint-for default is service', objects: [ambientNs, waypointGateway('wp', 'default')], pod: pod('p', { labels: { 'istio.io/use-waypoint': 'wp' } }), expected: { waypoint: null } },
  { name: 'waypoint-for none takes nothing', objects: [ambientNs, waypointGateway('wp', 'default', 'none')], pod: pod('p', { labels: { 'istio.io/use-waypoint': 'wp' } }), expected: { waypoint: null } },
  { name: 'waypoint-for all', objects: [ambientNs, waypointGateway('wp', 'default', 'all')], pod: pod('p', { labels: { 'istio.io/use-waypoint': 'wp' } }), expected: { waypoint: WP('default', 'wp') } },
  {
    name: 'use-waypoint-namespace',
    objects: [ambientNs, waypointGateway('shared', 'infra', 'all')],
    pod: pod('p', { labels: { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra' } }),
    expected: { waypoint: WP('infra', 'shared') },
  },
  { name: 'gateway of another class is not a waypoint', objects: [ambientNs, waypointGateway('wp', 'default', 'all', 'istio')], pod: pod('p', { labels: { 'istio.io/use-waypoint': 'wp' } }), expected: { waypoint: null } },
  { name: 'not enrolled: no waypoint', objects: [namespace('default'), waypointGateway('wp', 'default', 'all')], pod: pod('p', { labels: { 'istio.io/use-waypoint': 'wp' } }), expected: { waypoint: null } },

  // ---- canonical names, workload name ----
  { name: 'canonical name/revision from app/version', pod: pod('p', { labels: { app: 'reviews', version: 'v2' } }), expected: { canonicalName: 'reviews', canonicalRevision: 'v2' } },
  {
    name: 'istio canonical labels win over app.kubernetes.io and app',
    pod: pod('p', { labels: { 'service.istio.io/canonical-name': 'c', 'service.istio.io/canonical-revision': 'r', 'app.kubernetes.io/name': 'k', 'app.kubernetes.io/version': 'kv', app: 'a', version: 'v' } }),
    expected: { canonicalName: 'c', canonicalRevision: 'r' },
  },
  { name: 'app.kubernetes.io labels win over app/version', pod: pod('p', { labels: { 'app.kubernetes.io/name': 'k', 'app.kubernetes.io/version': 'kv', app: 'a', version: 'v' } }), expected: { canonicalName: 'k', canonicalRevision: 'kv' } },
  { name: 'no labels: canonical name is the workload name, revision latest', pod: pod('p'), expected: { canonicalName: 'p', canonicalRevision: 'latest', workloadName: 'p' } },
  {
    name: 'workloadName from ReplicaSet owner (pod-template-hash stripped)',
    pod: pod('reviews-v1-7d4b9c8f5d-x2x9z', { labels: { 'pod-template-hash': '7d4b9c8f5d' }, owner: { kind: 'ReplicaSet', name: 'reviews-v1-7d4b9c8f5d' } }),
    expected: { workloadName: 'reviews-v1', canonicalName: 'reviews-v1' },
  },
  {
    name: 'bare ReplicaSet (no pod-template-hash): its own name, not cut at a dash',
    pod: pod('my-app-abcde', { owner: { kind: 'ReplicaSet', name: 'my-app' } }),
    expected: { workloadName: 'my-app' },
  },
  { name: 'StatefulSet owner', pod: pod('db-0', { owner: { kind: 'StatefulSet', name: 'db' } }), expected: { workloadName: 'db' } },
  { name: 'labels copied', pod: pod('p', { labels: { app: 'x', team: 't' } }), expected: { labels: { app: 'x', team: 't' } } },
];

for (const c of cases) {
  test(`workload: ${c.name}`, (t) => {
    const view = new MemoryView(c.objects ?? []);
    const w = translatePod(view, c.pod, defaultMesh(c.trustDomain ? { trustDomain: c.trustDomain } : {}), KEYS);
    if (c.expected === undefined) {
      t.is(w, undefined);
      return;
    }
    if (!w) return t.fail('workload not sent');
    for (const [k, v] of Object.entries(c.expected)) t.deepEqual(w[k as keyof Workload], v, k);
  });
}

const enrollment: { name: string; pod: Record<string, string>; ns: Record<string, string>; hostNetwork?: boolean; expected: boolean }[] = [
  { name: 'namespace ambient', pod: {}, ns: AMBIENT, expected: true },
  { name: 'pod ambient', pod: AMBIENT, ns: {}, expected: true },
  { name: 'pod none over namespace ambient', pod: NONE_LABEL, ns: AMBIENT, expected: false },
  { name: 'hostNetwork never', pod: AMBIENT, ns: AMBIENT, hostNetwork: true, expected: false },
  { name: 'nothing labelled', pod: {}, ns: {}, expected: false },
];
for (const c of enrollment) {
  test(`isEnrolled: ${c.name}`, (t) => t.is(isEnrolled(c.pod, c.ns, c.hostNetwork), c.expected));
}

// ---- authorization policy keys (buildModel) ----

interface KeyCase { name: string; objects: KubeObject[]; pod: KubeObject; expected: string[] }

const sel = (labels: Record<string, string>): Record<string, unknown> => ({ selector: { matchLabels: labels }, rules: [{}] });
const appNs = namespace('app', AMBIENT);
const appPod = pod('web-1', { ns: 'app', labels: { app: 'web' } });

const keyCases: KeyCase[] = [
  { name: 'selector policy in own namespace', objects: [appNs, authorizationPolicy('allow-web', 'app', sel({ app: 'web' }))], pod: appPod, expected: ['app/allow-web'] },
  { name: 'selector not matching', objects: [appNs, authorizationPolicy('allow-db', 'app', sel({ app: 'db' }))], pod: appPod, expected: [] },
  { name: 'selector policy in another namespace', objects: [appNs, authorizationPolicy('allow-web', 'other', sel({ app: 'web' }))], pod: appPod, expected: [] },
  { name: 'selector policy in root namespace applies everywhere', objects: [appNs, authorizationPolicy('root-web', 'istio-system', sel({ app: 'web' }))], pod: appPod, expected: ['istio-system/root-web'] },
  { name: 'namespace and global policies need no key', objects: [appNs, authorizationPolicy('ns-wide', 'app', { rules: [{}] }), authorizationPolicy('global', 'istio-system', { rules: [{}] })], pod: appPod, expected: [] },
  { name: 'targetRefs policy is not sent, so no key', objects: [appNs, authorizationPolicy('wp', 'app', { targetRefs: [{ kind: 'Service', name: 'web' }] })], pod: appPod, expected: [] },
  {
    name: 'keys sorted, peer authentication key included',
    objects: [appNs, authorizationPolicy('z-policy', 'app', sel({ app: 'web' })), authorizationPolicy('a-policy', 'app', sel({})), peerAuthentication('mesh', 'istio-system', { mtls: { mode: 'STRICT' } })],
    pod: appPod,
    expected: ['app/a-policy', 'app/z-policy', 'istio-system/istio_converted_static_strict'],
  },
  {
    name: 'converted port-level peer authentication key',
    objects: [appNs, peerAuthentication('wl', 'app', { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } })],
    pod: appPod,
    expected: ['app/converted_peer_authentication_wl'],
  },
  { name: 'not enrolled pod gets no keys', objects: [namespace('app'), authorizationPolicy('allow-web', 'app', sel({ app: 'web' }))], pod: appPod, expected: [] },
];

for (const c of keyCases) {
  test(`policy keys: ${c.name}`, (t) => {
    const model = buildModel(viewOf(...c.objects, c.pod), defaultMesh());
    const w = model.workloads.find((x) => x.name === c.pod.metadata.name);
    if (!w) return t.fail('workload missing');
    t.deepEqual(w.authorizationPolicies, c.expected);
    const names = new Set(model.authorizations.map((a) => `${a.namespace}/${a.name}`));
    for (const k of c.expected) t.true(names.has(k), `model holds the policy ${k}`);
  });
}

test('buildModel: static strict policy always present, HTTP warnings collected', (t) => {
  const model = buildModel(viewOf(appNs, appPod, authorizationPolicy('get-only', 'app', { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }),
    authorizationPolicy('ext', 'app', { action: 'CUSTOM', provider: { name: 'x' }, rules: [{}] })), defaultMesh());
  t.true(model.authorizations.some((a) => a.name === 'istio_converted_static_strict' && a.namespace === 'istio-system'));
  t.true(model.authorizations.some((a) => a.name === 'get-only' && a.rules.length === 0));
  t.false(model.authorizations.some((a) => a.name === 'ext'));
  t.true(model.warnings.some((w) => w.includes('AuthorizationPolicy app/get-only') && w.includes('found: methods')));
  t.true(model.warnings.some((w) => w.includes('AuthorizationPolicy app/ext') && w.includes('CUSTOM')));
});
