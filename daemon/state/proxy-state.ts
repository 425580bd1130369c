// The daemon's view of the mesh: indexed stores of workloads (by uid and by IP),
// services (by key, VIP and hostname), policies (by key) and per-service L7
// configuration, plus mesh settings. Only ProxyStateUpdater mutates it; everything else reads.
import type { ServiceL7Config } from '../../api/l7-model.js';
import type { Authorization, MeshConfig, Service, Workload } from '../../api/model.js';
import { DEFAULT_ROOT_NAMESPACE, DEFAULT_TRUST_DOMAIN } from '../../api/model.js';

export class ProxyState {
  readonly workloadsByUid = new Map<string, Workload>();
  readonly workloadsByIp = new Map<string, Workload>();
  readonly servicesByKey = new Map<string, Service>();
  readonly servicesByVip = new Map<string, Service>();
  readonly servicesByHostname = new Map<string, Service[]>();
  readonly policiesByKey = new Map<string, Authorization>();
  /** "<ns>/<hostname>" → workloads that back the service (any health). */
  readonly endpointsByService = new Map<string, Set<Workload>>();
  /**
   * "<ns>/<hostname>" → the service's L7 configuration (parsed and checked). Waypoints
   * use it; node daemons only hold it (one small object per routed service: cheaper than
   * a second kind of subscription).
   */
  readonly l7ByService = new Map<string, ServiceL7Config>();
  mesh: MeshConfig = { trustDomain: DEFAULT_TRUST_DOMAIN, rootNamespace: DEFAULT_ROOT_NAMESPACE, outboundTrafficPolicy: 'ALLOW_ANY' };
  version = '';

  workloadByIp(ip: string): Workload | undefined {
    return this.workloadsByIp.get(ip);
  }

  serviceByVip(ip: string): Service | undefined {
    return this.servicesByVip.get(ip);
  }
}
