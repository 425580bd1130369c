// planTopology: names, addresses and the ordered create/delete operations (table tests).
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import { materialize } from '../../../cli/local/materialize.js';
import {
  MAX_NETNS_NAME, NODE_SYSCTLS, deleteOps, describeOp, fabricNetns, ipArgs, nodeIp, nodeNetns, planPodsOf, planTopology, podHostVeth, podNetns,
  resourcesOf, type PlanInput, type TopologyOp,
} from '../../../cli/local/topology-plan.js';

const input: PlanInput = {
  cluster: 'demo',
  nodes: ['node-1', 'node-2'],
  pods: [
    { namespace: 'default', name: 'httpbin-a', node: 'node-1', ip: '10.244.1.2' },
    { namespace: 'default', name: 'sleep-b', node: 'node-1', ip: '10.244.1.3', etc: { hosts: 'h', 'resolv.conf': 'r' } },
    { namespace: 'other', name: 'httpbin-c', node: 'node-2', ip: '10.244.2.2' },
  ],
};

test('names: per-cluster prefix, IFNAMSIZ-safe links, bounded netns names', (t) => {
  const cases: [string, string, string][] = [
    ['fabric', fabricNetns('demo'), 'ambit-demo-fabric'],
    ['node', nodeNetns('demo', 'node-2'), 'ambit-demo-node-2'],
    ['pod', podNetns('demo', 'default', 'sleep-b'), 'ambit-demo-default-sleep-b'],
    ['node ip', nodeIp('node-7'), '172.18.0.7'],
  ];
  for (const [what, got, want] of cases) t.is(got, want, what);
  const veth = podHostVeth('default', 'sleep-b');
  t.regex(veth, /^av[0-9a-f]{12}$/);
  t.true(veth.length <= 15);
  t.not(podHostVeth('default', 'sleep-c'), veth);
  const long = podNetns('demo', 'a-very-long-namespace-name', 'x'.repeat(200));
  t.true(long.length <= MAX_NETNS_NAME);
  t.true(long.startsWith('ambit-demo-a-very-long-namespace-name-xxx'));
  t.not(long, podNetns('demo', 'a-very-long-namespace-name', `${'x'.repeat(199)}y`));
});

test('layout: node IPs, pod CIDRs and gateways, pods sorted', (t) => {
  const plan = planTopology(input);
  t.deepEqual(plan.fabric, { netns: 'ambit-demo-fabric', bridge: 'br0', gateway: '172.18.0.254' });
  t.deepEqual(plan.nodes.map((n) => [n.name, n.netns, n.ip, n.podCidr, n.podGateway, n.uplink, n.fabricPort]), [
    ['node-1', 'ambit-demo-node-1', '172.18.0.1', '10.244.1.0/24', '10.244.1.1', 'eth0', 'node-1'],
    ['node-2', 'ambit-demo-node-2', '172.18.0.2', '10.244.2.0/24', '10.244.2.1', 'eth0', 'node-2'],
  ]);
  t.deepEqual(plan.pods.map((p) => [p.netns, p.ip, p.interface]), [
    ['ambit-demo-default-httpbin-a', '10.244.1.2', 'eth0'],
    ['ambit-demo-default-sleep-b', '10.244.1.3', 'eth0'],
    ['ambit-demo-other-httpbin-c', '10.244.2.2', 'eth0'],
  ]);
});

