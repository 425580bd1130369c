// `ambit waypoint list`: rows from a cluster's objects and pods (address, for, used-by,
// ready, Programmed), the table and -o yaml|json, its arguments, and the runtime calls.
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import type { PodInfo } from '../../../cli/local/runtime-api.js';
import {
  formatUsedBy, formatWaypointList, listWaypoints, parseWaypointListArgs, waypointRows, type PodView, type WaypointListOptions, type WaypointUser,
} from '../../../cli/commands/waypoint-list.js';
import { capture, FakeRuntime, serveFake } from './waypoint-cli-fake.js';

const GW_LABEL = 'gateway.networking.k8s.io/gateway-name';

function gateway(namespace: string, name: string, labels: Record<string, string> = {}, className = 'istio-waypoint'): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name, namespace, labels },
    spec: { gatewayClassName: className, listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
}

function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function service(ns: string, name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = { selector: { app: name }, ports: [{ port: 80 }] }): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels }, spec };
}

/** The Service the runtime materializes for a waypoint. */
function waypointService(ns: string, name: string, clusterIP: string): KubeObject {
  return service(ns, name, { [GW_LABEL]: name }, { selector: { [GW_LABEL]: name }, clusterIP, ports: [{ name: 'mesh', port: 15008 }] });
}

function pod(ns: string, name: string, labels: Record<string, string>, ready = true, status = 'Running'): PodView {
  return { namespace: ns, name, labels, ready, status };
}

