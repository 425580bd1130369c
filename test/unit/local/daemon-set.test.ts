// DaemonSet restart backoff (table tests).
import test from 'ava';
import { MAX_RESTART_DELAY_MS, STABLE_RUN_MS, nextFailureCount, restartDelayMs } from '../../../cli/local/daemon-set.js';

test('restartDelayMs: the first restart at once, then doubling from 0.5 s up to the cap', (t) => {
  const cases: [number, number][] = [[0, 0], [1, 0], [2, 500], [3, 1000], [4, 2000], [6, 8000], [7, MAX_RESTART_DELAY_MS], [50, MAX_RESTART_DELAY_MS]];
  for (const [failures, ms] of cases) t.is(restartDelayMs(failures), ms, `failure ${failures}`);
});

test('nextFailureCount: a stable run starts a new series', (t) => {
  const cases: [number, number, number][] = [[0, 100, 1], [3, 100, 4], [3, STABLE_RUN_MS - 1, 4], [3, STABLE_RUN_MS, 1], [9, 3_600_000, 1]];
  for (const [previous, ran, want] of cases) t.is(nextFailureCount(previous, ran), want, `${previous} after ${ran} ms`);
});
