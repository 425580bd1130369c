// KubeSource.stop(): every watch ends, nothing is delivered afterwards, nothing keeps
// the process alive; stop() during start() makes start() reject.
import test from 'ava';
import { pino } from 'pino';
import { isAmbitError } from '../../../api/errors.js';
import { WATCHED_KINDS } from '../../../controller/sources/kube/kinds.js';
import { KubeSource } from '../../../controller/sources/kube/kube-source.js';
import { FakeKubeApiServer } from '../../support/fake-kube-apiserver.js';
import { harness, pod } from './kube-harness.js';
import { RecordingSink } from './recording-sink.js';

// Serial: the last check looks at the process's active handles.
test.serial('stop() ends every watch, delivers nothing afterwards and leaves no open handles', async (t) => {
  const { fake, source, sink } = await harness(t);
  await source.start(sink);
  await fake.waitFor(() => fake.openWatchCount() === WATCHED_KINDS.length);

  await source.stop();
  await fake.waitFor(() => fake.openWatchCount() === 0);
  const calls = sink.calls.length;
  const requests = fake.requests.length;
  fake.put(pod('after-stop'));
  fake.bookmark('v1', 'Pod');
  t.is(sink.calls.length, calls);

  await fake.close();
  t.is(fake.requests.length, requests, 'no request after stop()');
  // Handles are released in the close phase of a later loop turn: let a bounded number
  // of turns pass, then nothing that keeps the process alive may remain.
  const active = (): string[] => process.getActiveResourcesInfo().filter((r) => /TCP|Timeout|Timer|CloseReq/.test(r));
  for (let turn = 0; turn < 50 && active().length > 0; turn++) await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(active(), []);
});

test.serial('stop() while the API server is unreachable rejects the pending start() with AMBIT_ERR_KUBE_WATCH', async (t) => {
  // Take an ephemeral port and free it: connections to it are refused.
  const gone = await FakeKubeApiServer.start();
  const kubeConfig = gone.kubeConfig();
  await gone.close();

  const source = new KubeSource({ kubeConfig, logger: pino({ level: 'silent' }), backoff: { initialMs: 5, maxMs: 20 } });
  const started = source.start(new RecordingSink());
  const outcome = started.then(
    () => 'resolved',
    (err: unknown) => err,
  );
  await source.stop();
  const err = await outcome;
  t.true(isAmbitError(err, 'AMBIT_ERR_KUBE_WATCH'), String(err));
});
