// A counter and histograms that share one table of series (one label set each), for
// metrics recorded on every request: the caller finds a series by a key it builds
// cheaply, and the labels are computed only when a key is new. Rendered for a
// prom-client Registry by collector objects that answer get() the way prom-client's
// own metrics do (values with metricName `_bucket` / `_sum` / `_count` and an `le`
// label), so /metrics prints them like any other metric.
import type { Metric, Registry } from 'prom-client';

export interface HistogramSpec {
  name: string;
  help: string;
  /** Upper bounds, ascending; `+Inf` is implied. */
  buckets: readonly number[];
}

export interface SeriesMetricsSpec {
  counter: { name: string; help: string };
  histograms: readonly HistogramSpec[];
}

interface HistogramCounts {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  buckets: number[];
  sum: number;
}

interface Series<L> {
  labels: L;
  count: number;
  histograms: HistogramCounts[];
}

type LabelValues = Record<string, string | number>;

interface MetricValue {
  value: number;
  labels: LabelValues;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

export class SeriesTable<L extends object> {
  private readonly series = new Map<string, Series<L>>();

  constructor(private readonly spec: SeriesMetricsSpec) {}

  /** Counts one event of the series `key` and observes `values` (one per histogram, in spec order). */
  record(key: string, labels: () => L, values: readonly number[]): void {
    let s = this.series.get(key);
    if (!s) {
      s = { labels: labels(), count: 0, histograms: this.spec.histograms.map((h) => ({ buckets: new Array<number>(h.buckets.length + 1).fill(0), sum: 0 })) };
      this.series.set(key, s);
    }
    s.count++;
    for (let i = 0; i < s.histograms.length; i++) {
      const v = values[i] ?? 0;
      const h = s.histograms[i]!;
      h.buckets[bucketIndex(this.spec.histograms[i]!.buckets, v)]!++;
      h.sum += v;
    }
  }

  reset(): void {
    this.series.clear();
  }

  counterData(): MetricData {
    const { name, help } = this.spec.counter;
    return { name, help, type: 'counter', aggregator: 'sum', values: [...this.series.values()].map((s) => ({ value: s.count, labels: s.labels as LabelValues })) };
  }

  histogramData(index: number): MetricData {
    const spec = this.spec.histograms[index]!;
    const values: MetricValue[] = [];
    for (const s of this.series.values()) {
      const labels = s.labels as LabelValues;
      const h = s.histograms[index]!;
      let cumulative = 0;
      spec.buckets.forEach((le, i) => {
        cumulative += h.buckets[i]!;
        values.push({ value: cumulative, labels: { le, ...labels }, metricName: `${spec.name}_bucket` });
      });
      values.push({ value: s.count, labels: { le: '+Inf', ...labels }, metricName: `${spec.name}_bucket` });
      values.push({ value: h.sum, labels, metricName: `${spec.name}_sum` });
      values.push({ value: s.count, labels, metricName: `${spec.name}_count` });
    }
    return { name: spec.name, help: spec.help, type: 'histogram', aggregator: 'sum', values };
  }
}

/** The first bucket whose upper bound holds `v` (the +Inf slot when none does). */
function bucketIndex(bounds: readonly number[], v: number): number {
  for (let i = 0; i < bounds.length; i++) if (v <= bounds[i]!) return i;
  return bounds.length;
}

/** Creates the table and registers its counter and histograms with the registry. */
export function registerSeriesMetrics<L extends object>(registry: Registry, spec: SeriesMetricsSpec): SeriesTable<L> {
  const table = new SeriesTable<L>(spec);
  const collector = (name: string, help: string, type: MetricData['type'], data: () => MetricData): Metric => {
    const metric = { name, help, type, aggregator: 'sum', get: () => Promise.resolve(data()), reset: () => table.reset() };
    // A collector, not one of prom-client's classes: the Registry only reads name, get()
    // and reset() of what it holds, which is what the type cannot say.
    return metric as unknown as Metric;
  };
  registry.registerMetric(collector(spec.counter.name, spec.counter.help, 'counter', () => table.counterData()));
  spec.histograms.forEach((h, i) => registry.registerMetric(collector(h.name, h.help, 'histogram', () => table.histogramData(i))));
  return table;
}
