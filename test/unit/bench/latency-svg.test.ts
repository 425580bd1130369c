// The latency picture of `make bench` (bench/lib/latency-svg.ts): structure of the SVG
// for table-driven inputs, escaping, ticks, and reading chart data back from results.
import test from 'ava';
import { escapeXml, isLatencyChart, latencySvg, logTicks, niceBounds, tickLabel, type LatencyChart, type LatencyPoint } from '../../../bench/lib/latency-svg.js';
import { latencyChartOf } from '../../../bench/lib/write-latency-svg.js';
import type { BenchResult } from '../../../bench/result.js';

const pt = (rate: number, p50: number, p90: number, p99: number): LatencyPoint => ({ rate, p50, p90, p99 });
const rates = [250, 500, 1000, 2000];
const full = (scale: number): LatencyPoint[] => rates.map((r, i) => pt(r, 0.2 * scale + i * 0.01, 0.4 * scale + i * 0.02, 1.5 * scale + i * 0.1));

function count(svg: string, needle: RegExp): number {
  return (svg.match(needle) ?? []).length;
}

function chart(series: LatencyChart['series'], extra: Partial<LatencyChart> = {}): LatencyChart {
  return { title: 'L4 latency vs rate', series, ...extra };
}

test('one polyline per series and percentile with two or more drawable points', (t) => {
  const cases: { name: string; chart: LatencyChart; polylines: number; circles: number; skippedNote: boolean }[] = [
    {
      name: 'three modes, four rates',
      chart: chart([{ name: 'direct', points: full(1) }, { name: 'haproxy pair', points: full(1.5) }, { name: 'Ambit', points: full(2) }]),
      polylines: 9, circles: 36, skippedNote: false,
    },
    {
      name: 'two modes (haproxy unavailable)',
      chart: chart([{ name: 'direct', points: full(1) }, { name: 'Ambit', points: full(2) }]),
      polylines: 6, circles: 24, skippedNote: false,
    },
    {
      name: 'a single rate: points, no lines',
      chart: chart([{ name: 'direct', points: [pt(1000, 0.3, 0.4, 0.9)] }, { name: 'Ambit', points: [pt(1000, 0.5, 0.6, 1.2)] }]),
      polylines: 0, circles: 6, skippedNote: false,
    },
    {
      name: 'unanswered requests (Infinity), NaN and zero are left out and counted',
      chart: chart([{ name: 'Ambit', points: [pt(250, 0.5, 0.7, 1), pt(500, 0.5, 0.7, Number.POSITIVE_INFINITY), pt(1000, Number.NaN, 0.8, 0), pt(2000, 0.6, 0.9, 3)] }]),
      // p50: 3 points, p90: 4 points, p99: 2 points → 3 lines; 9 circles
      polylines: 3, circles: 9, skippedNote: true,
    },
    {
      name: 'a percentile with one drawable point has no line',
      chart: chart([{ name: 'Ambit', points: [pt(250, 0.5, 0.7, Number.NaN), pt(500, 0.5, 0.7, 2)] }]),
      polylines: 2, circles: 5, skippedNote: true,
    },
  ];
  for (const c of cases) {
    const svg = latencySvg(c.chart);
    t.is(count(svg, /<polyline /g), c.polylines, `${c.name}: polylines`);
    t.is(count(svg, /<circle /g), c.circles, `${c.name}: circles`);
    t.is(svg.includes('class="note"'), c.skippedNote, `${c.name}: note`);
    t.is(count(svg, /<g class="series"/g), c.chart.series.length, `${c.name}: series groups`);
    t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), c.name);
    t.true(svg.trimEnd().endsWith('</svg>'), c.name);
    t.is(count(svg, /<text[ >]/g), count(svg, /<\/text>/g), `${c.name}: every text element closed`);
    t.is(count(svg, /<g[ >]/g), count(svg, /<\/g>/g), `${c.name}: every group closed`);
  }
});

test('each polyline is tagged with its percentile and drawn in its series colour', (t) => {
  const svg = latencySvg(chart([{ name: 'direct', color: '#4d4d4d', points: full(1) }, { name: 'Ambit', color: '#1b7837', points: full(2) }]));
  for (const q of ['p50', 'p90', 'p99']) t.is(count(svg, new RegExp(`<polyline data-percentile="${q}"`, 'g')), 2, q);
  t.is(count(svg, /<polyline [^>]*stroke="#4d4d4d"/g), 3);
  t.is(count(svg, /<polyline [^>]*stroke="#1b7837"/g), 3);
  t.is(count(svg, /<polyline [^>]*stroke-dasharray/g), 4, 'p90 and p99 dashed, p50 solid');
});

