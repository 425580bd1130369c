// What `ambit local` prints: get tables and JSON, change lines, operation results.
import test from 'ava';
import { configSection, formatChange, formatGet, formatOperation } from '../../../cli/local/format.js';
import type { NodeInfo, OperationResult, PodInfo, ServiceInfo, WorkloadInfo } from '../../../cli/local/runtime-api.js';

const pod = (namespace: string, name: string, status = 'Running', mesh: PodInfo['mesh'] = 'no'): PodInfo => ({
  namespace, name, node: 'node-1', ip: '10.244.1.2', status, ready: status === 'Running', mesh, netns: `ambit-x-${namespace}-${name}`, containers: [], labels: {}, serviceAccount: 'default',
});
const node = (name: string, status = 'Ready'): NodeInfo => ({
  name, ip: `172.18.0.${name.slice(5)}`, podCidr: `10.244.${name.slice(5)}.0/24`, netns: `ambit-x-${name}`, daemon: { status, ready: status === 'Ready', pid: 1, restarts: 0 },
});

test('get pods: table of one namespace, sorted; NAMESPACE column with -A', (t) => {
  const pods = [pod('default', 'web-2'), pod('other', 'x'), pod('default', 'crash', 'Error(exit code 3)'), pod('default', 'web-1', 'Running', 'yes')];
  t.deepEqual(formatGet('pods', pods, 'default', 'table'), {
    stdout: [
      'NAME   STATUS              IP          NODE    MESH',
      'crash  Error(exit code 3)  10.244.1.2  node-1  no',
      'web-1  Running             10.244.1.2  node-1  yes',
      'web-2  Running             10.244.1.2  node-1  no',
      '',
    ].join('\n'),
    stderr: '',
  });
  const all = formatGet('pods', pods, undefined, 'table').stdout.split('\n');
  t.is(all[0], 'NAMESPACE  NAME   STATUS              IP          NODE    MESH');
  t.is(all[4], 'other      x      Running             10.244.1.2  node-1  no');
});

test('get: nothing found, JSON arrays, nodes by number', (t) => {
  t.deepEqual(formatGet('pods', [pod('a', 'x')], 'default', 'table'), { stdout: '', stderr: 'No resources found in default namespace.\n' });
  t.deepEqual(formatGet('services', [], undefined, 'table'), { stdout: '', stderr: 'No resources found\n' });
  const json = JSON.parse(formatGet('pods', [pod('b', 'y'), pod('a', 'x')], undefined, 'json').stdout) as PodInfo[];
  t.deepEqual(json.map((p) => p.name), ['x', 'y']);
  t.deepEqual(JSON.parse(formatGet('pods', [pod('a', 'x')], 'default', 'json').stdout), []);
  const nodes = formatGet('nodes', [node('node-10'), node('node-2', 'Restarting'), node('node-1')], 'default', 'table').stdout.split('\n');
  t.deepEqual(nodes.slice(0, 4), [
    'NAME     IP           POD-CIDR        DAEMON      RESTARTS',
    'node-1   172.18.0.1   10.244.1.0/24   Ready       0',
    'node-2   172.18.0.2   10.244.2.0/24   Restarting  0',
    'node-10  172.18.0.10  10.244.10.0/24  Ready       0',
  ]);
});

test('get svc and workloads tables', (t) => {
  const svc: ServiceInfo = { namespace: 'default', name: 'httpbin', type: 'ClusterIP', clusterIP: '10.96.4.1', ports: [{ name: 'http', port: 8000, targetPort: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] };
  t.is(formatGet('services', [svc], 'default', 'table').stdout, 'NAME     TYPE       CLUSTER-IP  PORT(S)\nhttpbin  ClusterIP  10.96.4.1   8000/TCP,53/UDP\n');
  const w: WorkloadInfo = { namespace: 'default', name: 'sleep-1', ip: '10.244.2.3', node: 'node-2', protocol: 'HBONE', identity: 'spiffe://cluster.local/ns/default/sa/sleep', serviceAccount: 'sleep' };
  t.is(formatGet('workloads', [w], undefined, 'table').stdout, [
    'NAMESPACE  NAME     IP          NODE    PROTOCOL  IDENTITY',
    'default    sleep-1  10.244.2.3  node-2  HBONE     spiffe://cluster.local/ns/default/sa/sleep',
    '',
  ].join('\n'));
});

test('operation results: change lines, findings and errors, exit code', (t) => {
  const ok: OperationResult = { changes: [{ ref: 'deployment.apps/httpbin', namespace: 'default', action: 'created' }, { ref: 'namespace/foo', action: 'unchanged' }], findings: [], version: 3, errors: [] };
  t.deepEqual(formatOperation(ok), { stdout: 'deployment.apps/httpbin created\nnamespace/foo unchanged\n', stderr: '', code: 0 });
  const warned: OperationResult = { ...ok, findings: [{ severity: 'warning', kind: 'Foo', name: 'x', path: 'kind', message: 'unknown kind', file: 'a.yaml' }] };
  t.is(formatOperation(warned).code, 0);
  t.is(formatOperation(warned).stderr, 'a.yaml: WARNING Foo x: kind: unknown kind\n');
  const rejected: OperationResult = { ...ok, findings: [{ severity: 'error', kind: 'Service', name: 'default/bad', path: 'spec.ports[0].port', message: 'port number 99999 must be in the range 1..65535', file: 'b.yaml' }] };
  const r = formatOperation(rejected);
  t.is(r.code, 1);
  t.is(r.stdout, ok.changes.map((c) => `${formatChange(c)}\n`).join(''));
  t.regex(r.stderr, /^b\.yaml: ERROR Service default\/bad: spec\.ports\[0\]\.port: port number 99999/);
  t.regex(r.stderr, /1 resource error\(s\)/);
  const late: OperationResult = { ...ok, errors: [{ code: 'AMBIT_ERR_LOCAL_NOT_READY', message: 'pod default/x: port 80 not listening (not ready in time)' }] };
  t.deepEqual(formatOperation(late), { stdout: formatOperation(ok).stdout, stderr: 'AMBIT_ERR_LOCAL_NOT_READY: pod default/x: port 80 not listening (not ready in time)\n', code: 1 });
});

test('configSection: one key of the dump, or all of it', (t) => {
  const dump = { node: 'node-1', workloads: [1], certificates: { a: 1 } };
  t.deepEqual(configSection(dump, 'workloads'), [1]);
  t.deepEqual(configSection(dump, 'certificates'), { a: 1 });
  t.is(configSection(dump, ''), dump);
  t.is(configSection(dump, 'policies'), undefined);
  t.is(configSection('nope', 'workloads'), undefined);
});
