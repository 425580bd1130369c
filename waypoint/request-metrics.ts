// Istio's standard HTTP metrics, reported by the waypoint (`reporter="waypoint"`):
// istio_requests_total, istio_request_duration_milliseconds, istio_request_bytes and
// istio_response_bytes, with Istio's label names and histogram buckets.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Workload } from '../api/model.js';
import { principal } from '../daemon/telemetry/connection-labels.js';

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

type L = keyof RequestLabels;

const LABELS: readonly L[] = [
  'reporter', 'source_workload', 'source_workload_namespace', 'source_principal', 'source_app', 'source_version',
  'destination_workload', 'destination_workload_namespace', 'destination_principal', 'destination_app', 'destination_version',
  'destination_service', 'destination_service_name', 'destination_service_namespace', 'request_protocol', 'response_code',
  'grpc_response_status', 'response_flags', 'connection_security_policy',
];

/** Istio's buckets for request durations (ms) and sizes (bytes). */
export const DURATION_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
export const SIZE_BUCKETS_BYTES = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

export interface RequestMetrics {
  requests: Counter<L>;
  duration: Histogram<L>;
  requestBytes: Histogram<L>;
  responseBytes: Histogram<L>;
}

export function createRequestMetrics(registry: Registry): RequestMetrics {
  const r = { registers: [registry], labelNames: [...LABELS] };
  return {
    requests: new Counter({ name: 'istio_requests_total', help: 'Requests handled by the waypoint', ...r }),
    duration: new Histogram({ name: 'istio_request_duration_milliseconds', help: 'Request duration (ms)', buckets: DURATION_BUCKETS_MS, ...r }),
    requestBytes: new Histogram({ name: 'istio_request_bytes', help: 'Request size (headers and body, bytes)', buckets: SIZE_BUCKETS_BYTES, ...r }),
    responseBytes: new Histogram({ name: 'istio_response_bytes', help: 'Response size (headers and body, bytes)', buckets: SIZE_BUCKETS_BYTES, ...r }),
  };
}

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
  return {
    reporter: 'waypoint',
    source_workload: o.source?.workloadName ?? UNKNOWN,
    source_workload_namespace: o.source?.namespace ?? UNKNOWN,
    source_principal: o.sourcePrincipal,
    source_app: o.source?.canonicalName ?? UNKNOWN,
    source_version: o.source?.canonicalRevision ?? UNKNOWN,
    destination_workload: o.destination?.workloadName ?? UNKNOWN,
    destination_workload_namespace: o.destination?.namespace ?? UNKNOWN,
    destination_principal: o.destination ? principal(o.destination) : UNKNOWN,
    destination_app: o.destination?.canonicalName ?? UNKNOWN,
    destination_version: o.destination?.canonicalRevision ?? UNKNOWN,
    destination_service: o.service?.hostname ?? UNKNOWN,
    destination_service_name: o.service?.name ?? UNKNOWN,
    destination_service_namespace: o.service?.namespace ?? UNKNOWN,
    request_protocol: o.grpc ? 'grpc' : 'http',
    response_code: String(o.status),
    grpc_response_status: o.grpcStatus ?? '',
    response_flags: o.flags,
    connection_security_policy: 'mutual_tls',
  };
}

export function recordRequest(m: RequestMetrics, o: RequestOutcome): void {
  const labels = requestLabels(o);
  m.requests.inc(labels);
  m.duration.observe(labels, o.durationMs);
  m.requestBytes.observe(labels, o.requestBytes);
  m.responseBytes.observe(labels, o.responseBytes);
}
