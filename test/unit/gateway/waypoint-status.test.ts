// The status of a waypoint Gateway (Accepted, Programmed, addresses, listeners), as Istio
// writes it: table tests over the Gateway's listeners, its Service and its pods.
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import {
  conditionOf, waypointHostname, waypointStatus, type WaypointPodView, type WaypointServiceView, type WaypointStatusInput,
} from '../../../controller/gateway/waypoint-status.js';

const HBONE = { name: 'mesh', port: 15008, protocol: 'HBONE' };

function gateway(listeners: unknown[] = [HBONE], extra: { className?: string; generation?: number } = {}): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway',
    metadata: { name: 'waypoint', namespace: 'shop', ...(extra.generation !== undefined ? { generation: extra.generation } : {}) },
    spec: { gatewayClassName: extra.className ?? 'istio-waypoint', listeners },
  };
}

const SERVICE: WaypointServiceView = { clusterIP: '10.96.0.20', ports: [{ port: 15008 }] };
const ready = (name = 'waypoint-1'): WaypointPodView => ({ name, ready: true, status: 'Running' });
const pod = (name: string, status: string): WaypointPodView => ({ name, ready: false, status });

interface Row {
  title: string;
  input: Partial<WaypointStatusInput>;
  accepted: [string, string];
  programmed: [string, string];
  message?: RegExp;
  addresses: string[];
}