test('axes: labels, rate ticks at the measured rates, 1-2-5 latency ticks', (t) => {
  const svg = latencySvg(chart([{ name: 'direct', points: full(1) }], { subtitle: '16 connections' }));
  t.regex(svg, /class="axis-label x"[^>]*>requests per second<\/text>/);
  t.regex(svg, /class="axis-label y"[^>]*>latency \(ms, log scale\)<\/text>/);
  t.regex(svg, /class="subtitle"[^>]*>16 connections<\/text>/);
  const xTicks = /<g class="x-ticks">([\s\S]*?)<\/g>/.exec(svg)![1]!;
  t.deepEqual([...xTicks.matchAll(/>([\d.]+)<\/text>/g)].map((m) => m[1]), ['250', '500', '1000', '2000']);
  const yTicks = /<g class="y-ticks">([\s\S]*?)<\/g>/.exec(svg)![1]!;
  // values 0.2 .. 1.8 → axis from 0.2 to 2
  t.deepEqual([...yTicks.matchAll(/>([\d.]+)<\/text>/g)].map((m) => m[1]), ['0.2', '0.5', '1', '2']);
  const custom = latencySvg(chart([{ name: 'direct', points: full(1) }], { xLabel: 'rps', yLabel: 'ms' }));
  t.regex(custom, />rps<\/text>/);
  t.regex(custom, />ms<\/text>/);
});

test('higher latency is drawn higher up (smaller y)', (t) => {
  const svg = latencySvg(chart([{ name: 'Ambit', points: [pt(250, 0.5, 1, 10), pt(2000, 0.5, 1, 10)] }]));
  const y = (q: string): number => Number(new RegExp(`<polyline data-percentile="${q}" points="[\\d.]+,([\\d.]+)`).exec(svg)![1]);
  t.true(y('p99') < y('p90'));
  t.true(y('p90') < y('p50'));
});

test('text is escaped', (t) => {
  const svg = latencySvg(chart([{ name: 'A<B> & "C" \'D\'', points: full(1) }], { title: 'x < y & z', subtitle: '<script>', footnote: 'run <1>' }));
  t.false(svg.includes('<script>'));
  t.false(svg.includes('A<B>'));
  t.true(svg.includes('A&lt;B&gt; &amp; &quot;C&quot; &apos;D&apos;'));
  t.true(svg.includes('<title>x &lt; y &amp; z</title>'));
  t.regex(svg, /class="footnote"[^>]*>run &lt;1&gt;<\/text>/);
  t.true(svg.includes('data-series="A&lt;B&gt; &amp; &quot;C&quot; &apos;D&apos;"'));
  t.is(escapeXml('plain'), 'plain');
});

test('no data: axes and a message, no lines', (t) => {
  for (const series of [[], [{ name: 'direct', points: [] }], [{ name: 'direct', points: [pt(1000, Number.NaN, Number.NaN, Number.POSITIVE_INFINITY)] }]]) {
    const svg = latencySvg(chart(series));
    t.true(svg.includes('class="no-data"'));
    t.is(count(svg, /<polyline /g), 0);
    t.true(svg.trimEnd().endsWith('</svg>'));
  }
});

test('tick helpers', (t) => {
  t.deepEqual(logTicks(0.1, 10), [0.1, 0.2, 0.5, 1, 2, 5, 10]);
  t.deepEqual(logTicks(1, 10), [1, 2, 5, 10]);
  t.deepEqual(logTicks(0.01, 0.1), [0.01, 0.02, 0.05, 0.1]);
  t.deepEqual(logTicks(0.5, 5), [0.5, 1, 2, 5]);
  const bounds: [number, number, number, number][] = [[0.28, 6.4, 0.2, 10], [0.2, 1.8, 0.2, 2], [1, 1, 1, 2], [0.05, 0.05, 0.05, 0.1], [3, 40, 2, 50], [0.11, 0.49, 0.1, 0.5]];
  for (const [min, max, lo, hi] of bounds) t.deepEqual(niceBounds(min, max), { lo, hi }, `${min}..${max}`);
  const labels: [number, string][] = [[0.05, '0.05'], [0.2, '0.2'], [1, '1'], [20, '20'], [2000, '2000'], [0.30000000000000004, '0.3']];
  for (const [v, want] of labels) t.is(tickLabel(v), want);
});

test('the chart data is read back from results (JSON nulls included)', (t) => {
  const c = chart([{ name: 'direct', points: full(1) }]);
  const result = (raw: Record<string, unknown>): BenchResult => ({ id: 'B1', case: 'c', metric: 'm', unit: 'ms', ambit: 1, goal: '', met: true, raw });
  t.is(latencyChartOf([result({})]), undefined);
  t.deepEqual(latencyChartOf([result({}), result({ latencyVsRate: c })]), c);
  const fromJson: unknown = JSON.parse(JSON.stringify({ ...c, series: [{ name: 'Ambit', points: [pt(1000, 0.5, 0.6, Number.POSITIVE_INFINITY)] }] }));
  t.true(isLatencyChart(fromJson));
  t.false(isLatencyChart({ title: 'x', series: [{ name: 'a', points: [{ rate: 'fast' }] }] }));
  t.false(isLatencyChart({ series: [] }));
  t.false(isLatencyChart(null));
});
