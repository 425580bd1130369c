// KubeSource initial lists: every kind delivered with replace before start() resolves,
// missing CRDs skipped (warned once, picked up when installed), pagination.
import test from 'ava';
import { WATCHED_KINDS, apiVersionOf, kubeOrigin } from '../../../controller/sources/kube/kinds.js';
import { CLUSTER_SCOPED_KINDS } from '../../../controller/config/resource.js';
import { POD, TELEMETRY, fakeKind, harness, nthWatchRv, pod } from './kube-harness.js';

test('start() resolves after every kind was listed and delivered with replace, apiVersion/kind set', async (t) => {
  const objects = WATCHED_KINDS.map((k, i) => ({
    apiVersion: apiVersionOf(k),
    kind: k.kind,
    metadata: { name: `obj-${i}`, ...(CLUSTER_SCOPED_KINDS.has(k.kind) ? {} : { namespace: 'ns1' }) },
    spec: { index: i },
  }));
  const { fake, source, sink } = await harness(t, { objects });

  await source.start(sink);

  t.is(new Set(WATCHED_KINDS.map(kubeOrigin)).size, WATCHED_KINDS.length, 'origins are distinct (two Gateway kinds)');
  for (const [i, k] of WATCHED_KINDS.entries()) {
    const origin = kubeOrigin(k);
    const replaces = sink.replacesFor(origin);
    t.is(replaces.length, 1, origin);
    const items = replaces[0]!;
    t.is(items.length, 1, origin);
    t.like(items[0], { apiVersion: apiVersionOf(k), kind: k.kind, metadata: { name: `obj-${i}` }, spec: { index: i } }, origin);
  }
  // The fake strips apiVersion/kind from list items, as the real server does; the
  // source put them back (checked above). Each kind then watches from its list's RV
  // with bookmarks on.
  const listRv = String(fake.store.resourceVersion); // nothing changed since the objects were created
  t.is(await nthWatchRv(fake, POD, 1), listRv);
  const watch = fake.watchRequests('v1', 'Pod')[0]!;
  t.is(watch.query.get('allowWatchBookmarks'), 'true');
  t.is(source.resourceVersions().get('kube:Pod'), listRv);
});

test('a kind whose list answers 404 (CRD not installed) does not block start, is warned about once, and is picked up once installed', async (t) => {
  const served = WATCHED_KINDS.filter((k) => k !== TELEMETRY);
  const { fake, source, sink, logs } = await harness(t, { serve: served, objects: [pod('p1')] });
  const origin = kubeOrigin(TELEMETRY);
  const telemetryLists = (): number => fake.requests.filter((r) => r.path === '/apis/telemetry.istio.io/v1/telemetries').length;

  await source.start(sink);
  t.deepEqual(sink.names('kube:Pod'), ['default/p1']);
  t.is(sink.callsFor(origin).length, 0);

  // It keeps retrying in the background; the warning is logged only once.
  await fake.waitFor(() => telemetryLists() >= 3);
  const warnings = logs.filter((l) => l.level === 40 && l.origin === origin);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!.msg, /not served/);

  fake.registerKind(fakeKind(TELEMETRY));
  fake.put({ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'mesh-default', namespace: 'istio-system' }, spec: {} });
  const items = await sink.waitFor(() => sink.replacesFor(origin).find((r) => r.length > 0));
  t.like(items[0], { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'mesh-default' } });

  // Now it watches like any other kind.
  fake.put({ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'second', namespace: 'istio-system' }, spec: {} });
  await sink.waitFor(() => sink.names(origin).includes('istio-system/second'));
  t.is(sink.eventsFor(origin).at(-1)?.type, 'upsert');
});

test('a CRD removed at run time clears its objects with replace([])', async (t) => {
  const { fake, source, sink } = await harness(t, {
    watch: [TELEMETRY],
    objects: [{ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'x', namespace: 'ns' }, spec: {} }],
  });
  const origin = kubeOrigin(TELEMETRY);
  await source.start(sink);
  t.deepEqual(sink.names(origin), ['ns/x']);
  await fake.waitFor(() => fake.openWatchCount() === 1);

  fake.unregisterKind('telemetry.istio.io', 'telemetries');

  await sink.waitFor(() => sink.replacesFor(origin).length === 2);
  t.deepEqual(sink.names(origin), []);
});

test('lists are paginated with limit/continue, and an expired continue token falls back to one full list', async (t) => {
  const pods = ['a', 'b', 'c', 'd', 'e'].map((n) => pod(n));
  const { fake, source, sink } = await harness(t, { watch: [POD], objects: pods, source: { pageSize: 2 } });

  await source.start(sink);
  t.deepEqual(sink.names('kube:Pod'), ['default/a', 'default/b', 'default/c', 'default/d', 'default/e']);
  t.is(sink.replacesFor('kube:Pod').length, 1, 'pages are delivered together as one replace');
  const lists = fake.listRequests('v1', 'Pod');
  t.deepEqual(
    lists.map((r) => [r.query.get('limit'), r.query.has('continue')]),
    [
      ['2', false],
      ['2', true],
      ['2', true],
    ],
  );

  // Re-list (forced by a 410) while the continue token expires after the first page.
  fake.put(pod('f'));
  fake.expireNextContinue();
  fake.expireNextWatch('v1', 'Pod');
  fake.dropWatches();
  await sink.waitFor(() => sink.replacesFor('kube:Pod').length === 2);
  t.deepEqual(sink.names('kube:Pod'), ['default/a', 'default/b', 'default/c', 'default/d', 'default/e', 'default/f']);
  const relists = fake.listRequests('v1', 'Pod').slice(3);
  t.deepEqual(
    relists.map((r) => [r.query.get('limit'), r.query.has('continue')]),
    [
      ['2', false],
      ['2', true],
      [null, false],
    ],
  );
});
