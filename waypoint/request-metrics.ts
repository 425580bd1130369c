// Istio's standard HTTP metrics, reported by the waypoint (`reporter="waypoint"`):
// istio_requests_total, istio_request_duration_milliseconds, istio_request_bytes and
// istio_response_bytes, with Istio's label names and histogram buckets.
//
// The four metrics share one table of series, one per label set. Recording a request
// costs a key lookup and a few additions; prom-client's own Counter and Histogram would
// validate and hash the 19 labels once per metric and request, the largest single cost
// of the waypoint's per-request bookkeeping. The table is rendered into the registry's
// text by collectors (series-metric.ts) when /metrics is scraped.
import type { Registry } from 'prom-client';
import type { Workload } from '../api/model.js';
import { connectionLabels, principal } from '../daemon/telemetry/connection-labels.js';
import { registerSeriesMetrics, type SeriesTable } from './series-metric.js';

export interface RequestLabels {
  reporter: 'waypoint';
  source_workload: string;
  source_workload_namespace: string;
  source_principal: string;
  source_app: string;
  source_version: string;
  destination_workload: string;
  destination_workload_namespace: string;
  destination_principal: string;
  destination_app: string;
  destination_version: string;
  destination_service: string;
  destination_service_name: string;
  destination_service_namespace: string;
  request_protocol: 'http' | 'grpc';
  response_code: string;
  grpc_response_status: string;
  response_flags: string;
  connection_security_policy: 'mutual_tls';
}

/** Istio's buckets for request durations (ms) and sizes (bytes). */
export const DURATION_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
export const SIZE_BUCKETS_BYTES = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

const UNKNOWN = 'unknown';

export interface RequestOutcome {
  source?: Workload;
  /** The client's verified principal (SPIFFE URI). */
  sourcePrincipal: string;
  destination?: Workload;
  /** The destination service's hostname, name and namespace. */
  service?: { hostname: string; name: string; namespace: string };
  grpc: boolean;
  status: number;
  grpcStatus?: string;
  flags: string;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
}

export function requestLabels(o: RequestOutcome): RequestLabels {
  // The labels a connection has (the daemon's), the reporter replaced, then those only a request has.
  return {
    ...connectionLabels({
      reporter: 'destination', source: o.source, sourcePrincipal: o.sourcePrincipal, destination: o.destination,
      ...(o.service ? { destinationService: o.service.hostname } : {}), mtls: true,
    }),
    reporter: 'waypoint',
    connection_security_policy: 'mutual_tls',
    destination_app: o.destination?.canonicalName ?? UNKNOWN,
    destination_version: o.destination?.canonicalRevision ?? UNKNOWN,
    destination_service_name: o.service?.name ?? UNKNOWN,
    destination_service_namespace: o.service?.namespace ?? UNKNOWN,
    request_protocol: o.grpc ? 'grpc' : 'http',
    response_code: String(o.status),
    grpc_response_status: o.grpcStatus ?? '',
    response_flags: o.flags,
  };
}

/** The part of a series key that a workload contributes, computed once per Workload object. */
const workloadKeys = new WeakMap<Workload, string>();

function workloadKey(w: Workload | undefined): string {
  if (!w) return '';
  let key = workloadKeys.get(w);
  if (key === undefined) {
    key = [w.workloadName, w.namespace, w.canonicalName, w.canonicalRevision, principal(w)].join('\u0002');
    workloadKeys.set(w, key);
  }
  return key;
}

/** Equal exactly when requestLabels() would be equal (every label value is part of it). */
export function seriesKey(o: RequestOutcome): string {
  const s = o.service;
  return `${workloadKey(o.source)}\u0001${o.sourcePrincipal}\u0001${workloadKey(o.destination)}\u0001${s ? `${s.hostname}\u0002${s.name}\u0002${s.namespace}` : ''}\u0001${o.grpc ? 'g' : 'h'}\u0001${o.status}\u0001${o.grpcStatus ?? ''}\u0001${o.flags}`;
}

export class RequestMetrics {
  private readonly table: SeriesTable<RequestLabels>;

  constructor(registry: Registry) {
    this.table = registerSeriesMetrics<RequestLabels>(registry, {
      counter: { name: 'istio_requests_total', help: 'Requests handled by the waypoint' },
      histograms: [
        { name: 'istio_request_duration_milliseconds', help: 'Request duration (ms)', buckets: DURATION_BUCKETS_MS },
        { name: 'istio_request_bytes', help: 'Request size (headers and body, bytes)', buckets: SIZE_BUCKETS_BYTES },
        { name: 'istio_response_bytes', help: 'Response size (headers and body, bytes)', buckets: SIZE_BUCKETS_BYTES },
      ],
    });
  }

  record(o: RequestOutcome): void {
    this.table.record(seriesKey(o), () => requestLabels(o), [o.durationMs, o.requestBytes, o.responseBytes]);
  }
}
