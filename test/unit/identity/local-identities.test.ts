// IdentityManager.setLocalIdentities: prefetch for the node's workloads, forget the
// rest; and localIdentities(), which derives that list from the daemon's state.
import test from 'ava';
import type { Workload } from '../../../api/model.js';
import { localIdentities } from '../../../daemon/identity/local-identities.js';
import { ProxyState } from '../../../daemon/state/proxy-state.js';
import { HTTPBIN, REVIEWS, SLEEP, settle, setup } from './support.js';

test('local identities are prefetched, once', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  s.manager.setLocalIdentities([HTTPBIN, SLEEP]);
  await settle();
  t.truthy(s.manager.cached(HTTPBIN));
  t.truthy(s.manager.cached(SLEEP));
  t.is(s.fake.calls.length, 2);
  s.manager.setLocalIdentities([SLEEP, HTTPBIN, HTTPBIN]);
  await settle();
  t.is(s.fake.calls.length, 2, 'already held: nothing fetched');
  t.deepEqual(s.manager.snapshot().map((r) => [r.identity, r.state, r.local]), [
    ['spiffe://cluster.local/ns/default/sa/httpbin', 'valid', true],
    ['spiffe://cluster.local/ns/default/sa/sleep', 'valid', true],
  ]);
});

test('identities no longer local are forgotten and no longer renewed', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  s.manager.setLocalIdentities([HTTPBIN, SLEEP]);
  await settle();
  s.manager.setLocalIdentities([SLEEP]);
  t.is(s.manager.cached(HTTPBIN), undefined);
  t.deepEqual(s.manager.snapshot().map((r) => r.identity), ['spiffe://cluster.local/ns/default/sa/sleep']);
  await s.clock.advance(2 * 3600_000);
  t.is(s.fake.callsFor(HTTPBIN), 1);
  t.true(s.fake.callsFor(SLEEP) >= 3, 'the local one keeps being renewed');
  t.truthy(s.manager.cached(SLEEP));
});

test('an on-demand identity is forgotten by the next update that does not list it', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  await s.manager.certificate(REVIEWS);
  t.is(s.manager.snapshot()[0]?.local, false);
  s.manager.setLocalIdentities([HTTPBIN]);
  await settle();
  t.is(s.manager.cached(REVIEWS), undefined);
  t.deepEqual(s.manager.snapshot().map((r) => r.identity), ['spiffe://cluster.local/ns/default/sa/httpbin']);
});

test('an identity dropped while its request is in flight is forgotten once the request settles; its caller still gets it', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  const release = s.fake.hold();
  s.manager.setLocalIdentities([REVIEWS]);
  const waiting = s.manager.certificate(REVIEWS);
  s.manager.setLocalIdentities([]);
  t.deepEqual(s.manager.snapshot().map((r) => [r.identity, r.state, r.local]), [['spiffe://cluster.local/ns/bookinfo/sa/reviews', 'fetching', false]]);
  release();
  const cert = await waiting;
  t.is(cert.spiffeId, 'spiffe://cluster.local/ns/bookinfo/sa/reviews');
  await settle();
  t.deepEqual(s.manager.snapshot(), []);
  t.is(s.manager.cached(REVIEWS), undefined);
  t.is(s.clock.pendingTimers, 0, 'nothing scheduled for it');
  t.is(s.fake.calls.length, 1);
});

test('a failed prefetch is retried with backoff until it succeeds', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  s.fake.refuse.add('httpbin');
  s.manager.setLocalIdentities([HTTPBIN]);
  await settle();
  t.is(s.fake.calls.length, 1);
  t.is(s.manager.snapshot()[0]?.state, 'failed');
  t.regex(s.manager.snapshot()[0]?.lastError?.message ?? '', /refused httpbin/);
  s.manager.setLocalIdentities([HTTPBIN]);
  await settle();
  t.is(s.fake.calls.length, 1, 'an update does not bypass the backoff');
  await s.clock.advance(750);
  t.is(s.fake.calls.length, 2);
  s.fake.refuse.delete('httpbin');
  await s.clock.advance(1500);
  t.is(s.fake.calls.length, 3);
  t.truthy(s.manager.cached(HTTPBIN));
});

function workload(name: string, node: string, ns: string, sa: string, trustDomain = 'cluster.local'): Workload {
  return {
    uid: `Kubernetes//Pod/${ns}/${name}`, name, namespace: ns, addresses: [], node, serviceAccount: sa, trustDomain,
    tunnelProtocol: 'HBONE', services: {}, waypoint: null, canonicalName: name, canonicalRevision: 'v1', workloadName: name,
    authorizationPolicies: [], status: 'HEALTHY', labels: {},
  };
}

test('localIdentities lists the identities of the mesh workloads on one node, once each', (t) => {
  const state = new ProxyState();
  state.mesh = { ...state.mesh, trustDomain: 'example.org' };
  for (const w of [
    workload('httpbin-1', 'node-1', 'default', 'httpbin'),
    workload('httpbin-2', 'node-1', 'default', 'httpbin'),
    workload('reviews-1', 'node-1', 'bookinfo', 'reviews', ''),
    workload('sleep-1', 'node-2', 'default', 'sleep'),
    { ...workload('legacy-1', 'node-1', 'legacy', 'sleep'), tunnelProtocol: 'NONE' as const },
  ]) state.workloadsByUid.set(w.uid, w);
  t.deepEqual(localIdentities(state, 'node-1'), [
    { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'httpbin' },
    { trustDomain: 'example.org', namespace: 'bookinfo', serviceAccount: 'reviews' },
  ]);
  t.deepEqual(localIdentities(state, 'node-3'), []);
});