const rows: Row[] = [
  { title: 'ready: accepted, programmed, IP and hostname', input: { service: SERVICE, pods: [ready()] }, accepted: ['True', 'Accepted'], programmed: ['True', 'Programmed'], message: /assigned to waypoint\.shop\.svc\.cluster\.local:15008, served by 1 ready pod/, addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'one ready pod of two is enough', input: { service: SERVICE, pods: [pod('a', 'Running'), ready('b')] }, accepted: ['True', 'Accepted'], programmed: ['True', 'Programmed'], addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'no Service yet: no address', input: { pods: [] }, accepted: ['True', 'Accepted'], programmed: ['False', 'AddressNotAssigned'], message: /Service waypoint\.shop\.svc\.cluster\.local does not exist/, addresses: [] },
  { title: 'a Service without cluster IP', input: { service: { ports: [{ port: 15008 }] }, pods: [ready()] }, accepted: ['True', 'Accepted'], programmed: ['False', 'AddressNotAssigned'], addresses: [] },
  { title: 'a headless Service', input: { service: { clusterIP: 'None', ports: [{ port: 15008 }] }, pods: [ready()] }, accepted: ['True', 'Accepted'], programmed: ['False', 'AddressNotAssigned'], addresses: [] },
  { title: 'a Service without port 15008', input: { service: { clusterIP: '10.96.0.20', ports: [{ port: 80 }] }, pods: [ready()] }, accepted: ['True', 'Accepted'], programmed: ['False', 'AddressNotUsable'], message: /no port 15008/, addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'no pod', input: { service: SERVICE, pods: [] }, accepted: ['True', 'Accepted'], programmed: ['False', 'NoResources'], message: /no waypoint pod backs/, addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'a pod starting (running, not listening yet)', input: { service: SERVICE, pods: [pod('w', 'Running')] }, accepted: ['True', 'Accepted'], programmed: ['False', 'Pending'], message: /waiting for a ready waypoint pod .*\(w: Running\)/, addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'a pod initializing (kubectl: PodInitializing)', input: { service: SERVICE, pods: [pod('w', 'PodInitializing')] }, accepted: ['True', 'Accepted'], programmed: ['False', 'Pending'], addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'a pod crash-looping is not starting', input: { service: SERVICE, pods: [pod('w', 'CrashLoopBackOff')] }, accepted: ['True', 'Accepted'], programmed: ['False', 'NoResources'], addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'a pod pending', input: { service: SERVICE, pods: [pod('w', 'Pending'), pod('x', 'Error(exit code 1)')] }, accepted: ['True', 'Accepted'], programmed: ['False', 'Pending'], addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'every pod failed', input: { service: SERVICE, pods: [pod('w', 'Error(exit code 1)'), pod('x', 'RunContainerError')] }, accepted: ['True', 'Accepted'], programmed: ['False', 'NoResources'], message: /w: Error\(exit code 1\), x: RunContainerError/, addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'no HBONE listener: not accepted (still programmed from its Service)', input: { gateway: gateway([{ name: 'http', port: 80, protocol: 'HTTP' }]), service: SERVICE, pods: [ready()] }, accepted: ['False', 'ListenersNotValid'], programmed: ['True', 'Programmed'], addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'HBONE on the wrong port', input: { gateway: gateway([{ name: 'mesh', port: 15009, protocol: 'HBONE' }]), service: SERVICE, pods: [ready()] }, accepted: ['False', 'ListenersNotValid'], programmed: ['True', 'Programmed'], addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'no listener at all', input: { gateway: gateway([]), service: SERVICE, pods: [ready()] }, accepted: ['False', 'ListenersNotValid'], programmed: ['True', 'Programmed'], addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
  { title: 'an extra listener beside the HBONE one: still accepted', input: { gateway: gateway([HBONE, { name: 'http', port: 80, protocol: 'HTTP' }]), service: SERVICE, pods: [ready()] }, accepted: ['True', 'Accepted'], programmed: ['True', 'Programmed'], addresses: ['IPAddress=10.96.0.20', 'Hostname=waypoint.shop.svc.cluster.local'] },
];

for (const r of rows) {
  test(`waypoint status: ${r.title}`, (t) => {
    const status = waypointStatus({ gateway: gateway(), pods: [], ...r.input });
    if (!status) return t.fail('no status');
    const accepted = conditionOf(status, 'Accepted');
    const programmed = conditionOf(status, 'Programmed');
    t.deepEqual([accepted?.status, accepted?.reason], r.accepted);
    t.deepEqual([programmed?.status, programmed?.reason], r.programmed);
    if (r.message) t.regex(programmed?.message ?? '', r.message);
    t.deepEqual(status.addresses.map((a) => `${a.type}=${a.value}`), r.addresses);
    t.deepEqual(status.conditions.map((c) => c.type), ['Accepted', 'Programmed']);
  });
}

test('waypoint status: listeners get their own conditions (UnsupportedProtocol for a non-waypoint one)', (t) => {
  const status = waypointStatus({ gateway: gateway([HBONE, { name: 'http', port: 80, protocol: 'HTTP' }]), service: SERVICE, pods: [ready()] });
  t.deepEqual(status?.listeners.map((l) => l.name), ['mesh', 'http']);
  const [mesh, http] = status?.listeners ?? [];
  t.deepEqual(mesh?.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Accepted=True/Accepted', 'Conflicted=False/NoConflicts', 'Programmed=True/Programmed', 'ResolvedRefs=True/ResolvedRefs']);
  t.deepEqual(http?.conditions.filter((c) => c.status !== (c.type === 'Conflicted' ? 'False' : 'True')).map((c) => `${c.type}/${c.reason}`), ['Accepted/UnsupportedProtocol', 'Programmed/Invalid']);
  t.regex(http?.conditions[0]?.message ?? '', /port 15008 with protocol HBONE, not http \(80\/HTTP\)/);
  t.is(mesh?.attachedRoutes, 0);
});

test('waypoint status: the message of a Gateway without the HBONE listener names what it has', (t) => {
  const none = waypointStatus({ gateway: gateway([]), pods: [] });
  t.regex(conditionOf(none, 'Accepted')?.message ?? '', /listener on port 15008 with protocol HBONE; it has none/);
  const http = waypointStatus({ gateway: gateway([{ name: 'web', port: 80, protocol: 'HTTP' }]), pods: [] });
  t.regex(conditionOf(http, 'Accepted')?.message ?? '', /found web \(80\/HTTP\)/);
});

test('waypoint status: observedGeneration and lastTransitionTime when known', (t) => {
  const status = waypointStatus({ gateway: gateway([HBONE], { generation: 3 }), service: SERVICE, pods: [ready()], now: '2024-05-01T00:00:00Z' });
  t.true(status?.conditions.every((c) => c.observedGeneration === 3 && c.lastTransitionTime === '2024-05-01T00:00:00Z'));
  const bare = waypointStatus({ gateway: gateway(), service: SERVICE, pods: [ready()] });
  t.false(bare?.conditions.some((c) => 'observedGeneration' in c || 'lastTransitionTime' in c));
});

test('waypoint status: other Gateway classes have none; the hostname follows the namespace', (t) => {
  t.is(waypointStatus({ gateway: gateway([HBONE], { className: 'istio' }), service: SERVICE, pods: [ready()] }), undefined);
  t.is(waypointHostname({ metadata: { name: 'wp' } }), 'wp.default.svc.cluster.local');
  t.is(conditionOf(undefined, 'Programmed'), undefined);
});
