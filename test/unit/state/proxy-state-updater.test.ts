// ProxyStateUpdater: the one mutator of the daemon's state keeps every index consistent
// and refuses bad resources one by one.
import test from 'ava';
import type { ServiceL7Config } from '../../../api/l7-model.js';
import type { ModelResource, Workload } from '../../../api/model.js';
import { ProxyState } from '../../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../../daemon/state/proxy-state-updater.js';
import { resourceProblem } from '../../../daemon/state/resource-checks.js';
import { l7ConfigProblem } from '../../../daemon/state/l7-config-check.js';

const KEY = 'default/httpbin.default.svc.cluster.local';

function w(name: string, ip: string, services: Workload['services'] = {}): ModelResource {
  const uid = `Kubernetes//Pod/default/${name}`;
  return { kind: 'WORKLOAD', name: uid, value: {
    uid, name, namespace: 'default', addresses: [ip], node: 'node-1', serviceAccount: 'sa', trustDomain: 'cluster.local',
    tunnelProtocol: 'HBONE', services, waypoint: null, canonicalName: name, canonicalRevision: 'v1', workloadName: name,
    authorizationPolicies: [], status: 'HEALTHY', labels: {},
  } };
}

const svc: ModelResource = { kind: 'SERVICE', name: KEY, value: {
  name: 'httpbin', namespace: 'default', hostname: 'httpbin.default.svc.cluster.local', addresses: ['10.96.0.10'],
  ports: [{ servicePort: 8000, targetPort: 8080, name: 'http', appProtocol: '' }], subjectAltNames: [], waypoint: null, sourceKind: 'Service', resolution: '',
} };
const backs = { [KEY]: { ports: [{ servicePort: 8000, targetPort: 8080 }] } };

test('snapshot, upsert and removal keep the IP, VIP, hostname and endpoint indexes consistent', (t) => {
  const state = new ProxyState();
  const up = new ProxyStateUpdater(state);
  up.apply({ full: true, version: '1', upserts: [w('a', '10.0.0.1', backs), w('b', '10.0.0.2', backs), svc], removals: [] });
  t.is(state.endpointsByService.get(KEY)?.size, 2);
  t.is(state.serviceByVip('10.96.0.10')?.name, 'httpbin');
  t.is(state.servicesByHostname.get('httpbin.default.svc.cluster.local')?.length, 1);

  // b moves to a new IP and stops backing the service.
  up.apply({ full: false, version: '2', upserts: [w('b', '10.0.0.3')], removals: [] });
  t.is(state.workloadByIp('10.0.0.2'), undefined);
  t.is(state.workloadByIp('10.0.0.3')?.name, 'b');
  t.deepEqual([...(state.endpointsByService.get(KEY) ?? [])].map((x) => x.name), ['a']);

  up.apply({ full: false, version: '3', upserts: [], removals: [{ kind: 'WORKLOAD', name: 'Kubernetes//Pod/default/a' }, { kind: 'SERVICE', name: KEY }] });
  t.is(state.endpointsByService.get(KEY), undefined);
  t.is(state.serviceByVip('10.96.0.10'), undefined);
  t.is(state.servicesByHostname.get('httpbin.default.svc.cluster.local'), undefined);
  t.is(state.version, '3');

  // A new snapshot replaces everything.
  up.apply({ full: true, version: '4', upserts: [w('c', '10.0.0.9')], removals: [] });
  t.deepEqual([...state.workloadsByUid.keys()], ['Kubernetes//Pod/default/c']);
});

test('a bad resource is refused by name and the rest of the update applies', (t) => {
  const state = new ProxyState();
  const bad = w('bad', 'not-an-ip');
  const result = new ProxyStateUpdater(state).apply({ full: true, version: '1', upserts: [w('good', '10.0.0.1'), bad], removals: [] });
  t.deepEqual(result.rejected.map((r) => r.ref.name), ['Kubernetes//Pod/default/bad']);
  t.truthy(state.workloadByIp('10.0.0.1'));
  t.is(state.workloadsByUid.size, 1);
});

const problems: [string, ModelResource, RegExp | undefined][] = [
  ['valid workload', w('ok', '10.0.0.1'), undefined],
  ['workload uid differs from its name', { ...w('x', '10.0.0.1'), name: 'other' }, /uid/],
  ['workload address not an IP', w('x', '300.1.1.1'), /not an IP/],
  ['service port out of range', { kind: 'SERVICE', name: KEY, value: { ...(svc.value as object), ports: [{ servicePort: 70000, targetPort: 1, name: '', appProtocol: '' }] } } as ModelResource, /port/],
  ['service VIP not an IP', { kind: 'SERVICE', name: KEY, value: { ...(svc.value as object), addresses: ['vip'] } } as ModelResource, /not an IP/],
  ['policy with a bad CIDR', { kind: 'AUTHORIZATION', name: 'default/p', value: { name: 'p', namespace: 'default', scope: 'NAMESPACE', action: 'ALLOW', dryRun: false,
    rules: [{ clauses: [{ matches: [{ namespaces: [], notNamespaces: [], principals: [], notPrincipals: [], sourceIps: [{ address: '10.0.0.0', length: 40 }], notSourceIps: [],
      destinationIps: [], notDestinationIps: [], destinationPorts: [], notDestinationPorts: [], serviceAccounts: [], notServiceAccounts: [] }] }] }] } }, /CIDR/],
  ['L7 config named after another service', { kind: 'L7_CONFIG', name: KEY, value: { service: 'default/other', json: '{}' } }, /not equal to the resource name/],
  ['unknown outbound traffic policy', { kind: 'MESH_CONFIG', name: 'mesh', value: { trustDomain: 'cluster.local', rootNamespace: 'istio-system', outboundTrafficPolicy: 'SOMETIMES' } }, /outboundTrafficPolicy/],
];

