// The waypoint's per-destination state (one "cluster": service, subset, port, as Envoy
// names it `outbound|<port>|<subset>|<host>`): its circuit breaker and outlier detector,
// created on first use and kept for the process (a handful per service). Ejections and
// overflows are counted in the waypoint's metrics.
import { Counter, type Registry } from 'prom-client';
import { CircuitBreaker, OutlierDetector } from './engine/index.js';

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
