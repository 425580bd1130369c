// KubeSource on "410 Gone / too old resource version": re-list and deliver the full
// list with replace, so that objects deleted while the watch was broken disappear.
import test from 'ava';
import { POD, harness, nthWatchRv, pod } from './kube-harness.js';
import type { FakeKubeApiServer } from '../../support/fake-kube-apiserver.js';

type Breaker = (fake: FakeKubeApiServer) => void;

const cases: [string, Breaker, Breaker][] = [
  [
    'an ERROR event with a 410 Expired Status',
    (fake) => fake.expireNextWatch('v1', 'Pod'),
    () => undefined,
  ],
  [
    'compacted history answered with an ERROR 410 event',
    () => undefined,
    (fake) => fake.compact('event'),
  ],
  [
    'compacted history answered with HTTP 410',
    () => undefined,
    (fake) => fake.compact('http'),
  ],
];

for (const [name, beforeDrop, afterChanges] of cases) {
  test(`on ${name}: re-lists, delivers with replace, and an object deleted meanwhile disappears`, async (t) => {
    const { fake, source, sink, logs } = await harness(t, { watch: [POD], objects: [pod('keep'), pod('gone')] });
    await source.start(sink);
    const firstRv = await nthWatchRv(fake, POD, 1);
    await fake.waitFor(() => fake.openWatchCount('v1', 'Pod') === 1);

    // Break the watch; while it is down, one pod is deleted and one created.
    beforeDrop(fake);
    fake.dropWatches({ abrupt: true });
    fake.delete('v1', 'Pod', 'gone', 'default');
    fake.put(pod('new'));
    afterChanges(fake);

    await sink.waitFor(() => sink.replacesFor('kube:Pod').length === 2);
    t.deepEqual(sink.names('kube:Pod'), ['default/keep', 'default/new']);
    t.deepEqual(
      sink.replacesFor('kube:Pod').map((r) => r.map((o) => o.metadata.name)),
      [
        ['gone', 'keep'],
        ['keep', 'new'],
      ],
    );
    t.deepEqual(sink.eventsFor('kube:Pod'), [], 'the deletion was seen through the re-list, not as an event');
    t.is(await nthWatchRv(fake, POD, 2), firstRv, 'the broken watch resumed from the old resourceVersion');
    t.is(fake.listRequests('v1', 'Pod').length, 2);
    t.true(logs.some((l) => l.origin === 'kube:Pod' && /410/.test(l.msg)));

    // After the re-list it watches from the new list's resourceVersion.
    const relistRv = String(fake.store.resourceVersion);
    t.is(await nthWatchRv(fake, POD, 3), relistRv);
    fake.put(pod('later'));
    await sink.waitFor(() => sink.names('kube:Pod').includes('default/later'));
    t.deepEqual(
      sink.eventsFor('kube:Pod').map((e) => [e.type, e.object.metadata.name]),
      [['upsert', 'later']],
    );
  });
}

test('a 410 ERROR event on an open watch (not only on connect) also re-lists', async (t) => {
  const { fake, source, sink } = await harness(t, { watch: [POD], objects: [pod('a')] });
  await source.start(sink);
  await fake.waitFor(() => fake.openWatchCount('v1', 'Pod') === 1);

  fake.sendWatchError('v1', 'Pod', 410);
  await sink.waitFor(() => sink.replacesFor('kube:Pod').length === 2);
  t.is(fake.listRequests('v1', 'Pod').length, 2);
  t.deepEqual(sink.names('kube:Pod'), ['default/a']);
});
