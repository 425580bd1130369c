// KubeSource watches: ordered upsert/delete events, bookmarks, reconnects, resync.
import test from 'ava';
import { POD, harness, nthWatchRv, pod } from './kube-harness.js';

test('added, modified and deleted objects reach the sink in order as upsert/upsert/delete', async (t) => {
  const { fake, source, sink } = await harness(t, { watch: [POD] });
  await source.start(sink);
  await fake.waitFor(() => fake.openWatchCount('v1', 'Pod') === 1);

  const a1 = fake.put(pod('a', { v: '1' }));
  const a2 = fake.put(pod('a', { v: '2' }));
  const b = fake.put(pod('b'));
  const aDel = fake.delete('v1', 'Pod', 'a', 'default');

  const events = await sink.waitFor(() => (sink.eventsFor('kube:Pod').length === 4 ? sink.eventsFor('kube:Pod') : undefined));
  t.deepEqual(
    events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.labels?.v, e.object.metadata.resourceVersion]),
    [
      ['upsert', 'a', '1', a1.metadata.resourceVersion],
      ['upsert', 'a', '2', a2.metadata.resourceVersion],
      ['upsert', 'b', undefined, b.metadata.resourceVersion],
      ['delete', 'a', '2', aDel.metadata.resourceVersion],
    ],
  );
  for (const e of events) t.like(e.object, { apiVersion: 'v1', kind: 'Pod' });
  t.deepEqual(sink.names('kube:Pod'), ['default/b']);
  t.is(sink.replacesFor('kube:Pod').length, 1, 'only the initial list was a replace');
  t.is(source.resourceVersions().get('kube:Pod'), aDel.metadata.resourceVersion);
});

test('a BOOKMARK advances the resourceVersion the next watch starts from and emits nothing', async (t) => {
  const { fake, source, sink } = await harness(t, { watch: [POD], objects: [pod('a')] });
  await source.start(sink);
  const listRv = await nthWatchRv(fake, POD, 1);
  await fake.waitFor(() => fake.openWatchCount('v1', 'Pod') === 1);

  // Churn elsewhere moves the global resourceVersion past anything Pods have seen.
  fake.bumpResourceVersion();
  fake.bumpResourceVersion();
  const callsBefore = sink.calls.length;
  const bookmarkRv = fake.bookmark('v1', 'Pod');
  t.not(bookmarkRv, listRv);

  // Close the stream right behind the bookmark: the reconnect shows what the source remembered.
  fake.dropWatches();
  t.is(await nthWatchRv(fake, POD, 2), bookmarkRv);
  t.is(source.resourceVersions().get('kube:Pod'), bookmarkRv);
  t.is(sink.calls.length, callsBefore, 'a bookmark delivers nothing');
  t.is(fake.listRequests('v1', 'Pod').length, 1, 'no re-list');

  // The resumed watch still delivers.
  fake.put(pod('b'));
  await sink.waitFor(() => sink.names('kube:Pod').includes('default/b'));
  t.is(sink.calls.length, callsBefore + 1);
});

for (const abrupt of [false, true]) {
  test(`reconnects from the last resourceVersion after the server ${abrupt ? 'drops the connection' : 'ends the watch'}, without a re-list`, async (t) => {
    const { fake, source, sink } = await harness(t, { watch: [POD] });
    await source.start(sink);
    await fake.waitFor(() => fake.openWatchCount('v1', 'Pod') === 1);
    const p1 = fake.put(pod('p1'));
    await sink.waitFor(() => sink.names('kube:Pod').includes('default/p1'));

    t.is(fake.dropWatches({ abrupt }), 1);
    // Changes while disconnected are replayed from history on the new watch.
    fake.put(pod('p2'));
    fake.delete('v1', 'Pod', 'p1', 'default');

    t.is(await nthWatchRv(fake, POD, 2), String(p1.metadata.resourceVersion));
    await sink.waitFor(() => sink.names('kube:Pod').join() === 'default/p2');
    t.deepEqual(
      sink.eventsFor('kube:Pod').map((e) => [e.type, e.object.metadata.name]),
      [
        ['upsert', 'p1'],
        ['upsert', 'p2'],
        ['delete', 'p1'],
      ],
    );
    t.is(fake.listRequests('v1', 'Pod').length, 1);
    t.is(sink.replacesFor('kube:Pod').length, 1);
  });
}

test('reconnects with backoff while the API server refuses watches, then resumes', async (t) => {
  const { fake, source, sink, logs } = await harness(t, { watch: [POD] });
  await source.start(sink);
  await fake.waitFor(() => fake.openWatchCount('v1', 'Pod') === 1);
  // Answer the next watches with an ERROR event that is not a 410 (e.g. 500 InternalError).
  fake.failNextWatches('v1', 'Pod', 2);
  fake.dropWatches();
  await fake.waitFor(() => fake.watchRequests('v1', 'Pod').length === 4 && fake.openWatchCount('v1', 'Pod') === 1);
  t.is(fake.listRequests('v1', 'Pod').length, 1, 'a non-410 error does not re-list');
  fake.put(pod('after'));
  await sink.waitFor(() => sink.names('kube:Pod').includes('default/after'));
  const failures = logs.filter((l) => l.level === 40 && l.msg.startsWith('watch failed'));
  t.deepEqual(
    failures.map((l) => l.statusCode),
    [500, 500],
  );
});

test('a resync period re-lists and delivers the full list with replace', async (t) => {
  const { fake, source, sink } = await harness(t, { watch: [POD], objects: [pod('a')], source: { resyncPeriodMs: 30 } });
  await source.start(sink);
  await sink.waitFor(() => sink.replacesFor('kube:Pod').length >= 3);
  t.true(fake.listRequests('v1', 'Pod').length >= 3);
  t.deepEqual(
    sink.replacesFor('kube:Pod').map((r) => r.map((o) => o.metadata.name)),
    sink.replacesFor('kube:Pod').map(() => ['a']),
  );
});
