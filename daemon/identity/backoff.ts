// Retry delays: exponential from initialMs, capped at maxMs, with jitter in the upper half.

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000 };

/** Delay before retry number `attempt` (1 = first retry): in [d/2, d], d = min(max, initial·2^(attempt-1)). */
export function backoffDelay(b: Backoff, attempt: number, random: () => number = Math.random): number {
  const d = Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, attempt - 1));
  return d / 2 + random() * (d / 2);
}
