// What an HBONE CONNECT to the waypoint is for (pure): the `:authority` is the original
// destination the client dialed — a Service VIP and port (service waypoint) or a pod IP
// and port (workload waypoint).
import type { Service, ServicePort, Workload } from '../api/model.js';
import type { SocketAddress } from '../daemon/hbone/index.js';
import type { ProxyState } from '../daemon/state/proxy-state.js';

export type WaypointTarget =
  | { kind: 'service'; service: Service; port: ServicePort; authority: SocketAddress }
  | { kind: 'workload'; workload: Workload; authority: SocketAddress };

/** The waypoint itself: a Gateway's namespace and name. */
export interface WaypointSelf { namespace: string; name: string }

function usesSelf(waypoint: { namespace: string; name: string } | null | undefined, self: WaypointSelf): boolean {
  return waypoint?.namespace === self.namespace && waypoint.name === self.name;
}

/** The target, or why the waypoint refuses the stream (unknown, or bound to another waypoint). */
export function resolveTarget(state: ProxyState, self: WaypointSelf, authority: SocketAddress): WaypointTarget | { reason: string } {
  const service = state.serviceByVip(authority.ip);
  if (service) {
    if (!usesSelf(service.waypoint, self)) return { reason: `service ${service.hostname} does not use waypoint ${self.namespace}/${self.name}` };
    const port = service.ports.find((p) => p.servicePort === authority.port);
    if (!port) return { reason: `service ${service.hostname} has no port ${authority.port}` };
    return { kind: 'service', service, port, authority };
  }
  const workload = state.workloadByIp(authority.ip);
  if (workload) {
    if (!usesSelf(workload.waypoint, self)) return { reason: `workload ${workload.namespace}/${workload.name} does not use waypoint ${self.namespace}/${self.name}` };
    return { kind: 'workload', workload, authority };
  }
  return { reason: `${authority.ip}:${authority.port} is neither a service nor a workload this waypoint knows` };
}
