// Small builders for the objects the translation reads, and an in-memory ConfigView.
// Every builder returns a plain KubeObject, as the config store would hold it.
import type { AuthzMatch, StringMatch } from '../../../api/model.js';
import { emptyMatch } from '../../../api/model.js';
import type { ConfigView } from '../../../controller/config/kinds.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { groupKind } from '../../../controller/config/resource.js';

/** ConfigView over a fixed list of objects: list by group-qualified kind, get by kind/namespace/name. */
export class MemoryView implements ConfigView {
  private readonly byKind = new Map<string, KubeObject[]>();

  constructor(objects: readonly KubeObject[] = []) {
    for (const o of objects) this.add(o);
  }

  add(o: KubeObject): this {
    const kind = groupKind(o);
    const list = this.byKind.get(kind) ?? [];
    list.push(o);
    this.byKind.set(kind, list);
    return this;
  }

  list(groupKind: string): readonly KubeObject[] {
    return this.byKind.get(groupKind) ?? [];
  }

  get(groupKind: string, namespace: string, name: string): KubeObject | undefined {
    return this.list(groupKind).find((o) => (o.metadata.namespace ?? '') === namespace && o.metadata.name === name);
  }
}

export function viewOf(...objects: KubeObject[]): MemoryView {
  return new MemoryView(objects);
}

// ---- core kinds ----

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export const AMBIENT = { 'istio.io/dataplane-mode': 'ambient' } as const;

export interface ContainerPortSpec { name?: string; containerPort: number; protocol?: string }

export interface PodOptions {
  ns?: string;
  labels?: Record<string, string>;
  /** status.podIP (omit with `ip: null` for an IP-less pod). */
  ip?: string | null;
  /** status.podIPs */
  ips?: string[];
  node?: string;
  serviceAccountName?: string;
  serviceAccount?: string;
  phase?: string;
  hostNetwork?: boolean;
  containerPorts?: ContainerPortSpec[];
  owner?: { kind: string; name: string; controller?: boolean };
  ready?: boolean;
}

export function pod(name: string, o: PodOptions = {}): KubeObject {
  const spec: Record<string, unknown> = { containers: [{ name: 'app', ports: o.containerPorts ?? [] }] };
  if (o.node !== undefined) spec.nodeName = o.node;
  if (o.serviceAccountName !== undefined) spec.serviceAccountName = o.serviceAccountName;
  if (o.serviceAccount !== undefined) spec.serviceAccount = o.serviceAccount;
  if (o.hostNetwork !== undefined) spec.hostNetwork = o.hostNetwork;
  const status: Record<string, unknown> = { phase: o.phase ?? 'Running' };
  if (o.ip !== null) status.podIP = o.ip ?? '10.0.0.10';
  if (o.ips !== undefined) status.podIPs = o.ips.map((ip) => ({ ip }));
  if (o.ready !== undefined) status.conditions = [{ type: 'Ready', status: o.ready ? 'True' : 'False' }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      labels: o.labels ?? {},
      ...(o.owner ? { ownerReferences: [{ controller: true, ...o.owner }] } : {}),
    },
    spec,
    status,
  };
}

export interface ServicePortSpec { name?: string; port: number; targetPort?: number | string; protocol?: string; appProtocol?: string }

export interface ServiceOptions {
  ns?: string;
  selector?: Record<string, string>;
  ports?: ServicePortSpec[];
  clusterIP?: string;
  clusterIPs?: string[];
  type?: string;
  labels?: Record<string, string>;
}

export function service(name: string, o: ServiceOptions = {}): KubeObject {
  const spec: Record<string, unknown> = { ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }] };
  if (o.selector !== undefined) spec.selector = o.selector;
  if (o.clusterIP !== undefined) spec.clusterIP = o.clusterIP;
  if (o.clusterIPs !== undefined) spec.clusterIPs = o.clusterIPs;
  if (o.type !== undefined) spec.type = o.type;
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: o.ns ?? 'default', labels: o.labels ?? {} }, spec };
}

export interface SliceEndpoint { addresses?: string[]; targetRef?: { kind: string; name: string } }

export function endpointSlice(name: string, serviceName: string, ns: string, endpoints: SliceEndpoint[], ports: { name?: string; port: number; protocol?: string }[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

export function waypointGateway(name: string, ns: string, waypointFor?: string, gatewayClassName = 'istio-waypoint'): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: ns, labels: waypointFor === undefined ? {} : { 'istio.io/waypoint-for': waypointFor } },
    spec: { gatewayClassName, listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
}

// ---- Istio kinds ----

export interface PolicyOptions { annotations?: Record<string, string>; created?: string }

export function authorizationPolicy(name: string, ns: string, spec: Record<string, unknown>, o: PolicyOptions = {}): KubeObject {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: ns, annotations: o.annotations ?? {}, ...(o.created ? { creationTimestamp: o.created } : {}) },
    spec,
  };
}

export function peerAuthentication(name: string, ns: string, spec: Record<string, unknown>, created = '2026-01-01T00:00:00Z'): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns, creationTimestamp: created }, spec };
}

export function serviceEntry(name: string, ns: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace: ns }, spec };
}

// ---- expected-model helpers ----

/** A Match with only the given fields set. */
export function match(fields: Partial<AuthzMatch>): AuthzMatch {
  return { ...emptyMatch(), ...fields };
}

export const sm = {
  exact: (v: string): StringMatch => ({ exact: v, matchType: 'exact' }),
  prefix: (v: string): StringMatch => ({ prefix: v, matchType: 'prefix' }),
  suffix: (v: string): StringMatch => ({ suffix: v, matchType: 'suffix' }),
  presence: (): StringMatch => ({ presence: true, matchType: 'presence' }),
};