test('ops: fabric, then nodes (sysctls before links), then cross-node routes, then pods', (t) => {
  const plan = planTopology(input);
  const lines = plan.ops.map(describeOp);
  const idx = (s: string): number => {
    const i = lines.indexOf(s);
    t.true(i >= 0, `missing: ${s}`);
    return i;
  };
  const order = [
    'ip netns add ambit-demo-fabric',
    'ip -n ambit-demo-fabric link add br0 type bridge',
    'ip -n ambit-demo-fabric addr replace 172.18.0.254/24 dev br0',
    'ip netns add ambit-demo-node-1',
    'ip netns exec ambit-demo-node-1 sysctl -q -w net.ipv4.ip_forward=1',
    'ip netns exec ambit-demo-node-1 sysctl -q -w net.ipv4.ip_local_reserved_ports=15000-15021',
    'ip -n ambit-demo-node-1 link add eth0 type veth peer name node-1 netns ambit-demo-fabric',
    'ip -n ambit-demo-fabric link set dev node-1 master br0',
    'ip -n ambit-demo-node-1 addr replace 172.18.0.1/24 dev eth0',
    'ip -n ambit-demo-node-1 link set dev eth0 up',
    'ip netns add ambit-demo-node-2',
    'ip -n ambit-demo-node-1 route replace 10.244.2.0/24 via 172.18.0.2 dev eth0',
    'ip -n ambit-demo-node-2 route replace 10.244.1.0/24 via 172.18.0.1 dev eth0',
    'ip netns add ambit-demo-default-httpbin-a',
    'ip -n ambit-demo-default-httpbin-a link set dev lo up',
    `ip -n ambit-demo-node-1 link add ${podHostVeth('default', 'httpbin-a')} type veth peer name eth0 netns ambit-demo-default-httpbin-a`,
    'ip -n ambit-demo-default-httpbin-a addr replace 10.244.1.2/32 dev eth0',
    'ip -n ambit-demo-default-httpbin-a link set dev eth0 up',
    `ip -n ambit-demo-node-1 addr replace 10.244.1.1/32 dev ${podHostVeth('default', 'httpbin-a')}`,
    'ip -n ambit-demo-default-httpbin-a route replace default via 10.244.1.1 dev eth0 onlink',
    `ip -n ambit-demo-node-1 route replace 10.244.1.2/32 dev ${podHostVeth('default', 'httpbin-a')}`,
    'write /etc/netns/ambit-demo-default-sleep-b/{hosts,resolv.conf}',
    'ip -n ambit-demo-other-httpbin-c route replace default via 10.244.2.1 dev eth0 onlink',
  ];
  const positions = order.map(idx);
  t.deepEqual(positions, [...positions].sort((a, b) => a - b), 'operations out of order');
  // sysctls: every one, only in node namespaces
  const sysctls = plan.ops.filter((o): o is Extract<TopologyOp, { op: 'sysctl' }> => o.op === 'sysctl');
  t.is(sysctls.length, NODE_SYSCTLS.length * 2);
  t.true(sysctls.every((o) => /^ambit-demo-node-\d$/.test(o.netns)));
  t.deepEqual(Object.fromEntries(NODE_SYSCTLS), {
    'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0',
    'net.ipv4.ip_local_port_range': '32768 60999', 'net.ipv4.ip_local_reserved_ports': '15000-15021', 'net.ipv4.tcp_tw_reuse': '1',
  });
  // lo up everywhere
  for (const ns of ['ambit-demo-fabric', 'ambit-demo-node-1', 'ambit-demo-node-2', ...plan.pods.map((p) => p.netns)]) idx(`ip -n ${ns} link set dev lo up`);
  // every namespace is the cluster's, and nothing is addressed to the host netns
  t.true(plan.ops.every((o) => 'netns' in o && o.netns.startsWith('ambit-demo-')));
  t.true(plan.ops.every((o) => ipArgs(o)?.[0] !== 'link' && ipArgs(o)?.[0] !== 'route' && ipArgs(o)?.[0] !== 'addr'));
  // only the pod with files gets an etc-write
  t.is(plan.ops.filter((o) => o.op === 'etc-write').length, 1);
});

test('a single node has no inter-node routes', (t) => {
  const plan = planTopology({ cluster: 'one', nodes: ['node-1'], pods: [] });
  t.deepEqual(plan.ops.filter((o) => o.op === 'route-add').map(describeOp), ['ip -n ambit-one-fabric route replace 10.244.1.0/24 via 172.18.0.1 dev br0']);
});

