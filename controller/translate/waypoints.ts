// Waypoint opt-in: `istio.io/use-waypoint=<name>` on a Pod, Service or Namespace (pod and
// service labels win over the namespace's; `none` opts out), with an optional
// `istio.io/use-waypoint-namespace`. The waypoint is a Gateway API Gateway of class
// istio-waypoint; `istio.io/waypoint-for` (service | workload | all | none, default
// service) says which traffic it takes.
import type { Waypoint } from '../../api/model.js';
import { CLUSTER_DOMAIN, PORTS } from '../../api/model.js';
import type { ConfigView } from '../config/kinds.js';
import { KINDS } from '../config/kinds.js';
import type { KubeObject } from '../config/resource.js';

export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
export const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';
export const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';
export const WAYPOINT_CLASS = 'istio-waypoint';

export type WaypointTarget = 'service' | 'workload';

interface WaypointRef { name: string; namespace: string }

/** The waypoint a resource asks for: its own label first, then its namespace's. */
export function requestedWaypoint(own: Record<string, string>, ns: Record<string, string>, defaultNamespace: string): WaypointRef | undefined {
  const source = own[USE_WAYPOINT_LABEL] !== undefined ? own : ns;
  const name = source[USE_WAYPOINT_LABEL];
  if (name === undefined || name === '' || name === 'none') return undefined;
  return { name, namespace: source[USE_WAYPOINT_NAMESPACE_LABEL] ?? defaultNamespace };
}

/** Does a waypoint Gateway take traffic of this kind? */
export function waypointServes(gateway: KubeObject, target: WaypointTarget): boolean {
  const waypointFor = gateway.metadata.labels?.[WAYPOINT_FOR_LABEL] ?? 'service';
  return waypointFor === 'all' || waypointFor === target;
}

export function isWaypointGateway(gateway: KubeObject): boolean {
  return gateway.spec?.gatewayClassName === WAYPOINT_CLASS;
}

/** Resolves the waypoint for a workload or service, or undefined when none applies. */
export function resolveWaypoint(view: ConfigView, own: Record<string, string>, nsLabels: Record<string, string>, namespace: string, target: WaypointTarget): Waypoint | null {
  const ref = requestedWaypoint(own, nsLabels, namespace);
  if (!ref) return null;
  const gateway = view.get(KINDS.gateway, ref.namespace, ref.name);
  if (!gateway || !isWaypointGateway(gateway) || !waypointServes(gateway, target)) return null;
  return { namespace: ref.namespace, name: ref.name, hostname: `${ref.name}.${ref.namespace}.${CLUSTER_DOMAIN}`, hbonePort: PORTS.hbone };
}
