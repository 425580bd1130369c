// The latency picture next to the JSON report: bench/results/latency.svg and
// bench/results/<start time>-latency.svg, drawn from the chart data B1 returns in the
// raw figures of its sweep (`raw.latencyVsRate`). Nothing is written when no result carries it.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchResult } from '../result.js';
import { isLatencyChart, latencySvg, type LatencyChart } from './latency-svg.js';

export function latencyChartOf(results: readonly BenchResult[]): LatencyChart | undefined {
  for (const r of results) {
    const chart = r.raw.latencyVsRate;
    if (isLatencyChart(chart)) return chart;
  }
  return undefined;
}

/** Returns the paths written (none without chart data). */
export function writeLatencySvg(dir: string, startedAt: string, results: readonly BenchResult[]): string[] {
  const chart = latencyChartOf(results);
  if (!chart) return [];
  const svg = latencySvg({ ...chart, footnote: `make bench run of ${startedAt}` });
  mkdirSync(dir, { recursive: true });
  const files = [path.join(dir, 'latency.svg'), path.join(dir, `${startedAt.replace(/[:.]/g, '-')}-latency.svg`)];
  for (const f of files) writeFileSync(f, svg);
  return files;
}
