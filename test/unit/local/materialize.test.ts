// materialize with previous assignments: pod IPs and ClusterIPs stay put when other
// objects come and go (table tests), and the no-previous behaviour is unchanged.
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { addressesOf, materialize, type AddressAssignments } from '../../../cli/local/materialize.js';

const NODES = ['node-1', 'node-2'];

function pod(name: string, node = 'node-1', extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] }, ...extra };
}

function svc(name: string, clusterIP?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) } };
}

function podIps(objects: readonly KubeObject[]): Record<string, string> {
  return addressesOf(objects).pods;
}

test('without previous assignments: sorted pods take .2, .3, … of their node', (t) => {
  const out = materialize([pod('b'), pod('a'), pod('c', 'node-2')], { nodes: NODES });
  t.deepEqual(podIps(out), { 'default/a': '10.244.1.2', 'default/b': '10.244.1.3', 'default/c': '10.244.2.2' });
});

test('pods keep their addresses as other pods come and go', (t) => {
  interface Case { name: string; before: KubeObject[]; after: KubeObject[]; want: Record<string, string> }
  const cases: Case[] = [
    {
      name: 'a pod sorting first is added: the others keep theirs, it gets the next free one',
      before: [pod('m'), pod('z')],
      after: [pod('a'), pod('m'), pod('z')],
      want: { 'default/a': '10.244.1.4', 'default/m': '10.244.1.2', 'default/z': '10.244.1.3' },
    },
    {
      name: 'a removed pod frees its address for the next new pod; the rest stay',
      before: [pod('a'), pod('b'), pod('c')],
      after: [pod('a'), pod('c'), pod('d')],
      want: { 'default/a': '10.244.1.2', 'default/c': '10.244.1.4', 'default/d': '10.244.1.3' },
    },
    {
      name: 'a pod that moved to another node gets an address there',
      before: [pod('a'), pod('b')],
      after: [pod('a', 'node-2'), pod('b')],
      want: { 'default/a': '10.244.2.2', 'default/b': '10.244.1.3' },
    },
    {
      name: 'a pod on another node does not take an address of this node',
      before: [pod('a')],
      after: [pod('a'), pod('b', 'node-2'), pod('c')],
      want: { 'default/a': '10.244.1.2', 'default/b': '10.244.2.2', 'default/c': '10.244.1.3' },
    },
    {
      name: 'an address in the object itself wins over a previous one',
      before: [pod('a'), pod('b')],
      after: [pod('a'), pod('b'), pod('x', 'node-1', { status: { podIP: '10.244.1.2' } })],
      want: { 'default/a': '10.244.1.4', 'default/b': '10.244.1.3', 'default/x': '10.244.1.2' },
    },
  ];
  for (const c of cases) {
    const previous = addressesOf(materialize(c.before, { nodes: NODES }));
    t.deepEqual(podIps(materialize(c.after, { nodes: NODES, previous })), c.want, c.name);
  }
});

test('Deployment pods keep their addresses when another Deployment is added', (t) => {
  const deploy = (name: string, replicas: number): KubeObject => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { replicas, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  const first = materialize([deploy('zeta', 2)], { nodes: NODES });
  const second = materialize([deploy('alpha', 3), deploy('zeta', 2)], { nodes: NODES, previous: addressesOf(first) });
  const before = podIps(first);
  const after = podIps(second);
  for (const [k, ip] of Object.entries(before)) t.is(after[k], ip, k);
  t.is(Object.keys(after).length, 5);
  t.is(new Set(Object.values(after)).size, 5, 'no address twice');
});

test('Services keep their ClusterIP; an explicit clusterIP wins over a previous one of another Service', (t) => {
  interface Case { name: string; objects: KubeObject[]; previous: AddressAssignments['services']; want: Record<string, string | undefined> }
  const cases: Case[] = [
    { name: 'previous kept', objects: [svc('a'), svc('b')], previous: { 'default/a': '10.96.7.7' }, want: { 'default/a': '10.96.7.7' } },
    { name: 'explicit wins', objects: [svc('a'), svc('b', '10.96.7.7')], previous: { 'default/a': '10.96.7.7' }, want: { 'default/b': '10.96.7.7' } },
    { name: 'outside the range: not kept', objects: [svc('a')], previous: { 'default/a': '192.0.2.1' }, want: {} },
  ];
  for (const c of cases) {
    const out = addressesOf(materialize(c.objects, { nodes: NODES, previous: { pods: {}, services: c.previous } })).services;
    for (const [k, ip] of Object.entries(c.want)) t.is(out[k], ip, `${c.name}: ${k}`);
    t.is(new Set(Object.values(out)).size, Object.keys(out).length, `${c.name}: no ClusterIP twice`);
    t.true(Object.values(out).every((ip) => ip.startsWith('10.96.')), c.name);
    if (c.name === 'explicit wins') t.not(out['default/a'], '10.96.7.7');
    if (c.name === 'outside the range: not kept') t.not(out['default/a'], '192.0.2.1');
  }
  const without = addressesOf(materialize([svc('a'), svc('b')], { nodes: NODES })).services;
  const grown = addressesOf(materialize([svc('a'), svc('b'), svc('c')], { nodes: NODES, previous: { pods: {}, services: without } })).services;
  t.is(grown['default/a'], without['default/a']);
  t.is(grown['default/b'], without['default/b']);
});

test('materialize does not change the objects it is given', (t) => {
  const input = [pod('a')];
  delete (input[0]!.spec as { nodeName?: string }).nodeName;
  const copy = JSON.stringify(input);
  materialize(input, { nodes: NODES });
  t.is(JSON.stringify(input), copy);
});

test('a node with no free pod address left is an AMBIT_ERR_LOCAL_TOPOLOGY', (t) => {
  const pods = Array.from({ length: 254 }, (_, i) => pod(`p${i}`));
  const err = t.throws(() => materialize(pods, { nodes: NODES }));
  t.true(isAmbitError(err, 'AMBIT_ERR_LOCAL_TOPOLOGY'));
  t.regex(err?.message ?? '', /no free pod address left on node-1/);
});
