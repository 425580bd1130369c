// The status of waypoint Gateways written back by a real Controller whose Kubernetes
// source reads from and writes to the fake API server: server-side apply to the status
// subresource, following the Gateway's Service and the pods it selects; written only
// when it changed, retried after a failure, never for Gateways of another class.
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import { KINDS } from '../../../controller/config/kinds.js';
import type { GatewayCondition, GatewayStatus } from '../../../controller/gateway/waypoint-status.js';
import { WATCHED_KINDS } from '../../../controller/sources/kube/kinds.js';
import { appliedStatusPath, KubeApplier } from '../../../controller/sources/kube/kube-apply.js';
import { statusCodeOf } from '../../../controller/sources/kube/kube-request.js';
import { waitFor } from '../../support/controller-harness.js';
import { FakeKubeApiServer, type FakeObject } from '../../support/fake-kube-apiserver.js';
import { gateway, objectApplies, startKubeController, statusApplies, type KubeControllerEnv } from './kube-controller.js';
import { fakeKind } from './kube-harness.js';

const GW_LABEL = 'gateway.networking.k8s.io/gateway-name';
const GATEWAY_API = 'gateway.networking.k8s.io/v1';
const T0 = '2024-05-01T00:00:00Z';

function waypointService(name: string, clusterIP: string, namespace = 'default'): FakeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: { [GW_LABEL]: name } },
    spec: { selector: { [GW_LABEL]: name }, clusterIP, ports: [{ name: 'mesh', port: 15008, targetPort: 15008, protocol: 'TCP', appProtocol: 'all' }] },
  };
}

function waypointPod(name: string, gw: string, ready: boolean, namespace = 'default'): FakeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { [GW_LABEL]: gw } },
    spec: { serviceAccountName: gw, nodeName: 'node-a', containers: [{ name: 'waypoint' }] },
    status: {
      phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'waypoint', ready, started: true, state: { running: { startedAt: T0 } } }],
    },
  };
}

/** A waypoint Gateway (generation 1) with its Service (cluster IP) and one pod. */
const waypoint = (name: string, clusterIP: string, ready = true): FakeObject[] =>
  [gateway(name, { generation: 1 }), waypointService(name, clusterIP), waypointPod(`${name}-1`, name, ready)];

function storedGateway(fake: FakeKubeApiServer, name: string): FakeObject | undefined {
  return fake.store.get(fake.store.kindOf(GATEWAY_API, 'Gateway'), name, 'default');
}

function storedStatus(fake: FakeKubeApiServer, name: string): GatewayStatus | undefined {
  return storedGateway(fake, name)?.status as GatewayStatus | undefined;
}

const condition = (s: GatewayStatus | undefined, type: string): GatewayCondition | undefined => s?.conditions.find((c) => c.type === type);
const programmed = (fake: FakeKubeApiServer, name: string): string | undefined => {
  const c = condition(storedStatus(fake, name), 'Programmed');
  return c && `${c.status}/${c.reason}`;
};

/** Every pass has run and the Gateway's last status came back through the watch into the store. */
async function settled(env: KubeControllerEnv, name: string): Promise<void> {
  const rv = storedGateway(env.fake, name)?.metadata.resourceVersion;
  await waitFor(() => env.controller.store.get(KINDS.gateway, 'default', name)?.metadata.resourceVersion === rv, 5000, 'the Gateway back in the store');
  await env.controller.gatewayDeployments?.settle();
}

test('a waypoint with its Service and a ready pod gets Accepted, Programmed and its addresses, by server-side apply to the status subresource', async (t) => {
  const clock = { now: new Date(T0) };
  const env = await startKubeController(t, waypoint('waypoint', '10.96.0.30'), { gatewayDeployments: { now: () => clock.now } });
  const { fake } = env;
  await fake.waitFor(() => programmed(fake, 'waypoint') === 'True/Programmed');

  const [write] = statusApplies(fake, 'waypoint');
  t.like(write, {
    path: '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/waypoint/status',
    contentType: 'application/apply-patch+yaml', fieldManager: 'ambit-controller', force: 'true', status: 200,
  });
  t.deepEqual(Object.keys(write?.body ?? {}), ['apiVersion', 'kind', 'metadata', 'status']);
  t.like(write?.body, { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { name: 'waypoint', namespace: 'default' } });
  t.deepEqual(write?.body?.metadata, { name: 'waypoint', namespace: 'default' });
  const status = storedStatus(fake, 'waypoint');
  t.deepEqual(status?.addresses, [{ type: 'IPAddress', value: '10.96.0.30' }, { type: 'Hostname', value: 'waypoint.default.svc.cluster.local' }]);
  t.like(condition(status, 'Accepted'), { status: 'True', reason: 'Accepted', observedGeneration: 1, lastTransitionTime: T0 });
  t.like(condition(status, 'Programmed'), { status: 'True', reason: 'Programmed', observedGeneration: 1, lastTransitionTime: T0 });
  t.deepEqual(status?.listeners.map((l) => l.name), ['mesh']);
  t.deepEqual(storedGateway(fake, 'waypoint')?.spec, gateway('waypoint').spec); // only the status changed

  // Unchanged inputs write nothing: not our own status coming back, not an unrelated change,
  // and the status write is no reason to apply the waypoint's objects again.
  await settled(env, 'waypoint');
  fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await waitFor(() => env.controller.store.list('Namespace').length === 1, 5000, 'the namespace in the store');
  await settled(env, 'waypoint');
  t.is(statusApplies(fake, 'waypoint').length, 1);
  t.is(objectApplies(fake, 'waypoint').length, 3);
});

