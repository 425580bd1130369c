// The status Istio writes on a waypoint Gateway (class istio-waypoint), computed from the
// Gateway, the Service named after it and the pods behind that Service. Pure.
//
// - `Accepted`: True (reason Accepted) when a listener takes HBONE on 15008; otherwise
//   False with the Gateway API reason ListenersNotValid. Each other listener gets its own
//   Accepted False with Istio's reason UnsupportedProtocol. (Istio keeps the Gateway itself
//   Accepted and only marks the listener; here a waypoint without any HBONE listener is not.)
// - `Programmed`: True (reason Programmed) once the Service has a ClusterIP, a port 15008
//   and at least one ready pod; False with AddressNotAssigned (no Service or no address),
//   AddressNotUsable (no port 15008), Pending (pods still starting) or NoResources (no pod,
//   or every pod failed).
// - `addresses`: the Service's ClusterIP (IPAddress) and its cluster hostname (Hostname),
//   as soon as the Service has an address.
// Messages are our own; reasons are Istio's and the Gateway API's. The input comes from
// waypoint-status-input.ts; with a Kubernetes source the controller writes the result to
// the Gateway's status subresource (status-writer.ts), `ambit waypoint list` prints it.
import { PORTS } from '../../api/model.js';
import type { KubeObject } from '../config/resource.js';
import { isRecord } from '../config/resource.js';
import { serviceHostname } from '../translate/service-ports.js';
import { isWaypointGateway } from '../translate/waypoints.js';

export const WAYPOINT_LISTENER = { port: PORTS.hbone, protocol: 'HBONE' } as const;

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface GatewayCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface GatewayStatusAddress {
  type: 'IPAddress' | 'Hostname';
  value: string;
}

export interface ListenerStatus {
  name: string;
  attachedRoutes: number;
  supportedKinds: { group?: string; kind: string }[];
  conditions: GatewayCondition[];
}

export interface GatewayStatus {
  addresses: GatewayStatusAddress[];
  conditions: GatewayCondition[];
  listeners: ListenerStatus[];
}

/** The waypoint's Service as far as status needs it. */
export interface WaypointServiceView {
  clusterIP?: string;
  ports: readonly { port: number }[];
}

/** A pod behind the waypoint's Service. `status` is kubectl's text (Running, Pending, Error(exit code 1), …). */
export interface WaypointPodView {
  name: string;
  ready: boolean;
  status: string;
}

export interface WaypointStatusInput {
  gateway: KubeObject;
  /** The Service named after the Gateway in its namespace; undefined when it does not exist (yet). */
  service?: WaypointServiceView;
  /** The pods the Service selects. */
  pods: readonly WaypointPodView[];
  /** Sets lastTransitionTime on every condition (we do not track transitions). */
  now?: string;
}

interface Listener {
  name: string;
  port: unknown;
  protocol: unknown;
}

function listenersOf(gateway: KubeObject): Listener[] {
  const raw = gateway.spec?.listeners;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((l, i) => ({ name: typeof l.name === 'string' ? l.name : `listener-${i}`, port: l.port, protocol: l.protocol }));
}

function isHboneListener(l: Listener): boolean {
  return l.port === WAYPOINT_LISTENER.port && l.protocol === WAYPOINT_LISTENER.protocol;
}

/** The cluster hostname of the waypoint's Service. */
export function waypointHostname(gateway: Pick<KubeObject, 'metadata'>): string {
  return serviceHostname(gateway.metadata.name, gateway.metadata.namespace ?? 'default');
}

/** Pods that are neither ready nor failed: still being scheduled or started (kubectl's words). */
const STARTING: ReadonlySet<string> = new Set(['Running', 'Pending', 'ContainerCreating', 'PodInitializing']);

function isStarting(p: WaypointPodView): boolean {
  return !p.ready && STARTING.has(p.status);
}

function describeListener(l: Listener): string {
  return `${l.name} (${typeof l.port === 'number' ? l.port : String(l.port)}/${typeof l.protocol === 'string' ? l.protocol : String(l.protocol)})`;
}

