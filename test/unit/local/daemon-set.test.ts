// DaemonSet restart backoff (table tests).
import test from 'ava';
import { MAX_RESTART_DELAY_MS, STABLE_RUN_MS, nextFailureCount, restartDelayMs } from '../../../cli/local/daemon-set.js';

test('restartDelayMs doubles from 0.5 s up to the cap', (t) => {
  const cases: [number, number][] = [[0, 500], [1, 500], [2, 1000], [3, 2000], [5, 8000], [6, MAX_RESTART_DELAY_MS], [50, MAX_RESTART_DELAY_MS]];
  for (const [failures, ms] of cases) t.is(restartDelayMs(failures), ms, `failure ${failures}`);
});

test('nextFailureCount: a stable run starts a new series', (t) => {
  const cases: [number, number, number][] = [[0, 100, 1], [3, 100, 4], [3, STABLE_RUN_MS - 1, 4], [3, STABLE_RUN_MS, 1], [9, 3_600_000, 1]];
  for (const [previous, ran, want] of cases) t.is(nextFailureCount(previous, ran), want, `${previous} after ${ran} ms`);
});
