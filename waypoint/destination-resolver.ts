// From a routed destination (service host, port, subset) to one endpoint: the service
// by hostname, its healthy endpoints for the port, the subset's labels from the
// destination's DestinationRule (an undefined subset → 503, rule 72), then the load
// balancer the policy chooses for that subset and port (rules 82, 84), among the
// endpoints outlier detection has not ejected (rule 87). A retry passes the endpoints it
// already tried: another one is chosen when there is one (Envoy's previous-hosts retry
// predicate, on by default in Istio; rule 74).
import type { L7Destination } from '../api/l7-model.js';
import type { Service, Workload } from '../api/model.js';
import { serviceKey } from '../api/model.js';
import { endpointsOf } from '../daemon/proxy/outbound-plan.js';
import type { ProxyState } from '../daemon/state/proxy-state.js';
import type { ClusterStates } from './cluster-states.js';
import { filterBySubset, hash32, hashKey, settingsFor, subsetLabels, type EffectiveSettings, type EndpointPicker, type HashInput } from './engine/index.js';
import type { RouteCache } from './route-cache.js';
import type { UpstreamEndpoint } from './upstream.js';

export interface ResolvedDestination {
  service: Service;
  servicePort: number;
  endpoint: UpstreamEndpoint;
  /** Key of the endpoint's load-balancing group (service, port, subset). */
  cluster: string;
  /** The DestinationRule's settings for that group. */
  settings: EffectiveSettings;
  /** Endpoints of the group before outlier ejection (outlier detection's pool size). */
  endpointCount: number;
  /** A generated consistent-hash cookie to set on the response (rule 85). */
  setCookie?: string;
}

export interface ResolverDeps {
  state: ProxyState;
  routes: RouteCache;
  picker: EndpointPicker;
  clusters: ClusterStates;
  random: () => number;
}

export interface DestinationFailure {
  status: number;
  /** Envoy's response flag: NR no route (cluster), UH no healthy upstream. */
  flag: 'NR' | 'UH';
  reason: string;
}

export function resolveDestination(
  deps: ResolverDeps, dest: L7Destination, requestPort: number, tried?: ReadonlySet<string>, request?: HashInput,
): ResolvedDestination | DestinationFailure {
  const { state, routes, picker, clusters } = deps;
  const service = state.servicesByHostname.get(dest.host)?.[0];
  if (!service) return { status: 503, flag: 'NR', reason: `no service ${dest.host}` };
  const port = dest.port ?? (service.ports.some((p) => p.servicePort === requestPort) ? requestPort : service.ports.length === 1 ? service.ports[0]!.servicePort : requestPort);
  if (!service.ports.some((p) => p.servicePort === port)) return { status: 503, flag: 'NR', reason: `service ${dest.host} has no port ${port}` };
  const policy = routes.destination(serviceKey(service));
  let endpoints = endpointsOf(state, service, port);
  if (dest.subset !== undefined) {
    const labels = subsetLabels(policy, dest.subset);
    if (!labels) return { status: 503, flag: 'NR', reason: `subset ${dest.subset} of ${dest.host} is not defined by any DestinationRule` };
    endpoints = filterBySubset(endpoints, labels);
  }
  const cluster = `outbound|${port}|${dest.subset ?? ''}|${dest.host}`;
  const settings = settingsFor(policy, dest.subset, port);
  const endpointCount = endpoints.length;
  if (settings.outlierDetection) endpoints = clusters.outlier(cluster).healthy(endpoints, (e) => e.workload.uid, settings.outlierDetection, clusters.now());
  if (endpoints.length === 0) return { status: 503, flag: 'UH', reason: `no healthy upstream for ${dest.host}:${port}${dest.subset ? ` subset ${dest.subset}` : ''}` };
  if (tried && tried.size > 0) {
    const untried = endpoints.filter((e) => !tried.has(e.workload.uid));
    if (untried.length > 0) endpoints = untried;
  }
  let setCookie: string | undefined;
  let chosen;
  if (settings.consistentHash) {
    // Rule 85: by the request's hash; without a key (or a request: TCP by source IP only), at random.
    const hk = request ? hashKey(settings.consistentHash, request, deps.random) : {};
    setCookie = hk.setCookie;
    chosen = hk.key !== undefined ? picker.pickByHash(cluster, endpoints, settings.consistentHash, hash32(hk.key)) : picker.pick(cluster, endpoints, 'RANDOM');
  } else {
    chosen = picker.pick(cluster, endpoints, settings.loadBalancer);
  }
  return {
    service, servicePort: port, cluster, settings, endpointCount, endpoint: endpointOf(chosen.workload, chosen.targetPort),
    ...(setCookie !== undefined ? { setCookie } : {}),
  };
}

export function endpointOf(workload: Workload, port: number): UpstreamEndpoint {
  return { workload, ip: workload.addresses[0] ?? '', port };
}
