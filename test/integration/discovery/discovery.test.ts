// Discovery over real gRPC + TLS: snapshot, deltas, NACK, reconnect, authentication.
import test from 'ava';
import { waitFor, startHarness } from '../../support/controller-harness.js';
import { namespace, pod, service } from '../../support/objects.js';
import type { StateUpdate, StateUpdater } from '../../../daemon/state/discovery-client.js';
import { ProxyState } from '../../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../../daemon/state/proxy-state-updater.js';

const base = [
  namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
  pod('httpbin-1', { ip: '10.244.1.2', node: 'node-1', sa: 'httpbin', labels: { app: 'httpbin' } }),
  pod('sleep-1', { ip: '10.244.2.2', node: 'node-2', sa: 'sleep', labels: { app: 'sleep' } }),
  service('httpbin', { vip: '10.96.0.10', port: 8000, targetPort: 8080, selector: { app: 'httpbin' } }),
];

test('a daemon receives the full snapshot on connect, then deltas in order', async (t) => {
  const h = await startHarness(base);
  t.teardown(() => h.close());
  const { client, state } = h.connect('node-1');
  await waitFor(() => client.synced, 5000, 'first sync');
  t.is(state.workloadsByIp.get('10.244.1.2')?.serviceAccount, 'httpbin');
  t.is(state.serviceByVip('10.96.0.10')?.hostname, 'httpbin.default.svc.cluster.local');
  t.deepEqual(state.workloadsByIp.get('10.244.1.2')?.services['default/httpbin.default.svc.cluster.local']?.ports, [{ servicePort: 8000, targetPort: 8080 }]);
  t.true(state.policiesByKey.has('istio-system/istio_converted_static_strict'));
  const firstVersion = Number(state.version);

  const versions: number[] = [];
  client.on('applied', (v: string) => versions.push(Number(v)));
  h.source.set([...base, pod('httpbin-2', { ip: '10.244.2.3', node: 'node-2', sa: 'httpbin', labels: { app: 'httpbin' } })]);
  await waitFor(() => state.workloadsByIp.has('10.244.2.3'), 5000, 'added pod');
  h.source.set(base);
  await waitFor(() => !state.workloadsByIp.has('10.244.2.3'), 5000, 'removed pod');
  t.true(versions.length >= 2);
  t.true(versions.every((v, i) => v > (i === 0 ? firstVersion : versions[i - 1]!)), `versions increase: ${versions.join(',')}`);
  t.is(state.workloadsByUid.size, 2);
});

test('a burst of changes is debounced and the daemon ends on the latest state', async (t) => {
  const h = await startHarness(base);
  t.teardown(() => h.close());
  const { client, state } = h.connect('node-2');
  await waitFor(() => client.synced, 5000, 'first sync');
  let applied = 0;
  client.on('applied', () => applied++);
  for (let i = 0; i < 50; i++) {
    h.source.set([...base, pod(`burst-${i}`, { ip: `10.244.2.${10 + i}`, node: 'node-2', labels: { app: 'httpbin' } })]);
  }
  await waitFor(() => state.workloadsByIp.has('10.244.2.59'), 5000, 'last burst pod');
  await new Promise((r) => setTimeout(r, 100));
  t.is(state.workloadsByUid.size, 3, 'only the last burst pod remains');
  t.true(applied < 50, `burst coalesced into ${applied} updates`);
});

test('a daemon NACKs a resource it cannot use; the rest still applies and the controller records the NACK', async (t) => {
  const h = await startHarness(base);
  t.teardown(() => h.close());
  const state = new ProxyState();
  const inner = new ProxyStateUpdater(state);
  const picky: StateUpdater = {
    apply(update: StateUpdate) {
      const refused = update.upserts.filter((r) => r.kind === 'WORKLOAD' && r.value.name === 'sleep-1');
      const result = inner.apply({ ...update, upserts: update.upserts.filter((r) => !refused.includes(r)) });
      return { rejected: [...result.rejected, ...refused.map((r) => ({ ref: { kind: r.kind, name: r.name }, reason: 'test refuses sleep' }))] };
    },
  };
  const { client } = h.connect('node-1', { updater: picky });
  await waitFor(() => client.synced, 5000, 'first sync');
  await waitFor(() => [...h.controller.sessions].some((s) => s.lastNack?.includes('test refuses sleep') === true), 5000, 'NACK recorded');
  t.true(state.workloadsByIp.has('10.244.1.2'));
  t.false(state.workloadsByIp.has('10.244.2.2'));
  const metrics = await h.controller.metrics.registry.getSingleMetricAsString('ambit_xds_nacks_total');
  t.regex(metrics, /ambit_xds_nacks_total\{node="node-1"\} 1/);
});

test('the daemon keeps its last-known-good state while the controller is away and resyncs after it returns', async (t) => {
  const h = await startHarness(base);
  t.teardown(() => h.close());
  const { client, state } = h.connect('node-1');
  await waitFor(() => client.synced, 5000, 'first sync');
  let disconnected = false;
  client.once('disconnected', () => { disconnected = true; });
  const restarting = h.restart();
  await waitFor(() => disconnected, 5000, 'disconnect');
  t.true(state.workloadsByIp.has('10.244.1.2'), 'state kept while disconnected');
  await restarting;
  h.source.set([...base, pod('late', { ip: '10.244.1.9', node: 'node-1' })]);
  h.controller.rebuild();
  await waitFor(() => state.workloadsByIp.has('10.244.1.9'), 10000, 'resync after restart');
  t.true(client.connected);
});

test('an unauthenticated stream is refused, and so is a token used for another node', async (t) => {
  const h = await startHarness(base);
  t.teardown(() => h.close());
  const anon = h.connect('node-1', { token: 'not-a-token' });
  const impostor = h.connect('node-2', { token: h.token('node-1') });
  await new Promise((r) => setTimeout(r, 300));
  t.false(anon.client.synced);
  t.is(anon.state.workloadsByUid.size, 0);
  t.false(impostor.client.synced);
  t.is(h.controller.sessions.size, 0);
});
