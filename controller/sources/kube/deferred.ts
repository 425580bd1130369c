// Small promise helpers for the reflector loop: a settle-once deferred and an abortable sleep.
import { setTimeout as delay } from 'node:timers/promises';

export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
  settled: boolean;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const d: Deferred = {
    promise,
    settled: false,
    resolve: () => {
      d.settled = true;
      resolve();
    },
    reject: (err) => {
      d.settled = true;
      reject(err);
    },
  };
  return d;
}

export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted by stop(): the caller checks the signal
  }
}