for (const [name, resource, expected] of problems) {
  test(`resource check: ${name}`, (t) => {
    const problem = resourceProblem(resource);
    if (expected) t.regex(problem ?? '', expected);
    else t.is(problem, undefined);
  });
}

function labelled(name: string, ip: string, labels: Record<string, string>, policies: string[] = []): ModelResource {
  const r = w(name, ip);
  if (r.kind === 'WORKLOAD') r.value = { ...r.value, labels, authorizationPolicies: policies };
  return r;
}

test('shared strings and label/policy lists go with the last workload holding them (no growth with churn)', (t) => {
  const state = new ProxyState();
  const up = new ProxyStateUpdater(state);
  up.apply({ full: true, version: '1', upserts: [labelled('a', '10.0.0.1', { app: 'a', hash: 'h0' }, ['default/p0']), labelled('b', '10.0.0.2', { app: 'a', hash: 'h0' })], removals: [] });
  const steady = up.internedSize;
  // A rollout per version: new label hash and policy list each time, same number of workloads.
  for (let i = 1; i <= 50; i++) {
    up.apply({ full: false, version: String(i + 1), upserts: [labelled('a', '10.0.0.1', { app: 'a', hash: `h${i}` }, [`default/p${i}`])], removals: [] });
  }
  t.deepEqual(up.internedSize, { strings: steady.strings, records: steady.records + 1 }, 'a and b no longer share one label map: one record more, nothing else');
  // Replicas still share: b's labels are the very object a new replica with the same labels gets.
  up.apply({ full: false, version: '60', upserts: [labelled('c', '10.0.0.3', { app: 'a', hash: 'h0' })], removals: [] });
  t.is(state.workloadsByUid.get('Kubernetes//Pod/default/c')?.labels, state.workloadsByUid.get('Kubernetes//Pod/default/b')?.labels);

  const names = ['a', 'b', 'c'].map((n) => ({ kind: 'WORKLOAD' as const, name: `Kubernetes//Pod/default/${n}` }));
  up.apply({ full: false, version: '61', upserts: [], removals: names });
  t.deepEqual(up.internedSize, { strings: 0, records: 0 });
});

test('a workload removed after a snapshot reset the interner gives back nothing it does not hold', (t) => {
  const state = new ProxyState();
  const up = new ProxyStateUpdater(state);
  up.apply({ full: true, version: '1', upserts: [labelled('a', '10.0.0.1', { app: 'a' })], removals: [] });
  up.apply({ full: true, version: '2', upserts: [labelled('a', '10.0.0.1', { app: 'a' }), labelled('b', '10.0.0.2', { app: 'a' })], removals: [] });
  up.apply({ full: false, version: '3', upserts: [], removals: [{ kind: 'WORKLOAD', name: 'Kubernetes//Pod/default/a' }] });
  t.deepEqual(state.workloadsByUid.get('Kubernetes//Pod/default/b')?.labels, { app: 'a' });
  t.true(up.internedSize.records >= 2, 'b still holds its labels and services');
  up.apply({ full: false, version: '4', upserts: [], removals: [{ kind: 'WORKLOAD', name: 'Kubernetes//Pod/default/b' }] });
  t.deepEqual(up.internedSize, { strings: 0, records: 0 });
});

// Per-service L7 configuration: JSON inside the resource, parsed and checked on receipt.
const routes = (host: string): ServiceL7Config => ({
  service: KEY,
  routes: { kind: 'VirtualService', origins: ['VirtualService default/httpbin'], tcp: [],
    http: [{ name: 'all', matches: [], action: { route: [{ host, weight: 100 }] } }] },
});
const l7 = (cfg: unknown, name = KEY): ModelResource => ({ kind: 'L7_CONFIG', name, value: { service: name, json: typeof cfg === 'string' ? cfg : JSON.stringify(cfg) } });
const hostOf = (c: ServiceL7Config | undefined): string | undefined => {
  const action = c?.routes?.http[0]?.action;
  return action && 'route' in action ? action.route[0]?.host : undefined;
};

