// The series table renders exactly what prom-client's own Counter and Histogram print
// for the same observations (the same registry text, line for line).
import test from 'ava';
import { Counter, Histogram, Registry } from 'prom-client';
import { registerSeriesMetrics } from '../../../waypoint/series-metric.js';
import { RequestMetrics, requestLabels, seriesKey, type RequestOutcome } from '../../../waypoint/request-metrics.js';
import type { Workload } from '../../../api/model.js';

const SPEC = {
  counter: { name: 'demo_requests_total', help: 'Requests' },
  histograms: [
    { name: 'demo_duration_ms', help: 'Duration', buckets: [1, 5, 10] },
    { name: 'demo_bytes', help: 'Bytes', buckets: [10, 100] },
  ],
};

type Labels = { code: string; app: string };

const OBSERVATIONS: { labels: Labels; values: [number, number] }[] = [
  { labels: { code: '200', app: 'a' }, values: [0.5, 10] },
  { labels: { code: '200', app: 'a' }, values: [5, 11] },
  { labels: { code: '200', app: 'a' }, values: [50, 1000] },
  { labels: { code: '503', app: 'b' }, values: [10, 0] },
  { labels: { code: '200', app: 'b "quoted"\\' }, values: [1, 100] },
];

async function promClientText(): Promise<string> {
  const registry = new Registry();
  const labelNames = ['code', 'app'] as const;
  const counter = new Counter({ ...SPEC.counter, labelNames, registers: [registry] });
  const hs = SPEC.histograms.map((h) => new Histogram({ name: h.name, help: h.help, buckets: [...h.buckets], labelNames, registers: [registry] }));
  for (const o of OBSERVATIONS) {
    counter.inc(o.labels);
    hs.forEach((h, i) => h.observe(o.labels, o.values[i]!));
  }
  return registry.metrics();
}

async function seriesText(): Promise<string> {
  const registry = new Registry();
  const table = registerSeriesMetrics<Labels>(registry, SPEC);
  for (const o of OBSERVATIONS) table.record(`${o.labels.code}|${o.labels.app}`, () => o.labels, o.values);
  return registry.metrics();
}

test('a series table prints what prom-client prints for the same counter and histogram observations', async (t) => {
  const expected = await promClientText();
  t.true(expected.includes('demo_duration_ms_bucket{le="+Inf",code="200",app="a"} 3'));
  t.is(await seriesText(), expected);
});

test('resetting the registry empties the table', async (t) => {
  const registry = new Registry();
  const table = registerSeriesMetrics<Labels>(registry, SPEC);
  table.record('k', () => ({ code: '200', app: 'a' }), [1, 1]);
  registry.resetMetrics();
  t.false((await registry.metrics()).includes('code="200"'));
});

const workload = (name: string, version: string): Workload => ({
  uid: `uid-${name}`, name, namespace: 'default', serviceAccount: name, workloadName: name, canonicalName: name, canonicalRevision: version,
  trustDomain: 'cluster.local',
} as Workload);

const outcome = (over: Partial<RequestOutcome> = {}): RequestOutcome => ({
  sourcePrincipal: 'spiffe://cluster.local/ns/default/sa/sleep', source: workload('sleep', 'v1'), destination: workload('httpbin', 'v1'),
  service: { hostname: 'httpbin.default.svc.cluster.local', name: 'httpbin', namespace: 'default' },
  grpc: false, status: 200, flags: '-', durationMs: 1, requestBytes: 0, responseBytes: 10, ...over,
});

test('the series key differs exactly when the Istio labels differ', (t) => {
  const base = outcome();
  const variants: Partial<RequestOutcome>[] = [
    { status: 503 }, { flags: 'UF' }, { grpc: true }, { grpcStatus: '14' }, { sourcePrincipal: 'spiffe://cluster.local/ns/default/sa/other' },
    { source: undefined }, { destination: workload('httpbin', 'v2') }, { service: undefined },
    { service: { hostname: 'httpbin.default.svc.cluster.local', name: 'httpbin', namespace: 'other' } },
  ];
  for (const v of variants) {
    const o = outcome(v);
    t.notDeepEqual(requestLabels(o), requestLabels(base), JSON.stringify(v));
    t.not(seriesKey(o), seriesKey(base), JSON.stringify(v));
  }
  // Not part of any label: duration and sizes; equal labels from another Workload object.
  const same = outcome({ durationMs: 99, requestBytes: 5, responseBytes: 6, destination: workload('httpbin', 'v1') });
  t.deepEqual(requestLabels(same), requestLabels(base));
  t.is(seriesKey(same), seriesKey(base));
});

test('the waypoint request metrics carry reporter="waypoint" and one series per label set', async (t) => {
  const registry = new Registry();
  const m = new RequestMetrics(registry);
  m.record(outcome());
  m.record(outcome({ durationMs: 7 }));
  m.record(outcome({ status: 404, flags: 'NR' }));
  const text = await registry.getSingleMetricAsString('istio_requests_total');
  const lines = text.split('\n').filter((l) => l.startsWith('istio_requests_total{'));
  t.is(lines.length, 2);
  t.true(lines.some((l) => l.includes('response_code="200"') && l.includes('reporter="waypoint"') && l.endsWith(' 2')));
  t.true(lines.some((l) => l.includes('response_code="404"') && l.includes('response_flags="NR"') && l.endsWith(' 1')));
  const duration = await registry.getSingleMetricAsString('istio_request_duration_milliseconds');
  t.true(duration.includes('istio_request_duration_milliseconds_sum{reporter="waypoint"'));
});