function programmedCondition(input: WaypointStatusInput, host: string): Omit<GatewayCondition, 'type'> {
  const { service, pods } = input;
  if (!service) {
    return { status: 'False', reason: 'AddressNotAssigned', message: `no address yet: the waypoint's Service ${host} does not exist` };
  }
  if (!service.clusterIP || service.clusterIP === 'None') {
    return { status: 'False', reason: 'AddressNotAssigned', message: `no address yet: the Service ${host} has no cluster IP` };
  }
  const target = `${host}:${WAYPOINT_LISTENER.port}`;
  if (!service.ports.some((p) => p.port === WAYPOINT_LISTENER.port)) {
    return { status: 'False', reason: 'AddressNotUsable', message: `the Service ${host} has no port ${WAYPOINT_LISTENER.port}` };
  }
  const ready = pods.filter((p) => p.ready);
  if (ready.length > 0) {
    return { status: 'True', reason: 'Programmed', message: `assigned to ${target}, served by ${ready.length} ready pod(s)` };
  }
  if (pods.length === 0) {
    return { status: 'False', reason: 'NoResources', message: `no waypoint pod backs ${target}` };
  }
  const starting = pods.filter(isStarting);
  if (starting.length > 0) {
    return { status: 'False', reason: 'Pending', message: `waiting for a ready waypoint pod behind ${target} (${starting.map((p) => `${p.name}: ${p.status}`).join(', ')})` };
  }
  return { status: 'False', reason: 'NoResources', message: `no waypoint pod behind ${target} runs (${pods.map((p) => `${p.name}: ${p.status}`).join(', ')})` };
}

function condition(type: string, c: Omit<GatewayCondition, 'type'>, input: WaypointStatusInput): GatewayCondition {
  const generation = input.gateway.metadata.generation;
  return {
    type, ...c,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    ...(input.now !== undefined ? { lastTransitionTime: input.now } : {}),
  };
}

function listenerStatus(l: Listener, input: WaypointStatusInput): ListenerStatus {
  const ok = isHboneListener(l);
  const accepted: Omit<GatewayCondition, 'type'> = ok
    ? { status: 'True', reason: 'Accepted', message: 'no errors found' }
    : { status: 'False', reason: 'UnsupportedProtocol', message: `a waypoint listens on port ${WAYPOINT_LISTENER.port} with protocol ${WAYPOINT_LISTENER.protocol}, not ${describeListener(l)}` };
  const programmed: Omit<GatewayCondition, 'type'> = ok
    ? { status: 'True', reason: 'Programmed', message: 'no errors found' }
    : { status: 'False', reason: 'Invalid', message: 'the listener is not accepted' };
  return {
    name: l.name,
    attachedRoutes: 0,
    supportedKinds: [],
    conditions: [
      condition('Accepted', accepted, input),
      condition('Conflicted', { status: 'False', reason: 'NoConflicts', message: 'no errors found' }, input),
      condition('Programmed', programmed, input),
      condition('ResolvedRefs', { status: 'True', reason: 'ResolvedRefs', message: 'no errors found' }, input),
    ],
  };
}

/** The status of a waypoint Gateway; undefined for a Gateway of another class. */
export function waypointStatus(input: WaypointStatusInput): GatewayStatus | undefined {
  const gw = input.gateway;
  if (!isWaypointGateway(gw)) return undefined;
  const host = waypointHostname(gw);
  const listeners = listenersOf(gw);
  const hbone = listeners.some(isHboneListener);
  const accepted: Omit<GatewayCondition, 'type'> = hbone
    ? { status: 'True', reason: 'Accepted', message: 'accepted as a waypoint' }
    : {
      status: 'False', reason: 'ListenersNotValid',
      message: `a waypoint needs a listener on port ${WAYPOINT_LISTENER.port} with protocol ${WAYPOINT_LISTENER.protocol}${listeners.length > 0 ? `; found ${listeners.map(describeListener).join(', ')}` : '; it has none'}`,
    };
  const ip = input.service?.clusterIP;
  const addresses: GatewayStatusAddress[] = ip && ip !== 'None' ? [{ type: 'IPAddress', value: ip }, { type: 'Hostname', value: host }] : [];
  return {
    addresses,
    conditions: [condition('Accepted', accepted, input), condition('Programmed', programmedCondition(input, host), input)],
    listeners: listeners.map((l) => listenerStatus(l, input)),
  };
}

/** A condition of a status by type. */
export function conditionOf(status: GatewayStatus | undefined, type: string): GatewayCondition | undefined {
  return status?.conditions.find((c) => c.type === type);
}
