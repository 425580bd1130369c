// Istio's standard TCP metric labels for one connection (DESIGN.md §7).
import type { Workload } from '../../api/model.js';

export type Reporter = 'source' | 'destination';

export interface ConnectionLabels {
  reporter: Reporter;
  source_workload: string;
  source_workload_namespace: string;
  source_principal: string;
  source_app: string;
  source_version: string;
  destination_service: string;
  destination_workload: string;
  destination_workload_namespace: string;
  destination_principal: string;
  connection_security_policy: 'mutual_tls' | 'unknown';
  response_flags: string;
}

export const LABEL_NAMES: readonly (keyof ConnectionLabels)[] = [
  'reporter', 'source_workload', 'source_workload_namespace', 'source_principal', 'source_app', 'source_version',
  'destination_service', 'destination_workload', 'destination_workload_namespace', 'destination_principal',
  'connection_security_policy', 'response_flags',
];

const UNKNOWN = 'unknown';

export function principal(w: Workload | undefined): string {
  return w ? `spiffe://${w.trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}` : UNKNOWN;
}

export function connectionLabels(o: {
  reporter: Reporter; source?: Workload; sourcePrincipal?: string; destination?: Workload; destinationService?: string;
  mtls: boolean; responseFlags?: string;
}): ConnectionLabels {
  return {
    reporter: o.reporter,
    source_workload: o.source?.workloadName ?? UNKNOWN,
    source_workload_namespace: o.source?.namespace ?? UNKNOWN,
    source_principal: o.sourcePrincipal ?? (o.mtls ? principal(o.source) : UNKNOWN),
    source_app: o.source?.canonicalName ?? UNKNOWN,
    source_version: o.source?.canonicalRevision ?? UNKNOWN,
    destination_service: o.destinationService ?? UNKNOWN,
    destination_workload: o.destination?.workloadName ?? UNKNOWN,
    destination_workload_namespace: o.destination?.namespace ?? UNKNOWN,
    destination_principal: o.mtls ? principal(o.destination) : UNKNOWN,
    connection_security_policy: o.mtls ? 'mutual_tls' : 'unknown',
    response_flags: o.responseFlags ?? '-',
  };
}
