// What waypointStatus reads, taken from the objects of a cluster: the waypoint's Service
// (named after the Gateway, in its namespace) as far as status needs it, and the pods
// that Service selects. Pure; the one place both the controller's status writer and
// `ambit waypoint list` build the input from.
import type { KubeObject } from '../config/resource.js';
import { isRecord } from '../config/resource.js';
import { nsOf, stringMap } from '../translate/l7/common.js';
import { labelsMatch } from '../validation/labels.js';
import type { WaypointPodView, WaypointServiceView, WaypointStatusInput } from './waypoint-status.js';

/** A pod as the selection reads it: where it runs, its labels, whether it is ready and kubectl's status text. */
export interface SelectablePod extends WaypointPodView {
  namespace: string;
  labels: Record<string, string> | undefined;
}

/** The Service's cluster IP and ports. */
export function waypointServiceView(service: KubeObject): WaypointServiceView {
  const spec = isRecord(service.spec) ? service.spec : {};
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isRecord).map((p) => ({ port: Number(p.port) })) : [];
  return { ...(typeof spec.clusterIP === 'string' ? { clusterIP: spec.clusterIP } : {}), ports };
}

/** The pods a Service selects: its namespace, its selector; a Service without a selector selects none (it has no endpoints of its own). */
export function selectedPods<P extends SelectablePod>(service: KubeObject, pods: readonly P[]): P[] {
  const selector = stringMap(isRecord(service.spec) ? service.spec.selector : undefined);
  if (Object.keys(selector).length === 0) return [];
  const ns = nsOf(service);
  return pods.filter((p) => p.namespace === ns && labelsMatch(selector, p.labels));
}

/**
 * The status input of a waypoint Gateway. `service` is the Service of the Gateway's name
 * and namespace (undefined when there is none); `pods` may hold any pods, only those the
 * Service selects count.
 */
export function waypointStatusInput(gateway: KubeObject, service: KubeObject | undefined, pods: readonly SelectablePod[]): WaypointStatusInput {
  if (!service) return { gateway, pods: [] };
  return {
    gateway,
    service: waypointServiceView(service),
    pods: selectedPods(service, pods).map((p) => ({ name: p.name, ready: p.ready, status: p.status })),
  };
}
