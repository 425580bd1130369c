// The gateway deployment controller inside a real Controller whose Kubernetes source
// and writes go to the fake API server: waypoint Gateways become a ServiceAccount, a
// Deployment and a Service applied with server-side apply (and the namespace's root
// ConfigMap); changes are applied again, other Gateways are left alone, failures retried.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { pino } from 'pino';
import { Controller } from '../../../controller/controller.js';
import { isAmbitError } from '../../../api/errors.js';
import type { ConfigView } from '../../../controller/config/kinds.js';
import { groupKind, type KubeObject } from '../../../controller/config/resource.js';
import { GatewayDeploymentController } from '../../../controller/gateway/deployment-controller.js';
import { GATEWAY_NAME_LABEL, MANAGED_LABEL, MANAGED_VALUE, ROOT_CERT_CONFIGMAP, waypointObjects } from '../../../controller/gateway/waypoint-deployment.js';
import { appliedObjectPath, KubeApplier } from '../../../controller/sources/kube/kube-apply.js';
import { statusCodeOf } from '../../../controller/sources/kube/kube-request.js';
import { KubeSource } from '../../../controller/sources/kube/kube-source.js';
import { captureLogger } from '../../support/capture-logger.js';
import { startHarness, waitFor } from '../../support/controller-harness.js';
import { FakeKubeApiServer, type FakeObject } from '../../support/fake-kube-apiserver.js';
import { gateway, objectApplies, startKubeController, type KubeControllerEnv } from './kube-controller.js';

const start = (t: ExecutionContext, objects: FakeObject[] = [], before?: (fake: FakeKubeApiServer) => void): Promise<KubeControllerEnv> =>
  startKubeController(t, objects, before ? { before } : {});

test('a waypoint Gateway gets its ServiceAccount, Deployment and Service by server-side apply, owned by the Gateway', async (t) => {
  const { fake, controller } = await start(t, [gateway('waypoint')]);
  await fake.waitFor(() => objectApplies(fake, 'waypoint').length >= 3 && fake.applies.some((a) => a.body?.kind === 'ConfigMap' && a.status === 200));
  const gw = fake.store.get(fake.store.kindOf('gateway.networking.k8s.io/v1', 'Gateway'), 'waypoint', 'default')!;

  const applies = objectApplies(fake, 'waypoint');
  t.deepEqual(applies.map((a) => a.path), [
    '/api/v1/namespaces/default/serviceaccounts/waypoint',
    '/apis/apps/v1/namespaces/default/deployments/waypoint',
    '/api/v1/namespaces/default/services/waypoint',
  ]);
  for (const a of fake.applies) {
    t.is(a.contentType, 'application/apply-patch+yaml');
    t.is(a.fieldManager, 'ambit-controller');
    t.is(a.force, 'true');
  }
  // Exactly what waypointObjects renders for the Gateway as the API server has it.
  t.deepEqual(applies.map((a) => a.body), JSON.parse(JSON.stringify(waypointObjects(gw))) as unknown[]);
  for (const a of applies) {
    t.deepEqual(a.body?.metadata.ownerReferences, [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'waypoint', uid: gw.metadata.uid, controller: true }]);
    t.deepEqual(a.body?.metadata.labels, { [GATEWAY_NAME_LABEL]: 'waypoint', [MANAGED_LABEL]: MANAGED_VALUE });
  }
  const deployment = fake.store.get(fake.store.kindOf('apps/v1', 'Deployment'), 'waypoint', 'default');
  t.is((deployment?.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels['istio.io/dataplane-mode'], 'none');

  // The namespace's root certificate ConfigMap, before the Deployment that mounts it.
  const cmIndex = fake.applies.findIndex((a) => a.body?.kind === 'ConfigMap');
  t.true(cmIndex < fake.applies.findIndex((a) => a.body?.kind === 'Deployment'));
  t.is(fake.applies[cmIndex]?.path, `/api/v1/namespaces/default/configmaps/${ROOT_CERT_CONFIGMAP}`);
  t.deepEqual((fake.applies[cmIndex]?.body as { data?: unknown }).data, { 'root-cert.pem': controller.rootCertPem });
});

