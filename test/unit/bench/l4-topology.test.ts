// The L4 benchmarks' topology choice and the netns cluster's layout (pure parts).
import test from 'ava';
import { chooseTopology } from '../../../bench/cases/l4/mesh.js';
import { AMBIENT_LABEL, NETNS_PODS, netnsObjects, netnsPlan } from '../../../bench/cases/l4/netns-objects.js';

test('BENCH_L4_TOPOLOGY forces the loopback mesh and rejects unknown values', (t) => {
  t.deepEqual(chooseTopology({ BENCH_L4_TOPOLOGY: 'loopback' }), { topology: 'loopback', reason: 'BENCH_L4_TOPOLOGY=loopback' });
  t.throws(() => chooseTopology({ BENCH_L4_TOPOLOGY: 'kind' }), { message: /netns, loopback or auto/ });
  const auto = chooseTopology({});
  t.true(auto.topology === 'netns' || auto.reason.startsWith('netns topology unavailable'), auto.reason);
});

test('two identical pod sets on the same two nodes, only one enrolled', (t) => {
  const objects = netnsObjects();
  const ns = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]));
  t.deepEqual(ns.get('mesh'), { ...AMBIENT_LABEL });
  t.deepEqual(ns.get('plain'), {});
  const pods = objects.filter((o) => o.kind === 'Pod');
  t.is(pods.length, 4);
  const { meshClient, meshServer, plainClient, plainServer } = NETNS_PODS;
  t.is(meshClient.node, plainClient.node);
  t.is(meshServer.node, plainServer.node);
  t.not(meshClient.node, meshServer.node);
  const spec = (ns: string, name: string): unknown => pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name)?.spec;
  t.deepEqual(spec('mesh', 'server'), spec('plain', 'server'));
  t.deepEqual(spec('mesh', 'client'), spec('plain', 'client'));
});

test('the plan: fabric, two nodes, one netns per pod, all under the cluster prefix', (t) => {
  const plan = netnsPlan('benchab12');
  t.is(plan.fabric.netns, 'ambit-benchab12-fabric');
  t.deepEqual(plan.nodes.map((n) => [n.name, n.netns, n.ip]), [['node-1', 'ambit-benchab12-node-1', '172.18.0.1'], ['node-2', 'ambit-benchab12-node-2', '172.18.0.2']]);
  t.deepEqual(plan.pods.map((p) => [p.netns, p.node, p.ip]).sort(), [
    ['ambit-benchab12-mesh-client', 'node-1', '10.244.1.2'],
    ['ambit-benchab12-mesh-server', 'node-2', '10.244.2.2'],
    ['ambit-benchab12-plain-client', 'node-1', '10.244.1.3'],
    ['ambit-benchab12-plain-server', 'node-2', '10.244.2.3'],
  ]);
});
