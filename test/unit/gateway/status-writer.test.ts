// The status writer over an in-memory view: what it sends (the status subresource body),
// when it sends nothing (the object holds it; our last write not seen back yet), that
// lastTransitionTime stays while a condition's status stays, and that a failure is
// counted for the caller's retry without stopping the other Gateways.
import test from 'ava';
import { pino } from 'pino';
import type { ConfigView } from '../../../controller/config/kinds.js';
import { groupKind, type KubeObject } from '../../../controller/config/resource.js';
import { gatewayStatusPatch, GatewayStatusWriter, kubeTime } from '../../../controller/gateway/status-writer.js';
import type { GatewayStatus } from '../../../controller/gateway/waypoint-status.js';

const GW_LABEL = 'gateway.networking.k8s.io/gateway-name';

function gateway(name: string, rv: string, extra: { className?: string; status?: unknown } = {}): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name, namespace: 'shop', resourceVersion: rv, generation: 2 },
    spec: { gatewayClassName: extra.className ?? 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    ...(extra.status !== undefined ? { status: extra.status as Record<string, unknown> } : {}),
  };
}

const service = (name: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' },
  spec: { selector: { [GW_LABEL]: name }, clusterIP: '10.96.0.30', ports: [{ port: 15008 }] },
});

const pod = (name: string, gw: string, ready: boolean): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { [GW_LABEL]: gw } },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ name: 'waypoint', ready, state: { running: {} } }] },
});

class MemoryView implements ConfigView {
  constructor(public objects: KubeObject[]) {}
  list(kind: string): readonly KubeObject[] {
    return this.objects.filter((o) => groupKind(o) === kind);
  }
  get(kind: string, ns: string, name: string): KubeObject | undefined {
    return this.objects.find((o) => groupKind(o) === kind && o.metadata.namespace === ns && o.metadata.name === name);
  }
  replace(o: KubeObject): void {
    this.objects = [...this.objects.filter((x) => !(groupKind(x) === groupKind(o) && x.metadata.name === o.metadata.name)), o];
  }
}

interface Sent { obj: KubeObject; status: GatewayStatus }

function writer(view: ConfigView, opts: { fail?: (obj: KubeObject) => boolean; clock?: { now: Date } } = {}): { w: GatewayStatusWriter; sent: Sent[] } {
  const sent: Sent[] = [];
  let rv = 1000;
  const w = new GatewayStatusWriter({
    view, log: pino({ level: 'silent' }), now: () => opts.clock?.now ?? new Date('2024-05-01T00:00:00.123Z'),
    applyStatus: (obj) => {
      if (opts.fail?.(obj)) return Promise.reject(new Error('HTTP 500'));
      sent.push({ obj, status: obj.status as unknown as GatewayStatus });
      return Promise.resolve({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv) } });
    },
  });
  return { w, sent };
}

const signal = new AbortController().signal;
const programmed = (s: GatewayStatus | undefined): string | undefined => {
  const c = s?.conditions.find((x) => x.type === 'Programmed');
  return c && `${c.status}/${c.reason}@${c.lastTransitionTime ?? ''}`;
};

test('status writer: the status subresource body names the Gateway and carries the status only', (t) => {
  const status: GatewayStatus = { addresses: [], conditions: [], listeners: [] };
  const gw = { ...gateway('wp', '7'), metadata: { ...gateway('wp', '7').metadata, labels: { a: 'b' }, uid: 'u' } };
  t.deepEqual(gatewayStatusPatch(gw, status), {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'wp', namespace: 'shop' }, status: { addresses: [], conditions: [], listeners: [] },
  });
  t.is(kubeTime(new Date('2024-05-01T00:00:00.999Z')), '2024-05-01T00:00:00Z');
});

test('status writer: writes once, then nothing while the write is on its way back or once the object holds it', async (t) => {
  const view = new MemoryView([gateway('wp', '10'), service('wp'), pod('wp-1', 'wp', true)]);
  const { w, sent } = writer(view);
  t.is(await w.writeAll(signal), 0);
  t.is(sent.length, 1);
  t.is(programmed(sent[0]?.status), 'True/Programmed@2024-05-01T00:00:00Z');
  t.true(sent[0]!.status.conditions.every((c) => c.observedGeneration === 2));

  t.is(await w.writeAll(signal), 0); // the store still has resourceVersion 10
  t.is(sent.length, 1);
  view.replace(gateway('wp', '1001', { status: sent[0]!.status })); // the watch brought our write back
  t.is(await w.writeAll(signal), 0);
  t.is(sent.length, 1);
});

test('status writer: a pod becoming not ready writes Programmed False; Accepted keeps its lastTransitionTime', async (t) => {
  const clock = { now: new Date('2024-05-01T00:00:00Z') };
  const view = new MemoryView([gateway('wp', '10'), service('wp'), pod('wp-1', 'wp', true)]);
  const { w, sent } = writer(view, { clock });
  await w.writeAll(signal);
  clock.now = new Date('2024-05-01T00:10:00Z');
  view.replace(pod('wp-1', 'wp', false)); // before the Gateway's watch event came back: the last write is the previous status
  await w.writeAll(signal);
  t.is(sent.length, 2);
  t.is(programmed(sent[1]?.status), 'False/Pending@2024-05-01T00:10:00Z');
  t.is(sent[1]?.status.conditions.find((c) => c.type === 'Accepted')?.lastTransitionTime, '2024-05-01T00:00:00Z');
});

test('status writer: someone else changed the status: it is written again', async (t) => {
  const view = new MemoryView([gateway('wp', '10'), service('wp'), pod('wp-1', 'wp', true)]);
  const { w, sent } = writer(view);
  await w.writeAll(signal);
  view.replace(gateway('wp', '2000', { status: { conditions: [{ type: 'Programmed', status: 'False', reason: 'Invalid', message: 'x', lastTransitionTime: '2020-01-01T00:00:00Z' }] } }));
  await w.writeAll(signal);
  t.is(sent.length, 2);
});

test('status writer: other classes get nothing; a failure is counted and the other Gateways are written', async (t) => {
  const view = new MemoryView([
    gateway('a', '10'), gateway('b', '11'), gateway('ingress', '12', { className: 'istio' }),
    service('a'), service('b'), pod('a-1', 'a', true), pod('b-1', 'b', true),
  ]);
  let failA = true;
  const { w, sent } = writer(view, { fail: (obj) => failA && obj.metadata.name === 'a' });
  t.is(await w.writeAll(signal), 1);
  t.deepEqual(sent.map((s) => s.obj.metadata.name), ['b']);
  failA = false;
  t.is(await w.writeAll(signal), 0); // the retry
  t.deepEqual(sent.map((s) => s.obj.metadata.name), ['b', 'a']);
});
