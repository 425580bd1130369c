// ProxyStateUpdater: the one mutator of the daemon's state keeps every index consistent
// and refuses bad resources one by one.
import test from 'ava';
import type { ModelResource, Workload } from '../../../api/model.js';
import { ProxyState } from '../../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../../daemon/state/proxy-state-updater.js';
import { resourceProblem } from '../../../daemon/state/resource-checks.js';

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
