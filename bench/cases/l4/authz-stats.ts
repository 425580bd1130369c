// What a daemon holds and did for L4 authorization, read the same way in both topologies
// (B5): the policies in its state (/config_dump `policies`), how many selector policies
// each workload lists, and the connections it refused by policy (Prometheus
// istio_tcp_connections_failed_total with response_flags="DENY").
import type { AuthzStats } from './messages.js';

const FAILED = 'istio_tcp_connections_failed_total';

/** The sum of istio_tcp_connections_failed_total{response_flags="DENY"} in a Prometheus text exposition. */
export function deniedConnections(metricsText: string): number {
  let sum = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${FAILED}{`) || !line.includes('response_flags="DENY"')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** The parts of a daemon's /config_dump (daemon/daemon.ts configDump) this reads. */
export interface AuthzDump {
  policies?: unknown[];
  workloads?: { namespace?: string; name?: string; authorizationPolicies?: unknown[] }[];
}

export function authzStatsOf(dump: AuthzDump, metricsText: string): AuthzStats {
  const workloadPolicyKeys: Record<string, number> = {};
  for (const w of dump.workloads ?? []) workloadPolicyKeys[`${w.namespace ?? ''}/${w.name ?? ''}`] = w.authorizationPolicies?.length ?? 0;
  return { policies: dump.policies?.length ?? Number.NaN, workloadPolicyKeys, denied: deniedConnections(metricsText) };
}