test('invalid input is AMBIT_ERR_LOCAL_TOPOLOGY with a message naming the problem', (t) => {
  const pod = input.pods[0]!;
  const cases: [string, PlanInput, RegExp][] = [
    ['cluster with dash', { ...input, cluster: 'a-b' }, /invalid local cluster name "a-b"/],
    ['cluster upper case', { ...input, cluster: 'Demo' }, /invalid local cluster name/],
    ['reserved cluster', { ...input, cluster: 't' }, /reserved/],
    ['cluster too long', { ...input, cluster: 'abcdefghijklm' }, /invalid local cluster name/],
    ['no nodes', { ...input, nodes: [], pods: [] }, /at least one node/],
    ['node name', { ...input, nodes: ['worker'] }, /invalid local node name "worker"/],
    ['node 0', { ...input, nodes: ['node-0'] }, /invalid local node name/],
    ['node 254', { ...input, nodes: ['node-254'] }, /invalid local node name/],
    ['unknown node', { ...input, pods: [{ ...pod, node: 'node-3' }] }, /node "node-3" is not a node/],
    ['ip of other node', { ...input, pods: [{ ...pod, ip: '10.244.2.9' }] }, /not a pod address of node-1/],
    ['gateway ip', { ...input, pods: [{ ...pod, ip: '10.244.1.1' }] }, /not a pod address/],
    ['not an ip', { ...input, pods: [{ ...pod, ip: 'x' }] }, /not a pod address/],
    ['duplicate ip', { ...input, pods: [pod, { ...pod, name: 'other' }] }, /share address 10\.244\.1\.2/],
    ['duplicate pod', { ...input, pods: [pod, { ...pod, ip: '10.244.1.9' }] }, /share netns/],
    ['pod shadowing a node netns', { ...input, pods: [{ namespace: 'node', name: '1', node: 'node-1', ip: '10.244.1.5' }] }, /share netns ambit-demo-node-1/],
    ['slash in name', { ...input, pods: [{ ...pod, name: 'a/b' }] }, /invalid pod name/],
    ['dot in namespace', { ...input, pods: [{ ...pod, namespace: 'a.b' }] }, /invalid namespace/],
  ];
  for (const [what, bad, message] of cases) {
    const err = t.throws(() => planTopology(bad), undefined, what);
    t.true(isAmbitError(err, 'AMBIT_ERR_LOCAL_TOPOLOGY'), what);
    t.regex(err?.message ?? '', message, what);
  }
});

test('deleteOps undo the created resources in reverse order', (t) => {
  const plan = planTopology(input);
  const resources = resourcesOf(plan);
  t.is(resources.filter((r) => r.kind === 'netns').length, 1 + 2 + 3);
  const dels = deleteOps(resources).map(describeOp);
  t.is(dels.length, resources.length);
  t.is(dels[0], `ip -n ambit-demo-node-2 link del ${podHostVeth('other', 'httpbin-c')}`);
  t.true(dels.indexOf('rm -r /etc/netns/ambit-demo-default-sleep-b') < dels.indexOf('ip netns del ambit-demo-default-sleep-b'));
  t.true(dels.indexOf('ip netns del ambit-demo-default-sleep-b') < dels.indexOf('ip netns del ambit-demo-node-1'));
  t.is(dels[dels.length - 1], 'ip netns del ambit-demo-fabric');
  t.true(dels.indexOf(`ip -n ambit-demo-node-1 link del ${podHostVeth('default', 'httpbin-a')}`) < dels.indexOf('ip netns del ambit-demo-node-1'));
  t.true(dels.indexOf('ip -n ambit-demo-node-1 link del eth0') < dels.indexOf('ip netns del ambit-demo-node-1'));
  t.true(dels.indexOf('ip -n ambit-demo-fabric link del br0') < dels.indexOf('ip netns del ambit-demo-fabric'));
});

test('planPodsOf takes materialized Deployments and Pods', (t) => {
  const objects = materialize(
    [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'httpbin' }, spec: { replicas: 2, template: { metadata: { labels: { app: 'httpbin' } }, spec: { containers: [{ name: 'httpbin', image: 'docker.io/kennethreitz/httpbin' }] } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', namespace: 'x' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    ],
    { nodes: ['node-1', 'node-2'] },
  );
  const pods = planPodsOf(objects, (p) => ({ hosts: p.metadata.name }));
  t.is(pods.length, 3);
  t.deepEqual(pods.filter((p) => p.name.startsWith('httpbin-')).map((p) => p.node).sort(), ['node-1', 'node-2']);
  t.true(pods.every((p) => p.etc?.hosts === p.name));
  const plan = planTopology({ cluster: 'demo', nodes: ['node-1', 'node-2'], pods });
  t.is(plan.pods.length, 3);
});

test('every node drops Service VIP traffic the daemon did not capture (no kube-proxy), silently', (t) => {
  const plan = planTopology(input);
  t.deepEqual(plan.ops.filter((o) => o.op === 'route-blackhole').map(describeOp), [
    'ip -n ambit-demo-node-1 route replace blackhole 10.96.0.0/16',
    'ip -n ambit-demo-node-2 route replace blackhole 10.96.0.0/16',
  ]);
  t.deepEqual(resourcesOf(plan).filter((r) => r.kind === 'netns' && r.name.includes('fabric')).length, 1, 'no extra resource: it goes with the node netns');
});
