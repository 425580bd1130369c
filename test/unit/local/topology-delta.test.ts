// podDeltaOps: the operations that add some pods to a running cluster (and rewrite every hosts file).
import test from 'ava';
import { podDeltaOps } from '../../../cli/local/topology-delta.js';
import { describeOp, planTopology, podHostVeth, type PlanInput } from '../../../cli/local/topology-plan.js';

const input: PlanInput = {
  cluster: 'demo',
  nodes: ['node-1', 'node-2'],
  pods: [
    { namespace: 'default', name: 'a', node: 'node-1', ip: '10.244.1.2', etc: { hosts: 'a' } },
    { namespace: 'default', name: 'b', node: 'node-2', ip: '10.244.2.2', etc: { hosts: 'b' } },
    { namespace: 'default', name: 'c', node: 'node-1', ip: '10.244.1.3', etc: { hosts: 'c' } },
  ],
};

test('only the new pods\' namespaces, links, addresses and routes, plus every etc-write, in plan order', (t) => {
  const plan = planTopology(input);
  const ops = podDeltaOps(plan, new Set(['default/c']));
  const veth = podHostVeth('default', 'c');
  t.deepEqual(ops.map(describeOp), [
    'write /etc/netns/ambit-demo-default-a/{hosts}',
    'write /etc/netns/ambit-demo-default-b/{hosts}',
    'ip netns add ambit-demo-default-c',
    'ip -n ambit-demo-default-c link set dev lo up',
    `ip -n ambit-demo-node-1 link add ${veth} type veth peer name eth0 netns ambit-demo-default-c`,
    'ip -n ambit-demo-default-c addr replace 10.244.1.3/32 dev eth0',
    'ip -n ambit-demo-default-c link set dev eth0 up',
    `ip -n ambit-demo-node-1 addr replace 10.244.1.1/32 dev ${veth}`,
    `ip -n ambit-demo-node-1 link set dev ${veth} up`,
    'ip -n ambit-demo-default-c route replace default via 10.244.1.1 dev eth0 onlink',
    `ip -n ambit-demo-node-1 route replace 10.244.1.3/32 dev ${veth}`,
    'write /etc/netns/ambit-demo-default-c/{hosts}',
  ]);
  const order = ops.map(describeOp);
  t.true(order.indexOf('ip netns add ambit-demo-default-c') < order.findIndex((l) => l.includes(`link add ${veth}`)), 'the netns exists before its link');
});

test('no new pods: hosts files only; all new: everything but fabric and nodes', (t) => {
  const plan = planTopology(input);
  t.true(podDeltaOps(plan, new Set()).every((op) => op.op === 'etc-write'));
  t.is(podDeltaOps(plan, new Set()).length, 3);
  const all = podDeltaOps(plan, new Set(['default/a', 'default/b', 'default/c']));
  const nodeOnly = planTopology({ ...input, pods: [] }).ops.map(describeOp);
  t.deepEqual(all.map(describeOp).filter((l) => nodeOnly.includes(l)), [], 'no fabric or node operation repeated');
  t.is(all.length + nodeOnly.length, plan.ops.length);
});
