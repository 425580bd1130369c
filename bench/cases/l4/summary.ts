// Nearest-rank percentiles of a latency sample (same rule as bench/lib/stats.ts), for
// typed arrays of tens of thousands of values.
import type { LatencySummary } from './messages.js';

export function sortedCopy(samples: Float64Array): Float64Array {
  return Float64Array.from(samples).sort();
}

/** Nearest-rank percentile (p in 0..100) of already sorted samples; NaN when empty. */
export function rank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const r = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, r) - 1]!;
}

export function summarize(samples: Float64Array): LatencySummary {
  const s = sortedCopy(samples);
  return { p50: rank(s, 50), p90: rank(s, 90), p99: rank(s, 99), max: s.length > 0 ? s[s.length - 1]! : Number.NaN };
}

/** p50/p90/p99/max over the completed requests' latencies plus `unanswered` requests counted as infinitely late (open loop). */
export function percentiles(samplesMs: Float64Array, unanswered: number): LatencySummary {
  const all = new Float64Array(samplesMs.length + unanswered);
  all.set(samplesMs);
  all.fill(Number.POSITIVE_INFINITY, samplesMs.length);
  all.sort();
  return { p50: rank(all, 50), p90: rank(all, 90), p99: rank(all, 99), max: all[all.length - 1] ?? Number.NaN };
}