const objects: KubeObject[] = [
  namespace('default', { 'istio.io/use-waypoint': 'waypoint' }),
  namespace('shop'),
  namespace('other', { 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': 'default' }),
  gateway('default', 'waypoint'),
  gateway('shop', 'wp', { 'istio.io/waypoint-for': 'workload' }),
  gateway('shop', 'ingress', {}, 'istio'),
  waypointService('default', 'waypoint', '10.96.0.20'),
  service('default', 'httpbin'),
  service('shop', 'reviews', { 'istio.io/use-waypoint': 'wp' }),
  service('shop', 'ratings', { 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': 'default' }),
];
const pods: PodView[] = [
  pod('default', 'waypoint-7d9c-abcde', { [GW_LABEL]: 'waypoint' }),
  pod('default', 'waypoint-7d9c-fghij', { [GW_LABEL]: 'waypoint' }, false),
  pod('shop', 'reviews-1', { app: 'reviews', 'istio.io/use-waypoint': 'wp' }),
  pod('shop', 'wp-1', { [GW_LABEL]: 'wp' }, false, 'Error(exit code 1)'),
];

test('waypoint rows: every waypoint of every namespace, sorted; other Gateway classes left out', (t) => {
  const rows = waypointRows({ objects, pods }, undefined);
  t.deepEqual(rows.map((r) => `${r.namespace}/${r.name}`), ['default/waypoint', 'shop/wp']);
  const [wp, shop] = rows;
  t.like(wp, { address: '10.96.0.20', for: 'service', readyPods: 1, pods: 2 });
  t.deepEqual(wp?.usedBy, [
    { kind: 'ns', namespace: 'default', name: 'default' },
    { kind: 'ns', namespace: 'other', name: 'other' },
    { kind: 'svc', namespace: 'shop', name: 'ratings' },
  ]);
  t.is(wp?.status.conditions.find((c) => c.type === 'Programmed')?.status, 'True');
  // No Service was materialized for shop/wp here: no address, no pods, not programmed.
  t.like(shop, { address: '', for: 'workload', readyPods: 0, pods: 0 });
  t.deepEqual(shop?.usedBy, [{ kind: 'svc', namespace: 'shop', name: 'reviews' }, { kind: 'pod', namespace: 'shop', name: 'reviews-1' }]);
  t.like(shop?.status.conditions.find((c) => c.type === 'Programmed'), { status: 'False', reason: 'AddressNotAssigned' });
});

test('waypoint rows: one namespace; a failed pod behind the Service', (t) => {
  const withService = [...objects, waypointService('shop', 'wp', '10.96.0.30')];
  const rows = waypointRows({ objects: withService, pods }, 'shop');
  t.deepEqual(rows.map((r) => r.name), ['wp']);
  t.like(rows[0], { address: '10.96.0.30', readyPods: 0, pods: 1 });
  t.like(rows[0]?.status.conditions.find((c) => c.type === 'Programmed'), { status: 'False', reason: 'NoResources' });
  t.deepEqual(waypointRows({ objects, pods }, 'nowhere'), []);
});

const usedByRows: [string, WaypointUser[], string][] = [
  ['nobody', [], '<none>'],
  ['names in the waypoint namespace are short', [{ kind: 'ns', namespace: 'default', name: 'default' }, { kind: 'svc', namespace: 'default', name: 'httpbin' }], 'ns/default,svc/httpbin'],
  ['other namespaces are named', [{ kind: 'svc', namespace: 'shop', name: 'reviews' }, { kind: 'pod', namespace: 'shop', name: 'r-1' }], 'svc/shop/reviews,pod/shop/r-1'],
  ['more than three are counted', [
    { kind: 'ns', namespace: 'a', name: 'a' }, { kind: 'svc', namespace: 'default', name: 'x' }, { kind: 'svc', namespace: 'default', name: 'y' }, { kind: 'pod', namespace: 'default', name: 'p' },
  ], '4 (1 ns, 2 svc, 1 pod)'],
];

for (const [title, usedBy, want] of usedByRows) {
  test(`waypoint used-by: ${title}`, (t) => {
    t.is(formatUsedBy({ namespace: 'default', usedBy }), want);
  });
}

test('waypoint list: the table', (t) => {
  const rows = waypointRows({ objects, pods }, undefined);
  t.deepEqual(formatWaypointList(rows, undefined, 'table'), {
    stdout: [
      'NAMESPACE  NAME      ADDRESS     FOR       USED-BY                               READY  PROGRAMMED',
      'default    waypoint  10.96.0.20  service   ns/default,ns/other,svc/shop/ratings  1/2    True',
      'shop       wp        <none>      workload  svc/reviews,pod/reviews-1             0/0    False(AddressNotAssigned)',
    ].join('\n'),
    stderr: '',
  });
});

test('waypoint list: nothing found', (t) => {
  t.deepEqual(formatWaypointList([], 'shop', 'table'), { stdout: '', stderr: 'No waypoints found in namespace shop.' });
  t.deepEqual(formatWaypointList([], undefined, 'table'), { stdout: '', stderr: 'No waypoints found.' });
});

test('waypoint list -o yaml|json: the Gateways with their status', (t) => {
  const rows = waypointRows({ objects, pods }, 'default');
  const yaml = formatWaypointList(rows, 'default', 'yaml').stdout;
  t.regex(yaml, /^apiVersion: gateway\.networking\.k8s\.io\/v1\nkind: Gateway\n/);
  t.regex(yaml, /status:\n {2}addresses:\n {2}- type: IPAddress\n {4}value: 10\.96\.0\.20\n {2}- type: Hostname\n {4}value: waypoint\.default\.svc\.cluster\.local\n/);
  t.regex(yaml, /- type: Programmed\n {4}status: "True"\n {4}reason: Programmed\n/);
  const list = JSON.parse(formatWaypointList(waypointRows({ objects, pods }, undefined), undefined, 'json').stdout) as { kind: string; items: { metadata: { name: string }; status: { conditions: { type: string }[] } }[] };
  t.is(list.kind, 'List');
  t.deepEqual(list.items.map((i) => i.metadata.name), ['waypoint', 'wp']);
  t.deepEqual(list.items[0]?.status.conditions.map((c) => c.type), ['Accepted', 'Programmed']);
  t.is(formatWaypointList(waypointRows({ objects, pods }, undefined), undefined, 'yaml').stdout.split('\n---\n').length, 2);
});

const argRows: [string[], Partial<WaypointListOptions> | 'help' | RegExp][] = [
  [[], { namespace: 'default', output: 'table', cluster: 'local', stateRoot: '/run/ambit' }],
  [['-n', 'shop', '--cluster', 'dev'], { namespace: 'shop', cluster: 'dev' }],
  [['-A', '-o', 'yaml'], { namespace: undefined, output: 'yaml' }],
  [['--all-namespaces', '-o', 'json'], { namespace: undefined, output: 'json' }],
  [['--help'], 'help'],
  [['-n', 'a', '-A'], /-n and -A exclude each other/],
  [['-o', 'wide'], /-o is yaml or json, not "wide"/],
  [['gateways'], /unexpected argument "gateways"/],
  [['--name', 'x'], /Unknown option '--name'/],
];

for (const [argv, want] of argRows) {
  test(`waypoint list args: ${argv.join(' ') || '(none)'}`, (t) => {
    if (want instanceof RegExp) {
      const err = t.throws(() => parseWaypointListArgs(argv));
      t.true(isAmbitError(err, 'AMBIT_ERR_CONFIG'));
      t.regex(err?.message ?? '', want);
      return;
    }
    const got = parseWaypointListArgs(argv);
    if (want === 'help') return t.is(got, 'help');
    t.like(got, want);
  });
}

test('waypoint list: asks the runtime for gateways, namespaces, services and pods', async (t) => {
  const podInfos: PodInfo[] = pods.map((p) => ({ ...p, node: 'node-1', ip: '10.244.1.2', mesh: 'no', serviceAccount: 'default', netns: 'n', containers: [] }));
  const client = await serveFake(t, new FakeRuntime(objects, podInfos));
  const { out, err, io } = capture();
  t.is(await listWaypoints({ cluster: 'fake', stateRoot: '/nowhere', namespace: 'default', output: 'table' }, io, client), 0);
  t.deepEqual(err, []);
  t.is(out.length, 1);
  t.regex(out[0] ?? '', /\ndefault {4}waypoint {2}10\.96\.0\.20 {2}service {2}ns\/default,ns\/other,svc\/shop\/ratings {2}1\/2 {4}True$/);
  const none = capture();
  t.is(await listWaypoints({ cluster: 'fake', stateRoot: '/nowhere', namespace: 'empty', output: 'table' }, none.io, client), 0);
  t.deepEqual(none.err, ['No waypoints found in namespace empty.']);
});
