// The input of waypointStatus from a cluster's objects, shared by the controller's status
// writer and `ambit waypoint list`: the Service's cluster IP and ports, and the pods it
// selects by Kubernetes Service semantics (same namespace, every selector label equal; a
// Service without a selector has no endpoints of its own, so no pods).
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { waypointStatusInput, type SelectablePod } from '../../../controller/gateway/waypoint-status-input.js';

const GW_LABEL = 'gateway.networking.k8s.io/gateway-name';

const gateway: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'wp', namespace: 'shop' },
  spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
};

function service(spec: Record<string, unknown>, namespace = 'shop'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'wp', namespace }, spec };
}

const pod = (name: string, labels: Record<string, string> | undefined, namespace = 'shop', ready = true, status = 'Running'): SelectablePod => ({ namespace, name, labels, ready, status });

const pods: SelectablePod[] = [
  pod('wp-1', { [GW_LABEL]: 'wp' }),
  pod('wp-2', { [GW_LABEL]: 'wp', extra: 'x' }, 'shop', false, 'ContainerCreating'),
  pod('other-ns', { [GW_LABEL]: 'wp' }, 'default'),
  pod('other-gw', { [GW_LABEL]: 'ingress' }),
  pod('no-labels', undefined),
];
const SELECTOR = { [GW_LABEL]: 'wp' };

const rows: [string, KubeObject | undefined, unknown, string[]][] = [
  ['no Service: no service, no pods', undefined, undefined, []],
  ['cluster IP and ports; the pods its selector matches in its namespace', service({ selector: SELECTOR, clusterIP: '10.96.0.30', ports: [{ name: 'mesh', port: 15008 }] }), { clusterIP: '10.96.0.30', ports: [{ port: 15008 }] }, ['wp-1', 'wp-2']],
  ['a Service without a selector selects nothing', service({ clusterIP: '10.96.0.30', ports: [{ port: 15008 }] }), { clusterIP: '10.96.0.30', ports: [{ port: 15008 }] }, []],
  ['an empty selector selects nothing either', service({ selector: {}, ports: [] }), { ports: [] }, []],
  ['no cluster IP yet, no ports', service({ selector: SELECTOR }), { ports: [] }, ['wp-1', 'wp-2']],
  ['a headless Service keeps "None"', service({ selector: SELECTOR, clusterIP: 'None', ports: [{ port: 15008 }] }), { clusterIP: 'None', ports: [{ port: 15008 }] }, ['wp-1', 'wp-2']],
  ['odd port entries are skipped', service({ selector: SELECTOR, ports: ['x', { port: 15008 }] }), { ports: [{ port: 15008 }] }, ['wp-1', 'wp-2']],
];

for (const [title, svc, want, names] of rows) {
  test(`waypoint status input: ${title}`, (t) => {
    const input = waypointStatusInput(gateway, svc, pods);
    t.is(input.gateway, gateway);
    t.deepEqual(input.service, want);
    t.deepEqual(input.pods.map((p) => p.name), names);
  });
}

test('waypoint status input: pods carry only name, ready and status', (t) => {
  const input = waypointStatusInput(gateway, service({ selector: SELECTOR }), pods);
  t.deepEqual(input.pods, [{ name: 'wp-1', ready: true, status: 'Running' }, { name: 'wp-2', ready: false, status: 'ContainerCreating' }]);
});
