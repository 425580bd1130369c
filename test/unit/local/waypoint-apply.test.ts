// `ambit waypoint apply`: the Gateway it writes (as istioctl does), its arguments, and
// what it asks a (fake) local runtime to do.
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import {
  applyWaypoint, formatGateway, parseWaypointApplyArgs, waypointGateway, type WaypointApplyOptions, type WaypointSpec,
} from '../../../cli/commands/waypoint-apply.js';
import { capture, FakeRuntime, serveFake } from './waypoint-cli-fake.js';

const gatewayRows: [string, WaypointSpec, Record<string, string>][] = [
  ['the default: services of the namespace', { namespace: 'default', name: 'waypoint', for: 'service' }, { 'istio.io/waypoint-for': 'service' }],
  ['workloads', { namespace: 'shop', name: 'wp', for: 'workload' }, { 'istio.io/waypoint-for': 'workload' }],
  ['all traffic', { namespace: 'shop', name: 'waypoint', for: 'all' }, { 'istio.io/waypoint-for': 'all' }],
  ['none', { namespace: 'shop', name: 'waypoint', for: 'none' }, { 'istio.io/waypoint-for': 'none' }],
];

for (const [title, spec, labels] of gatewayRows) {
  test(`waypoint gateway: ${title}`, (t) => {
    t.deepEqual(waypointGateway(spec), {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: spec.name, namespace: spec.namespace, labels },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
  });
}

test('waypoint gateway: -o yaml as istioctl prints it', (t) => {
  t.is(formatGateway(waypointGateway({ namespace: 'default', name: 'waypoint', for: 'service' }), 'yaml'), [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: Gateway',
    'metadata:',
    '  name: waypoint',
    '  namespace: default',
    '  labels:',
    '    istio.io/waypoint-for: service',
    'spec:',
    '  gatewayClassName: istio-waypoint',
    '  listeners:',
    '  - name: mesh',
    '    port: 15008',
    '    protocol: HBONE',
  ].join('\n'));
  const json = JSON.parse(formatGateway(waypointGateway({ namespace: 'a', name: 'b', for: 'all' }), 'json')) as { metadata: { name: string } };
  t.is(json.metadata.name, 'b');
});

const argRows: [string[], Partial<WaypointApplyOptions> | 'help' | RegExp][] = [
  [['-n', 'default'], { namespace: 'default', name: 'waypoint', for: 'service', enrollNamespace: false, timeoutMs: 60_000, cluster: 'local', stateRoot: '/run/ambit' }],
  [['--namespace', 'shop', '--name', 'wp', '--for', 'workload', '--enroll-namespace', '--cluster', 'dev', '--state-root', '/tmp/x', '--timeout', '90s'], { namespace: 'shop', name: 'wp', for: 'workload', enrollNamespace: true, timeoutMs: 90_000, cluster: 'dev', stateRoot: '/tmp/x' }],
  [['-n', 'shop', '-o', 'yaml'], { namespace: 'shop', output: 'yaml' }],
  [['-n', 'shop', '-o', 'json'], { output: 'json' }],
  [['--help'], 'help'],
  [['-n', 'x', '-h'], 'help'],
  [[], /give the namespace with -n NS/],
  [['-n', 'Shop'], /invalid namespace: "Shop" is not a valid DNS-1123 label/],
  [['-n', 'shop', '--name', '1wp'], /invalid --name: "1wp" is not a valid DNS-1035 label/],
  [['-n', 'shop', '--for', 'pods'], /--for is one of service, workload, all, none, not "pods"/],
  [['-n', 'shop', '-o', 'wide'], /-o is yaml or json, not "wide"/],
  [['-n', 'shop', '-o', 'yaml', '--enroll-namespace'], /does not go with --enroll-namespace/],
  [['-n', 'shop', 'extra'], /unexpected argument "extra"/],
  [['-n', 'shop', '--revision', 'x'], /Unknown option '--revision'/],
  [['-n', 'shop', '--cluster', 'Bad-Name'], /invalid local cluster name "Bad-Name"/],
  [['-n', 'shop', '--state-root', 'rel'], /--state-root must be an absolute path/],
  [['-n', 'shop', '--timeout', 'soon'], /--timeout must be a positive duration/],
];

for (const [argv, want] of argRows) {
  test(`waypoint apply args: ${argv.join(' ') || '(none)'}`, (t) => {
    if (want instanceof RegExp) {
      const err = t.throws(() => parseWaypointApplyArgs(argv));
      t.true(isAmbitError(err, 'AMBIT_ERR_CONFIG'));
      t.regex(err?.message ?? '', want);
      return;
    }
    const got = parseWaypointApplyArgs(argv);
    if (want === 'help') return t.is(got, 'help');
    t.like(got, want);
  });
}

test('waypoint apply args: the environment picks the cluster', (t) => {
  t.like(parseWaypointApplyArgs(['-n', 'a'], { AMBIT_CLUSTER: 'env', AMBIT_STATE_ROOT: '/srv/ambit' }), { cluster: 'env', stateRoot: '/srv/ambit' });
});

const options = (extra: Partial<WaypointApplyOptions> = {}): WaypointApplyOptions => ({
  cluster: 'fake', stateRoot: '/nowhere', namespace: 'shop', name: 'waypoint', for: 'service', enrollNamespace: false, timeoutMs: 5_000, ...extra,
});

test('waypoint apply: applies the Gateway through the runtime and reports it', async (t) => {
  const fake = new FakeRuntime();
  const client = await serveFake(t, fake);
  const { out, err, io } = capture();
  t.is(await applyWaypoint(options(), io, client), 0);
  t.is(fake.applied.length, 1);
  t.deepEqual(fake.applied[0]?.objects, [{ object: waypointGateway({ namespace: 'shop', name: 'waypoint', for: 'service' }), file: 'ambit waypoint apply' }]);
  t.is(fake.applied[0]?.timeoutMs, 5_000);
  t.deepEqual(fake.labeled, []);
  t.deepEqual(out, ['waypoint shop/waypoint applied']);
  t.deepEqual(err, []);
});

test('waypoint apply --enroll-namespace: then labels the namespace', async (t) => {
  const fake = new FakeRuntime();
  const client = await serveFake(t, fake);
  const { out, io } = capture();
  t.is(await applyWaypoint(options({ enrollNamespace: true, name: 'wp' }), io, client), 0);
  t.deepEqual(fake.labeled, [{ kind: 'ns', namespace: 'shop', name: 'shop', edit: { 'istio.io/use-waypoint': 'wp' }, timeoutMs: 5_000 }]);
  t.deepEqual(out, ['waypoint shop/wp applied', 'namespace shop labeled with "istio.io/use-waypoint: wp"']);
});

test('waypoint apply: a rejected Gateway is reported, exits 1 and enrolls nothing', async (t) => {
  const fake = new FakeRuntime();
  fake.findings = [{ severity: 'error', kind: 'Gateway', name: 'ghost/waypoint', path: 'metadata.namespace', message: 'namespace "ghost" does not exist', file: 'ambit waypoint apply' }];
  const client = await serveFake(t, fake);
  const { out, err, io } = capture();
  t.is(await applyWaypoint(options({ enrollNamespace: true }), io, client), 1);
  t.deepEqual(out, []);
  t.regex(err.join('\n'), /^ambit waypoint apply: ERROR Gateway ghost\/waypoint: metadata\.namespace: namespace "ghost" does not exist/);
  t.deepEqual(fake.labeled, []);
});

test('waypoint apply -o: prints, never calls the runtime', async (t) => {
  const { out, io } = capture();
  t.is(await applyWaypoint(options({ output: 'yaml' }), io), 0);
  t.regex(out.join('\n'), /gatewayClassName: istio-waypoint/);
});
