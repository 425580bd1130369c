// The waypoint's per-destination state (one "cluster": service, subset, port, as Envoy
// names it `outbound|<port>|<subset>|<host>`): its circuit breaker and outlier detector,
// created on first use and kept for the process (a handful per service). Ejections and
// overflows are counted in the waypoint's metrics.
import { Counter, type Registry } from 'prom-client';
import type { L7OutlierDetection } from '../api/l7-model.js';
import type { Logger } from '../api/log.js';
import type { ResolvedDestination } from './destination-resolver.js';
import { CircuitBreaker, OutlierDetector, type Observed } from './engine/index.js';

export class ClusterStates {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly outliers = new Map<string, OutlierDetector>();
  readonly ejections: Counter<'cluster'>;
  readonly overflows: Counter<'cluster' | 'kind'>;

  constructor(registry: Registry, readonly now: () => number = () => performance.now()) {
    this.ejections = new Counter({ name: 'ambit_outlier_ejections_total', help: 'Endpoints ejected by outlier detection', labelNames: ['cluster'], registers: [registry] });
    this.overflows = new Counter({ name: 'ambit_upstream_overflow_total', help: 'Requests refused (503 UO) or retries not made because a connection pool limit was reached', labelNames: ['cluster', 'kind'], registers: [registry] });
  }

  breaker(cluster: string): CircuitBreaker {
    let b = this.breakers.get(cluster);
    if (!b) this.breakers.set(cluster, (b = new CircuitBreaker()));
    return b;
  }

  outlier(cluster: string): OutlierDetector {
    let o = this.outliers.get(cluster);
    if (!o) this.outliers.set(cluster, (o = new OutlierDetector()));
    return o;
  }

  /** Records a try's or connection's outcome for the endpoint's outlier detection (rule 87); an ejection is counted and logged. */
  observe(destination: ResolvedDestination, observed: Observed, settings: L7OutlierDetection, log: Logger): void {
    const { cluster, endpoint, endpointCount } = destination;
    if (!this.outlier(cluster).record(endpoint.workload.uid, observed, settings, endpointCount, this.now())) return;
    this.ejections.inc({ cluster });
    log.info({ cluster, endpoint: `${endpoint.ip}:${endpoint.port}`, workload: endpoint.workload.name }, 'outlier detection ejected an endpoint');
  }

  /** What the config dump shows: counts per cluster and the endpoints ejected now. */
  dump(): Record<string, unknown> {
    const now = this.now();
    const out: Record<string, unknown> = {};
    for (const [cluster, b] of this.breakers) out[cluster] = { ...b.counts() };
    for (const [cluster, o] of this.outliers) {
      const ejected = o.ejected(now).map((e) => ({ endpoint: e.host, ejections: e.ejections, returnsInMs: Math.round(e.returnsAt - now) }));
      if (ejected.length > 0) out[cluster] = { ...(out[cluster] as object | undefined), ejected };
    }
    return out;
  }
}