test('an L7 configuration is parsed into the state and removed with its resource', (t) => {
  const state = new ProxyState();
  const up = new ProxyStateUpdater(state);
  const result = up.apply({ full: true, version: '1', upserts: [svc, l7(routes('v1.default.svc.cluster.local'))], removals: [] });
  t.deepEqual(result.rejected, []);
  t.is(hostOf(state.l7ByService.get(KEY)), 'v1.default.svc.cluster.local');
  up.apply({ full: false, version: '2', upserts: [], removals: [{ kind: 'L7_CONFIG', name: KEY }] });
  t.false(state.l7ByService.has(KEY));
  t.truthy(state.servicesByKey.get(KEY), 'the service itself stays');
});

test('a malformed L7 configuration is refused by name and the last good version stays (delta and snapshot)', (t) => {
  const state = new ProxyState();
  const up = new ProxyStateUpdater(state);
  up.apply({ full: true, version: '1', upserts: [l7(routes('v1.default.svc.cluster.local'))], removals: [] });
  const other = 'default/other.default.svc.cluster.local';
  const bad = up.apply({ full: false, version: '2', upserts: [l7('{"service": ', KEY), l7({ service: other }, other)], removals: [] });
  t.deepEqual(bad.rejected.map((r) => [r.ref.kind, r.ref.name]), [['L7_CONFIG', KEY]]);
  t.regex(bad.rejected[0]?.reason ?? '', /not valid JSON/);
  t.is(hostOf(state.l7ByService.get(KEY)), 'v1.default.svc.cluster.local', 'last good kept');
  t.true(state.l7ByService.has(other), 'the rest of the update applies');
  // A reconnect snapshot with the bad version still keeps the last good one; what it no longer lists goes.
  const again = up.apply({ full: true, version: '3', upserts: [l7({ ...routes('x'), routes: { kind: 'VirtualService', origins: [], http: 'all', tcp: [] } })], removals: [] });
  t.regex(again.rejected[0]?.reason ?? '', /routes\.http must be a list/);
  t.is(hostOf(state.l7ByService.get(KEY)), 'v1.default.svc.cluster.local');
  t.false(state.l7ByService.has(other));
});

test('the L7 hook (a waypoint compile check) refuses a configuration by name; a throwing hook refuses too', (t) => {
  const state = new ProxyState();
  const seen: string[] = [];
  const up = new ProxyStateUpdater(state, () => {}, {
    checkL7: (cfg) => {
      seen.push(cfg.service);
      const host = hostOf(cfg);
      if (host === 'throw') throw new Error('boom');
      return host === 'bad' ? 'route all: unknown subset' : undefined;
    },
  });
  t.deepEqual(up.apply({ full: true, version: '1', upserts: [l7(routes('good'))], removals: [] }).rejected, []);
  const refused = up.apply({ full: false, version: '2', upserts: [l7(routes('bad'))], removals: [] });
  t.deepEqual(refused.rejected, [{ ref: { kind: 'L7_CONFIG', name: KEY }, reason: 'route all: unknown subset' }]);
  t.regex(up.apply({ full: false, version: '3', upserts: [l7(routes('throw'))], removals: [] }).rejected[0]?.reason ?? '', /check failed: boom/);
  t.is(hostOf(state.l7ByService.get(KEY)), 'good');
  t.deepEqual(seen, [KEY, KEY, KEY]);
});

const l7Problems: [string, unknown, RegExp | undefined][] = [
  ['only the service', { service: KEY }, undefined],
  ['routes and destination policy', { ...routes('h'), destination: { origins: ['DestinationRule default/d'], subsets: [{ name: 'v1', labels: { version: 'v1' } }], trafficPolicy: { loadBalancer: 'ROUND_ROBIN' } } }, undefined],
  ['not an object', [1, 2], /JSON object/],
  ['service differs from the name', { service: 'default/other' }, /not the resource name/],
  ['unknown route kind', { service: KEY, routes: { kind: 'Ingress', origins: [], http: [], tcp: [] } }, /routes\.kind/],
  ['tcp missing', { service: KEY, routes: { kind: 'HTTPRoute', origins: [], http: [] } }, /routes\.tcp is required/],
  ['two actions', { service: KEY, routes: { kind: 'HTTPRoute', origins: [], tcp: [], http: [{ name: 'r', matches: [], action: { route: [], directResponse: { status: 200 } } }] } }, /exactly one/],
  ['destination without host', { service: KEY, routes: { kind: 'HTTPRoute', origins: [], tcp: [], http: [{ name: 'r', matches: [], action: { route: [{ weight: 1 }] } }] } }, /route\[0\]\.host is required/],
  ['match not an object', { service: KEY, routes: { kind: 'HTTPRoute', origins: [], http: [], tcp: [{ name: 't', matches: ['x'], route: [] }] } }, /tcp\[0\]\.matches\[0\]/],
  ['subset labels not strings', { service: KEY, destination: { origins: [], subsets: [{ name: 'v1', labels: { version: 1 } }] } }, /subsets\[0\]\.labels/],
];

for (const [name, value, expected] of l7Problems) {
  test(`L7 shape check: ${name}`, (t) => {
    const problem = l7ConfigProblem(value, KEY);
    if (expected) t.regex(problem ?? '', expected);
    else t.is(problem, undefined);
  });
}
