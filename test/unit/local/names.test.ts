// Per-pod hosts and resolv.conf for the local runtime (table tests).
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { materialize } from '../../../cli/local/materialize.js';
import { hostsFile, podEtcFiles, resolvConf, serviceAddresses, serviceHostnames, type ServiceAddresses } from '../../../cli/local/names.js';

const services: ServiceAddresses[] = [
  { namespace: 'default', name: 'httpbin', addresses: ['10.96.0.10'] },
  { namespace: 'default', name: 'sleep', addresses: ['10.96.0.11'] },
  { namespace: 'foo', name: 'httpbin', addresses: ['10.96.0.12'] },
];

/** The address each name resolves to (first line wins, as with glibc's files backend). */
function resolve(hosts: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of hosts.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [ip, ...names] = line.split(/\s+/);
    for (const n of names) if (!out.has(n)) out.set(n, ip!);
  }
  return out;
}

test('service names by namespace of the asking pod', (t) => {
  const cases: [string, string, string[]][] = [
    ['default', 'httpbin', ['httpbin', 'httpbin.default', 'httpbin.default.svc', 'httpbin.default.svc.cluster.local']],
    ['foo', 'httpbin', ['httpbin.default', 'httpbin.default.svc', 'httpbin.default.svc.cluster.local']],
  ];
  for (const [from, name, want] of cases) t.deepEqual(serviceHostnames({ namespace: 'default', name }, from), want, from);
  t.deepEqual(serviceHostnames({ namespace: 'a', name: 'b' }, 'a', 'example.org'), ['b', 'b.a', 'b.a.svc', 'b.a.svc.example.org']);
});

test('hosts file: what resolves from a pod in default and from one in foo', (t) => {
  const fromDefault = resolve(hostsFile({ namespace: 'default', name: 'sleep-abc', ip: '10.244.1.3' }, services));
  const fromFoo = resolve(hostsFile({ namespace: 'foo', name: 'client', ip: '10.244.2.3' }, services));
  const cases: [Map<string, string>, string, string | undefined][] = [
    [fromDefault, 'localhost', '127.0.0.1'],
    [fromDefault, 'sleep-abc', '10.244.1.3'],
    [fromDefault, 'httpbin', '10.96.0.10'],
    [fromDefault, 'httpbin.default', '10.96.0.10'],
    [fromDefault, 'httpbin.default.svc', '10.96.0.10'],
    [fromDefault, 'httpbin.default.svc.cluster.local', '10.96.0.10'],
    [fromDefault, 'sleep', '10.96.0.11'],
    [fromDefault, 'httpbin.foo', '10.96.0.12'],
    [fromDefault, 'httpbin.foo.svc.cluster.local', '10.96.0.12'],
    [fromFoo, 'httpbin', '10.96.0.12'],
    [fromFoo, 'sleep', undefined],
    [fromFoo, 'sleep.default', '10.96.0.11'],
    [fromFoo, 'httpbin.default.svc.cluster.local', '10.96.0.10'],
    [fromFoo, 'client', '10.244.2.3'],
  ];
  for (const [table, name, want] of cases) t.is(table.get(name), want, name);
});

test('hosts file is deterministic and lists the pod before services', (t) => {
  const text = hostsFile({ namespace: 'default', name: 'p', ip: '10.244.1.2', hostname: 'custom' }, services);
  t.is(hostsFile({ namespace: 'default', name: 'p', ip: '10.244.1.2', hostname: 'custom' }, services), text);
  const lines = text.trim().split('\n');
  t.is(lines[3], '10.244.1.2\tcustom');
  t.is(lines[4], '10.96.0.10\thttpbin httpbin.default httpbin.default.svc httpbin.default.svc.cluster.local');
  t.is(lines.at(-1), '10.96.0.12\thttpbin.foo httpbin.foo.svc httpbin.foo.svc.cluster.local');
});

test('resolv.conf: Kubernetes search list and no nameserver', (t) => {
  const text = resolvConf('foo');
  t.true(text.includes('search foo.svc.cluster.local svc.cluster.local cluster.local\n'));
  t.false(/^nameserver/m.test(text));
  t.true(text.includes('options ndots:5'));
});

test('serviceAddresses: ClusterIP, headless with selected pods, ExternalName and unaddressed left out', (t) => {
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.1.1', selector: { app: 'web' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'db' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'pending', namespace: 'default' }, spec: {} },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-1', namespace: 'default', labels: { app: 'db' } }, status: { podIP: '10.244.1.9' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace: 'default', labels: { app: 'db' } }, status: { podIP: '10.244.2.4' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-x', namespace: 'other', labels: { app: 'db' } }, status: { podIP: '10.244.2.5' } },
  ];
  t.deepEqual(serviceAddresses(objects), [
    { namespace: 'default', name: 'db', addresses: ['10.244.1.9', '10.244.2.4'] },
    { namespace: 'default', name: 'web', addresses: ['10.96.1.1'] },
  ]);
});

test('podEtcFiles on materialized objects: the Service gets its ClusterIP name', (t) => {
  const objects = materialize(
    [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'httpbin' }, spec: { selector: { app: 'httpbin' }, ports: [{ port: 8000, targetPort: 80 }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sleep' }, spec: { template: { metadata: { labels: { app: 'sleep' } }, spec: { containers: [{ name: 'sleep', image: 'curlimages/curl' }] } } } },
    ],
    { nodes: ['node-1'] },
  );
  const svc = objects.find((o) => o.kind === 'Service')!;
  const pod = objects.find((o) => o.kind === 'Pod')!;
  const files = podEtcFiles(pod, objects);
  const table = resolve(files.hosts);
  const clusterIp = (svc.spec as { clusterIP: string }).clusterIP;
  t.regex(clusterIp, /^10\.96\./);
  t.is(table.get('httpbin'), clusterIp);
  t.is(table.get('httpbin.default.svc.cluster.local'), clusterIp);
  t.is(table.get(pod.metadata.name), (pod.status as { podIP: string }).podIP);
  t.true(files['resolv.conf'].includes('search default.svc.cluster.local'));
});
