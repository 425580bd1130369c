// A precise ticker for the open-loop load generator, on its own thread: it sleeps with
// Atomics.wait (microsecond timeouts, no CPU while waiting) until each intended send
// time and posts the tick's index to the main thread (an immediate event-loop wake-up).
// Node's own timers fire on millisecond boundaries, which would add up to 1 ms of
// jitter to every request; this adds ~0.1 ms. Times are process.hrtime (one clock for
// every thread) in ms since `base`. The first message is { startMs }, the time of tick 0.
import { parentPort, workerData } from 'node:worker_threads';

export interface TickerData {
  base: bigint;
  intervalMs: number;
  count: number;
  /** Int32 flag: set to 1 (and notified) to stop early. */
  stop: SharedArrayBuffer;
}

export type TickerMessage = number | { startMs: number };

const LEAD_MS = 5;               // tick 0 this long after the worker is up
const MAX_WAITS_PER_TICK = 1000; // bounded: Atomics.wait returns early only on notify or spurious wake-ups

const data = workerData as TickerData;
const flag = new Int32Array(data.stop);
const now = (): number => Number(process.hrtime.bigint() - data.base) / 1e6;
const startMs = now() + LEAD_MS;
const post = (m: TickerMessage): void => parentPort?.postMessage(m);
post({ startMs });

for (let i = 0; i < data.count && Atomics.load(flag, 0) === 0; i++) {
  const due = startMs + i * data.intervalMs;
  for (let k = 0; k < MAX_WAITS_PER_TICK; k++) {
    const left = due - now();
    if (left <= 0 || Atomics.load(flag, 0) !== 0) break;
    Atomics.wait(flag, 0, 0, left);
  }
  post(i);
}
