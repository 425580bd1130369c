// The latency pictures next to the JSON report, drawn from the chart data a case returns in
// the raw figures of one of its results (`raw.latencyVsRate`), named by `raw.latencyChartName`
// (default "latency"): B1's bench/results/latency.svg, B6's bench/results/waypoint-latency.svg,
// each also as bench/results/<start time>-<name>.svg. Nothing is written when no result carries one.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchResult } from '../result.js';
import { isLatencyChart, latencySvg, type LatencyChart } from './latency-svg.js';

const DEFAULT_NAME = 'latency';
const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Every chart in the results with its file name (without .svg); the first of a name wins. */
export function latencyChartsOf(results: readonly BenchResult[]): { name: string; chart: LatencyChart }[] {
  const out: { name: string; chart: LatencyChart }[] = [];
  for (const r of results) {
    const chart = r.raw.latencyVsRate;
    if (!isLatencyChart(chart)) continue;
    const given = r.raw.latencyChartName;
    const name = typeof given === 'string' && NAME.test(given) ? given : DEFAULT_NAME;
    if (!out.some((c) => c.name === name)) out.push({ name, chart });
  }
  return out;
}

/** The first chart in the results. */
export function latencyChartOf(results: readonly BenchResult[]): LatencyChart | undefined {
  return latencyChartsOf(results)[0]?.chart;
}

/** Returns the paths written (none without chart data). */
export function writeLatencySvg(dir: string, startedAt: string, results: readonly BenchResult[]): string[] {
  const files: string[] = [];
  for (const { name, chart } of latencyChartsOf(results)) {
    const svg = latencySvg({ ...chart, footnote: `make bench run of ${startedAt}` });
    mkdirSync(dir, { recursive: true });
    for (const f of [path.join(dir, `${name}.svg`), path.join(dir, `${startedAt.replace(/[:.]/g, '-')}-${name}.svg`)]) {
      writeFileSync(f, svg);
      files.push(f);
    }
  }
  return files;
}
