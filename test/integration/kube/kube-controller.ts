// A real Controller whose Kubernetes source reads from, and whose gateway deployment
// controller writes to, the fake API server (serving every kind Ambit watches), with
// fast debounce and retries and a captured log; torn down by t.teardown. Plus the
// Gateways these tests start from and the applies they look at.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { Controller, type GatewayDeploymentSettings } from '../../../controller/controller.js';
import { WATCHED_KINDS } from '../../../controller/sources/kube/kinds.js';
import { KubeSource } from '../../../controller/sources/kube/kube-source.js';
import { captureLogger } from '../../support/capture-logger.js';
import { FakeKubeApiServer, type FakeObject, type RecordedApply } from '../../support/fake-kube-apiserver.js';
import { fakeKind } from './kube-harness.js';

export interface KubeControllerEnv {
  fake: FakeKubeApiServer;
  controller: Controller;
  logs: Record<string, unknown>[];
}

export async function startKubeController(
  t: ExecutionContext,
  objects: FakeObject[] = [],
  options: { before?: (fake: FakeKubeApiServer) => void; gatewayDeployments?: GatewayDeploymentSettings } = {},
): Promise<KubeControllerEnv> {
  const fake = await FakeKubeApiServer.start({ kinds: WATCHED_KINDS.map(fakeKind) });
  t.teardown(() => fake.close());
  options.before?.(fake);
  for (const o of objects) fake.put(o);
  const { log, lines } = captureLogger();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'ambit-gwdeploy-'));
  const source = new KubeSource({ kubeConfig: fake.kubeConfig(), logger: log, backoff: { initialMs: 5, maxMs: 50 }, missingKindRetryMs: 20 });
  const controller = new Controller({
    stateDir, sources: [source], log, grpcHost: '127.0.0.1', grpcPort: 0, httpPort: -1, debounceMs: 10, debounceMaxMs: 50,
    gatewayDeployments: { debounceMs: 10, debounceMaxMs: 50, backoff: { initialMs: 10, maxMs: 40 }, ...options.gatewayDeployments },
  });
  await controller.start();
  t.teardown(async () => {
    await controller.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });
  return { fake, controller, logs: lines };
}

export function gateway(name: string, opts: { namespace?: string; className?: string; labels?: Record<string, string>; generation?: number } = {}): FakeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name, namespace: opts.namespace ?? 'default', labels: { 'istio.io/waypoint-for': 'service', ...opts.labels },
      ...(opts.generation !== undefined ? { generation: opts.generation } : {}),
    },
    spec: { gatewayClassName: opts.className ?? 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
}

const isStatus = (a: RecordedApply): boolean => a.path.endsWith('/status');

/** Successful applies of whole objects named `name`. */
export const objectApplies = (fake: FakeKubeApiServer, name: string): RecordedApply[] =>
  fake.applies.filter((a) => a.status === 200 && a.body?.metadata.name === name && !isStatus(a));

/** Status applies of the Gateway `name`, failed ones too. */
export const statusApplies = (fake: FakeKubeApiServer, name: string): RecordedApply[] =>
  fake.applies.filter((a) => a.body?.metadata.name === name && isStatus(a));