test('a changed Gateway is applied again; unrelated changes and a deletion apply nothing', async (t) => {
  const { fake, controller } = await start(t, [gateway('waypoint')]);
  await fake.waitFor(() => objectApplies(fake, 'waypoint').length === 3);

  fake.put(gateway('waypoint', { labels: { team: 'blue' } }));
  await fake.waitFor(() => objectApplies(fake, 'waypoint').length === 6);
  t.deepEqual(objectApplies(fake, 'waypoint').slice(3).map((a) => a.body?.kind), ['ServiceAccount', 'Deployment', 'Service']);

  // A Namespace changing is not a reason to apply anything.
  fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } } });
  await waitFor(() => controller.store.list('Namespace').length === 1, 5000, 'the namespace in the store');
  await controller.gatewayDeployments?.settle();
  t.is(objectApplies(fake, 'waypoint').length, 6);

  // Deletion is left to the garbage collector (owner references): nothing is sent.
  const requests = fake.requests.length;
  fake.delete('gateway.networking.k8s.io/v1', 'Gateway', 'waypoint', 'default');
  await waitFor(() => controller.store.list('gateway.networking.k8s.io/Gateway').length === 0, 5000, 'the deletion in the store');
  await controller.gatewayDeployments?.settle();
  t.deepEqual(fake.requests.slice(requests), []);
});

test('a Gateway of another class gets nothing', async (t) => {
  const { fake, controller } = await start(t, [gateway('ingress', { className: 'istio' })]);
  t.is(controller.store.list('gateway.networking.k8s.io/Gateway').length, 1); // listed before start() resolved
  await controller.gatewayDeployments?.settle();
  t.deepEqual(fake.applies, []);

  // A waypoint appearing later in another namespace is applied there.
  fake.put(gateway('wp', { namespace: 'shop' }));
  await fake.waitFor(() => objectApplies(fake, 'wp').length === 3);
  t.true(fake.applies.every((a) => ['/api/v1', '/apis/apps/v1', '/apis/gateway.networking.k8s.io/v1'].some((base) => a.path.startsWith(`${base}/namespaces/shop/`))));
});

test('failed applies are logged with AMBIT_ERR_KUBE_APPLY and retried with backoff until they succeed', async (t) => {
  const { fake, controller, logs } = await start(t, [gateway('waypoint')], (f) => {
    f.failNextApplies(3, 500, 'object');
    f.failNextApplies(1, 403, 'object');
  });
  await fake.waitFor(() => objectApplies(fake, 'waypoint').length === 3);
  t.deepEqual(fake.applies.filter((a) => !a.path.endsWith('/status')).slice(0, 4).map((a) => a.status), [500, 500, 500, 403]);
  const failures = logs.filter((l) => l.code === 'AMBIT_ERR_KUBE_APPLY');
  t.deepEqual(failures.map((l) => l.statusCode), [500, 500, 500, 403]);
  t.true(failures.every((l) => l.level === 40)); // warn: retried
  // Both units failed and were retried: the namespace's ConfigMap and the Gateway's objects.
  t.deepEqual(failures.map((l) => l.kind), ['ConfigMap', 'ServiceAccount', 'ConfigMap', 'ServiceAccount']);
  t.truthy(controller.model); // the controller kept running
});

test('the gateway deployment controller is off without a Kubernetes source, or when turned off', async (t) => {
  const { fake, controller } = await start(t, [gateway('waypoint')]);
  t.truthy(controller.gatewayDeployments);
  await fake.waitFor(() => objectApplies(fake, 'waypoint').length === 3);

  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'ambit-gwdeploy-'));
  const off = new Controller({
    stateDir, sources: [new KubeSource({ kubeConfig: fake.kubeConfig(), logger: pino({ level: 'silent' }) })], log: pino({ level: 'silent' }),
    grpcHost: '127.0.0.1', grpcPort: 0, httpPort: -1, gatewayDeployments: false,
  });
  await off.start();
  t.teardown(async () => {
    await off.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });
  t.is(off.gatewayDeployments, undefined);

  const local = await startHarness([gateway('waypoint')]); // a StaticSource, as in `ambit local`
  t.teardown(() => local.close());
  t.is(local.controller.gatewayDeployments, undefined);
});

