// Small helpers shared by the L4 cases: median/min/max over repetitions, compact
// per-process CPU/RSS figures from a /proc window, and rounding for the report.
import type { WindowResult } from '../../lib/proc-stats.js';
import { median, round } from '../../lib/stats.js';

export interface Spread { median: number; min: number; max: number; values: number[] }

export function spread(values: readonly number[], digits = 3): Spread {
  return {
    median: round(median(values), digits),
    min: round(Math.min(...values), digits),
    max: round(Math.max(...values), digits),
    values: values.map((v) => round(v, digits)),
  };
}

/** Per process: vCPU and RSS (MiB) over the window. */
export function processFigures(w: WindowResult): Record<string, { vcpu: number; cpuSeconds: number; rssMaxMiB: number; rssMedianMiB: number }> {
  return Object.fromEntries(Object.entries(w.byName).map(([name, p]) => [name, {
    vcpu: round(p.vcpu, 4), cpuSeconds: round(p.cpuSeconds, 2), rssMaxMiB: round(p.rssMaxMiB, 1), rssMedianMiB: round(p.rssMedianMiB, 1),
  }]));
}

export function caseLog(id: string): (message: string) => void {
  return (message) => process.stderr.write(`  [${id}] ${message}\n`);
}

/** Every number of a flat record of figures, rounded. */
export function rounded(figures: object, digits = 3): Record<string, number> {
  return Object.fromEntries(Object.entries(figures as Record<string, number>).map(([k, v]) => [k, round(v, digits)]));
}

/** `items` rotated left by `by`: each repetition measures the modes in another order, so a drift of the machine does not always favour the same one. */
export function rotated<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The percentiles the latency cases report. */
export type Pct = 'p50' | 'p90' | 'p99';
export const PCTS: readonly Pct[] = ['p50', 'p90', 'p99'];

/** One line of a latency picture: a mode, its legend name and colour. */
export interface SeriesStyle<M extends string> {
  mode: M;
  name: string;
  color: string;
}
