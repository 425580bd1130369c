// Wall-clock scheduling with injectable timers: run a function at an absolute time of
// the injected clock. Delays longer than setTimeout allows (~24.8 days; certificates
// may live 90) are chained, and a timer that fires early is re-armed.

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: pending rotations never keep the process alive. */
export const nodeTimers: Timers = {
  setTimeout(fn, ms) {
    return setTimeout(fn, ms).unref();
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export const MAX_TIMER_MS = 2 ** 31 - 1;

export type Cancel = () => void;

/** Call `fn` once `now() >= dueMs` (never synchronously); returns a cancel function. */
export function scheduleAt(timers: Timers, now: () => number, dueMs: number, fn: () => void): Cancel {
  let handle: unknown;
  let done = false;
  const arm = (): void => {
    const delay = Math.min(Math.max(0, dueMs - now()), MAX_TIMER_MS);
    handle = timers.setTimeout(() => {
      if (done) return;
      if (now() < dueMs) return arm();
      done = true;
      fn();
    }, delay);
  };
  arm();
  return () => {
    if (done) return;
    done = true;
    timers.clearTimeout(handle);
  };
}