// ---- the pieces on their own ------------------------------------------------------

function view(objects: KubeObject[]): ConfigView {
  return {
    list: (kind) => objects.filter((o) => groupKind(o) === kind),
    get: (kind, ns, name) => objects.find((o) => groupKind(o) === kind && o.metadata.namespace === ns && o.metadata.name === name),
  };
}

const withUid = (o: FakeObject, uid: string): KubeObject => ({ ...o, metadata: { ...o.metadata, uid } });

test('KubeApplier sends a server-side apply PATCH and maps an error answer to AMBIT_ERR_KUBE_APPLY with its status', async (t) => {
  const fake = await FakeKubeApiServer.start();
  t.teardown(() => fake.close());
  const applier = new KubeApplier(fake.kubeConfig());
  const [sa] = waypointObjects(withUid(gateway('wp', { namespace: 'shop' }), 'u-1'));
  const stored = await applier.apply(sa!) as FakeObject;
  t.is(stored.metadata.name, 'wp');
  t.truthy(stored.metadata.resourceVersion);
  t.like(fake.applies[0], { path: '/api/v1/namespaces/shop/serviceaccounts/wp', contentType: 'application/apply-patch+yaml', fieldManager: 'ambit-controller', force: 'true', status: 200 });

  fake.failNextApplies(1, 422);
  const err = await t.throwsAsync(applier.apply(sa!));
  t.true(isAmbitError(err, 'AMBIT_ERR_KUBE_APPLY'));
  t.is(statusCodeOf(err), 422);
  t.regex(err?.message ?? '', /^PATCH \/api\/v1\/namespaces\/shop\/serviceaccounts\/wp: HTTP 422/);

  t.throws(() => appliedObjectPath({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' } }), { message: /not a kind the controller writes/ });
});

test('stop() ends a pass whose apply hangs; nothing is applied afterwards', async (t) => {
  let calls = 0;
  let aborted = false;
  const gdc = new GatewayDeploymentController({
    view: view([withUid(gateway('wp'), 'u-1')]), log: pino({ level: 'silent' }), rootCertPem: 'PEM', debounceMs: 1, debounceMaxMs: 5,
    apply: (_obj, signal) => {
      calls++;
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); }));
    },
  });
  gdc.start();
  await waitFor(() => calls === 1, 5000, 'the first apply');
  await gdc.stop();
  t.true(aborted);
  gdc.trigger();
  await gdc.settle();
  t.is(calls, 1);
});

test('every resync period everything is applied again; a Gateway without a uid is skipped with a warning', async (t) => {
  const applied: string[] = [];
  const { log, lines: logs } = captureLogger();
  const gdc = new GatewayDeploymentController({
    view: view([withUid(gateway('wp'), 'u-1'), gateway('no-uid')]), log, rootCertPem: 'PEM',
    resyncMs: 30, apply: (obj) => { applied.push(`${obj.kind}/${obj.metadata.name}`); return Promise.resolve(); },
  });
  t.teardown(() => gdc.stop());
  gdc.start();
  await waitFor(() => applied.length >= 8, 5000, 'two passes');
  t.deepEqual(applied.slice(0, 8), [
    'ConfigMap/istio-ca-root-cert', 'ServiceAccount/wp', 'Deployment/wp', 'Service/wp',
    'ConfigMap/istio-ca-root-cert', 'ServiceAccount/wp', 'Deployment/wp', 'Service/wp',
  ]);
  t.is(logs.filter((l) => l.gateway === 'default/no-uid' && /no metadata.uid/.test(String(l.msg))).length, 1); // warned once
});
