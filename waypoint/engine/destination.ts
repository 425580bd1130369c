// The destination side of a routed request (rules 72, 82, 84, 86, 87): the subset's
// labels, the endpoints carrying them, and the settings (load balancer, connection
// pool, outlier detection) the DestinationRule chooses for the subset and port.
import type {
  L7ConnectionPool, L7ConsistentHash, L7DestinationPolicy, L7LoadBalancer, L7OutlierDetection, L7PolicySettings, L7Subset, L7TrafficPolicy,
} from '../../api/l7-model.js';
import type { CompiledDestinationPolicy } from './compile.js';

/** Istio's default when no policy sets one (rule 84). */
export const DEFAULT_LOAD_BALANCER: L7LoadBalancer = 'LEAST_REQUEST';

type Policy = L7DestinationPolicy | CompiledDestinationPolicy;

function findSubset(policy: Policy | undefined, name: string): L7Subset | undefined {
  if (policy === undefined) return undefined;
  if ('subsetsByName' in policy) return policy.subsetsByName.get(name);
  return policy.subsets.find((s) => s.name === name); // the first definition wins (rule 83)
}

/**
 * The labels of subset `name`, or undefined when no DestinationRule of the host defines
 * it: the request then fails with 503 "no healthy upstream" (rule 72).
 */
export function subsetLabels(policy: Policy | undefined, name: string): Readonly<Record<string, string>> | undefined {
  return findSubset(policy, name)?.labels;
}

/** An endpoint with labels of its own, or a workload's endpoint (`{ workload, targetPort }`). */
export type LabelledEndpoint = { readonly labels: Readonly<Record<string, string>> } | { readonly workload: { readonly labels: Readonly<Record<string, string>> } };

function labelsOf(e: LabelledEndpoint): Readonly<Record<string, string>> {
  return 'workload' in e ? e.workload.labels : e.labels;
}

/** The endpoints carrying every label of the subset (an empty label set keeps them all). */
export function filterBySubset<E extends LabelledEndpoint>(endpoints: readonly E[], labels: Readonly<Record<string, string>>): E[] {
  const wanted = Object.entries(labels);
  return endpoints.filter((e) => {
    const have = labelsOf(e);
    return wanted.every(([k, v]) => Object.hasOwn(have, k) && have[k] === v);
  });
}

/** The settings that apply to requests for one subset and port, merged (rule 82). */
export interface EffectiveSettings {
  loadBalancer: L7LoadBalancer;
  /** Set: requests are placed by consistent hash instead of `loadBalancer`. */
  consistentHash?: L7ConsistentHash;
  connectionPool?: L7ConnectionPool;
  outlierDetection?: L7OutlierDetection;
}

/**
 * The settings for requests to `subset` (when a route names one) on `port` (rules 82,
 * 84, 86, 87). As Istio merges policies: the top-level policy, replaced IN FULL by its
 * port-level entry for the port; then a subset's policy overrides the settings it sets
 * (each of load balancer, connection pool and outlier detection whole), and its own
 * port-level entry again replaces everything. Load balancer unset in the end:
 * LEAST_REQUEST; no connection pool: no limits; no outlier detection: none.
 */
export function settingsFor(policy: Policy | undefined, subset: string | undefined, port: number | undefined): EffectiveSettings {
  if (policy === undefined) return mergeSettings(undefined, subset, port);
  // Policies are replaced, never changed, so the merge is kept per policy object (a request asks for it every time).
  let byKey = merged.get(policy);
  if (!byKey) merged.set(policy, (byKey = new Map<string, EffectiveSettings>()));
  const key = `${subset ?? ''}|${port ?? ''}`;
  let settings = byKey.get(key);
  if (!settings) byKey.set(key, (settings = mergeSettings(policy, subset, port)));
  return settings;
}

const merged = new WeakMap<Policy, Map<string, EffectiveSettings>>();

function mergeSettings(policy: Policy | undefined, subset: string | undefined, port: number | undefined): EffectiveSettings {
  let settings = atPort(policy?.trafficPolicy, port, policy?.trafficPolicy ?? {});
  const own = subset === undefined ? undefined : findSubset(policy, subset)?.trafficPolicy;
  if (own !== undefined) {
    // The load balancer is one choice in Istio: simple or consistentHash, taken together.
    const ownLb = own.loadBalancer !== undefined || own.consistentHash !== undefined;
    const merged: L7PolicySettings = {
      loadBalancer: ownLb ? own.loadBalancer : settings.loadBalancer,
      consistentHash: ownLb ? own.consistentHash : settings.consistentHash,
      connectionPool: own.connectionPool ?? settings.connectionPool,
      outlierDetection: own.outlierDetection ?? settings.outlierDetection,
    };
    settings = atPort(own, port, merged);
  }
  return {
    loadBalancer: settings.loadBalancer ?? DEFAULT_LOAD_BALANCER,
    ...(settings.consistentHash ? { consistentHash: settings.consistentHash } : {}),
    ...(settings.connectionPool ? { connectionPool: settings.connectionPool } : {}),
    ...(settings.outlierDetection ? { outlierDetection: settings.outlierDetection } : {}),
  };
}

/** The load balancer for requests to `subset` on `port` (settingsFor's). */
export function lbFor(policy: Policy | undefined, subset: string | undefined, port: number | undefined): L7LoadBalancer {
  return settingsFor(policy, subset, port).loadBalancer;
}

/** `inherited`, unless `tp` has a port-level entry for `port`: then that entry's settings (unset ones stay unset). */
function atPort(tp: L7TrafficPolicy | undefined, port: number | undefined, inherited: L7PolicySettings): L7PolicySettings {
  if (tp === undefined || port === undefined) return inherited;
  const entry = tp.portLevel?.find((p) => p.port === port);
  if (entry === undefined) return inherited;
  return { loadBalancer: entry.loadBalancer, consistentHash: entry.consistentHash, connectionPool: entry.connectionPool, outlierDetection: entry.outlierDetection };
}
