// B5's policy set (pure): 10,000 valid AuthorizationPolicies that all apply to the server
// workload, none matching the client's connections except the last one, which allows
// them on the echo port only; and the DENY counter read from the daemon's metrics.
import test from 'ava';
import type { Authorization, Workload } from '../../../api/model.js';
import {
  authzPolicies, B5_POLICY_SET, clientConnection, controllerModel, policyName, policySetCounts, subjectOf, type PolicySetShape,
} from '../../../bench/cases/l4-authz-conn-rate.js';
import { deniedConnections } from '../../../bench/cases/l4/authz-stats.js';
import type { MeshCluster } from '../../../bench/cases/l4/mesh.js';
import { NETNS_PODS, netnsObjects } from '../../../bench/cases/l4/netns-objects.js';
import { SERVER_PORTS } from '../../../bench/cases/l4/objects.js';
import { workloadUid } from '../../../controller/translate/workloads.js';
import { authorize, compilePolicies } from '../../../daemon/rbac/index.js';

const cluster: MeshCluster = { objects: netnsObjects(), client: NETNS_PODS.meshClient, server: NETNS_PODS.meshServer };
const SMALL: PolicySetShape = { total: 40, namespaceWide: 4, denyEvery: 5 };

function modelWith(shape: PolicySetShape, drop: (name: string) => boolean = () => false): { authorizations: Authorization[]; workload: (ns: string, name: string) => Workload } {
  const objects = authzPolicies(subjectOf(cluster), shape).filter((o) => !drop(o.metadata.name));
  const model = controllerModel([...cluster.objects, ...objects]);
  if (model.rejected.length > 0) throw new Error(model.rejected.join('\n'));
  return { authorizations: model.authorizations, workload: (ns, name) => model.workloads.find((w) => w.uid === workloadUid(ns, name))! };
}

test('the subject: the mesh server\'s labels and namespace, the mesh client\'s identity, the echo port', (t) => {
  const s = subjectOf(cluster);
  t.is(s.namespace, 'mesh');
  t.deepEqual(s.serverLabels, { app: 'server' });
  t.deepEqual(s.client, { trustDomain: 'cluster.local', namespace: 'mesh', serviceAccount: 'client', ip: '10.244.1.2' });
  t.deepEqual(s.allowedPorts, [SERVER_PORTS.echo]);
});

test('10,000 valid policies in the server\'s namespace: 1,000 namespace-wide, 9,000 selecting the server, listed by it in evaluation order', (t) => {
  const objects = authzPolicies(subjectOf(cluster));
  t.is(objects.length, 10_000);
  t.is(new Set(objects.map((o) => o.metadata.name)).size, 10_000);
  t.true(objects.every((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === 'mesh'));
  t.deepEqual(policySetCounts(), { namespaceWide: 1000, selector: 9000, deny: 999, allow: 9001 });
  const { authorizations, workload } = modelWith(B5_POLICY_SET);
  const ours = authorizations.filter((a) => a.name.startsWith('b5-'));
  t.is(ours.length, 10_000);
  t.is(ours.filter((a) => a.scope === 'NAMESPACE').length, 1000);
  t.is(ours.filter((a) => a.action === 'DENY').length, 999);
  const keys = workload('mesh', 'server').authorizationPolicies;
  t.is(keys.length, 9000);
  t.is(keys.at(-1), `mesh/${policyName(9999)}`); // evaluated last
  t.deepEqual(workload('mesh', 'client').authorizationPolicies, []);
  t.deepEqual(workload('plain', 'server').authorizationPolicies, []);
});

test('full set: the client is allowed by the last policy only, every other policy is evaluated and misses', (t) => {
  const full = modelWith(B5_POLICY_SET);
  const echo = clientConnection(cluster.client, cluster.server, SERVER_PORTS.echo);
  t.deepEqual(authorize(echo, full.workload('mesh', 'server'), compilePolicies(full.authorizations, 'istio-system')), { allowed: true, policy: `mesh/${policyName(9999)}` });
  // Without the last policy nothing allows it, and no DENY matched (the reason would name it).
  const last = policyName(9999);
  const rest = modelWith(B5_POLICY_SET, (name) => name === last);
  const d = authorize(echo, rest.workload('mesh', 'server'), compilePolicies(rest.authorizations, 'istio-system'));
  if (d.allowed) {
    t.fail(`allowed without the last policy: ${JSON.stringify(d)}`);
    return;
  }
  t.regex(d.reason, /^allow policies exist but none matched/);
});

test('small set: other ports, plaintext and other principals are refused', (t) => {
  const { authorizations, workload } = modelWith(SMALL);
  const compiled = compilePolicies(authorizations, 'istio-system');
  const server = workload('mesh', 'server');
  const echo = clientConnection(cluster.client, cluster.server, SERVER_PORTS.echo);
  t.true(authorize(echo, server, compiled).allowed);
  t.false(authorize(clientConnection(cluster.client, cluster.server, SERVER_PORTS.bulk), server, compiled).allowed);
  t.false(authorize(clientConnection(cluster.client, cluster.server, SERVER_PORTS.echo, false), server, compiled).allowed);
  t.false(authorize({ ...echo, srcIdentity: { trustDomain: 'cluster.local', namespace: 'mesh', serviceAccount: 'other' } }, server, compiled).allowed);
  t.is(server.authorizationPolicies.length, SMALL.total - SMALL.namespaceWide);
});

test('a shape whose last policy would not select the server, or a client the filler would match, is refused', (t) => {
  t.throws(() => authzPolicies(subjectOf(cluster), { total: 10, namespaceWide: 10, denyEvery: 0 }), { message: /namespaceWide < total/ });
  const s = subjectOf(cluster);
  t.throws(() => authzPolicies({ ...s, client: { ...s.client, ip: '192.168.3.4' } }, SMALL), { message: /would be matched/ });
});

test('policy names sort in index order', (t) => {
  const names = Array.from({ length: B5_POLICY_SET.total }, (_, i) => policyName(i));
  t.deepEqual([...names].sort(), names);
});

test('refusals by policy are read from istio_tcp_connections_failed_total with response_flags DENY', (t) => {
  const text = [
    '# HELP istio_tcp_connections_failed_total TCP connections that failed (deny, connect, TLS)',
    '# TYPE istio_tcp_connections_failed_total counter',
    'istio_tcp_connections_failed_total{reporter="destination",source_workload="client",response_flags="DENY"} 12',
    'istio_tcp_connections_failed_total{reporter="destination",source_workload="other",response_flags="DENY"} 3',
    'istio_tcp_connections_failed_total{reporter="source",response_flags="CONNECT"} 7',
    'istio_tcp_connections_opened_total{reporter="destination",response_flags="DENY"} 100',
  ].join('\n');
  t.is(deniedConnections(text), 15);
  t.is(deniedConnections(''), 0);
});