test('the status follows the pods: not ready → Programmed False (Pending), gone → NoResources; lastTransitionTime moves only with a condition status', async (t) => {
  const clock = { now: new Date(T0) };
  const env = await startKubeController(t, waypoint('waypoint', '10.96.0.30'), { gatewayDeployments: { now: () => clock.now } });
  const { fake } = env;
  await fake.waitFor(() => programmed(fake, 'waypoint') === 'True/Programmed');

  clock.now = new Date('2024-05-01T00:10:00Z');
  fake.put(waypointPod('waypoint-1', 'waypoint', false));
  await fake.waitFor(() => programmed(fake, 'waypoint') === 'False/Pending');
  let status = storedStatus(fake, 'waypoint');
  t.regex(condition(status, 'Programmed')?.message ?? '', /waiting for a ready waypoint pod .*\(waypoint-1: Running\)/);
  t.is(condition(status, 'Programmed')?.lastTransitionTime, '2024-05-01T00:10:00Z');
  t.is(condition(status, 'Accepted')?.lastTransitionTime, T0);

  clock.now = new Date('2024-05-01T00:20:00Z');
  fake.delete('v1', 'Pod', 'waypoint-1', 'default');
  await fake.waitFor(() => programmed(fake, 'waypoint') === 'False/NoResources');
  status = storedStatus(fake, 'waypoint');
  t.is(condition(status, 'Programmed')?.lastTransitionTime, '2024-05-01T00:10:00Z'); // False stayed False
  await settled(env, 'waypoint');
  t.deepEqual(statusApplies(fake, 'waypoint').map((a) => a.status), [200, 200, 200]);
});

test('a failed status write is logged and retried with backoff; the other Gateway is written meanwhile', async (t) => {
  const env = await startKubeController(t, [...waypoint('a', '10.96.0.31'), ...waypoint('b', '10.96.0.32')], { before: (f) => f.failNextApplies(1, 500, 'status') });
  const { fake, logs } = env;
  await fake.waitFor(() => programmed(fake, 'a') === 'True/Programmed' && programmed(fake, 'b') === 'True/Programmed');

  const writes = fake.applies.filter((a) => a.path.endsWith('/status'));
  t.deepEqual(writes.map((w) => `${w.body?.metadata.name}:${w.status}`), ['a:500', 'b:200', 'a:200']);
  const failures = logs.filter((l) => l.code === 'AMBIT_ERR_KUBE_APPLY');
  t.deepEqual(failures.map((l) => [l.gateway, l.subresource, l.statusCode, l.level]), [['default/a', 'status', 500, 40]]);
  t.true(fake.applies.filter((a) => !a.path.endsWith('/status')).every((a) => a.status === 200)); // the objects were not disturbed
});

test('a Gateway of another class gets no status from us', async (t) => {
  const env = await startKubeController(t, [
    gateway('ingress', { className: 'istio', generation: 1 }), waypointService('ingress', '10.96.0.40'), waypointPod('ingress-1', 'ingress', true),
    ...waypoint('waypoint', '10.96.0.30'),
  ]);
  const { fake } = env;
  await fake.waitFor(() => programmed(fake, 'waypoint') === 'True/Programmed');
  await settled(env, 'waypoint');
  t.deepEqual(statusApplies(fake, 'ingress'), []);
  t.is(storedGateway(fake, 'ingress')?.status, undefined);
});

// ---- the status apply on its own, against the fake -----------------------------------

test('KubeApplier.applyStatus: only .status changes, a MODIFIED event; an unchanged status is a no-op; a missing Gateway is 404', async (t) => {
  const fake = await FakeKubeApiServer.start({ kinds: WATCHED_KINDS.map(fakeKind) });
  t.teardown(() => fake.close());
  const kind = fake.store.kindOf(GATEWAY_API, 'Gateway');
  const stored = fake.put(gateway('wp', { generation: 4 }));
  const applier = new KubeApplier(fake.kubeConfig());
  const status = { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok', lastTransitionTime: T0 }] };
  // Fields outside status are ignored by a status apply, as by the real API server.
  const body = { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { name: 'wp', namespace: 'default', labels: { x: 'y' } }, spec: { gatewayClassName: 'other' }, status };

  const answer = await applier.applyStatus(body) as FakeObject;
  const after = fake.store.get(kind, 'wp', 'default')!;
  t.deepEqual(after.status, status);
  t.deepEqual(after.spec, stored.spec);
  t.deepEqual(after.metadata.labels, stored.metadata.labels);
  t.is(after.metadata.generation, 4);
  t.true(Number(after.metadata.resourceVersion) > Number(stored.metadata.resourceVersion));
  t.is(answer.metadata.resourceVersion, after.metadata.resourceVersion);
  t.deepEqual(fake.store.eventsSince(kind, Number(stored.metadata.resourceVersion)).map((e) => e.type), ['MODIFIED']);

  await applier.applyStatus(body); // the same status again: nothing changes
  t.is(fake.store.get(kind, 'wp', 'default')?.metadata.resourceVersion, after.metadata.resourceVersion);
  t.is(fake.store.eventsSince(kind, Number(after.metadata.resourceVersion)).length, 0);

  const err = await t.throwsAsync(applier.applyStatus({ ...body, metadata: { name: 'gone', namespace: 'default' } }));
  t.true(isAmbitError(err, 'AMBIT_ERR_KUBE_APPLY'));
  t.is(statusCodeOf(err), 404);
  t.is(fake.store.get(kind, 'gone', 'default'), undefined); // a status apply never creates

  t.like(fake.applies.at(-1), { path: '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/gone/status', status: 404 });
  t.throws(() => appliedStatusPath({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' } }), { message: /not a kind the controller writes the status of/ });
});
