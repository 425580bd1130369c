// Domain types shared by the controller and the daemon. They are the decoded shapes of
// the protobuf messages in api/proto (generated into api/generated), so what the
// controller computes is exactly what goes on the wire.
import type { Workload__Output } from './generated/ambit/v1/Workload.js';
import type { Service__Output } from './generated/ambit/v1/Service.js';
import type { ServicePort__Output } from './generated/ambit/v1/ServicePort.js';
import type { Authorization__Output } from './generated/ambit/v1/Authorization.js';
import type { Rule__Output } from './generated/ambit/v1/Rule.js';
import type { Clause__Output } from './generated/ambit/v1/Clause.js';
import type { Match__Output } from './generated/ambit/v1/Match.js';
import type { StringMatch__Output } from './generated/ambit/v1/StringMatch.js';
import type { Cidr__Output } from './generated/ambit/v1/Cidr.js';
import type { ServiceAccountMatch__Output } from './generated/ambit/v1/ServiceAccountMatch.js';
import type { MeshConfig__Output } from './generated/ambit/v1/MeshConfig.js';
import type { Waypoint__Output } from './generated/ambit/v1/Waypoint.js';
import type { PortMapping__Output } from './generated/ambit/v1/PortMapping.js';
import type { ResourceKind__Output } from './generated/ambit/v1/ResourceKind.js';
import type { L7Config__Output } from './generated/ambit/v1/L7Config.js';

export type Workload = Workload__Output;
export type Service = Service__Output;
export type ServicePort = ServicePort__Output;
export type Authorization = Authorization__Output;
export type AuthzRule = Rule__Output;
export type AuthzClause = Clause__Output;
export type AuthzMatch = Match__Output;
export type StringMatch = StringMatch__Output;
export type Cidr = Cidr__Output;
export type ServiceAccountMatch = ServiceAccountMatch__Output;
export type MeshConfig = MeshConfig__Output;
export type Waypoint = Waypoint__Output;
export type PortMapping = PortMapping__Output;
export type ResourceKind = ResourceKind__Output;
/** One service's L7 configuration on the wire: `json` is a ServiceL7Config (api/l7-model.ts). */
export type L7Config = L7Config__Output;

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';
export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** Every port number Ambit's processes use (same numbers as ztunnel/istiod). */
export const PORTS = {
  outbound: 15001,
  inboundPlaintext: 15006,
  hbone: 15008,
  admin: 15000,
  metrics: 15020,
  readiness: 15021,
  controllerGrpc: 15012,
} as const;

/** One resource of the model, tagged by kind (the unit of snapshot and delta). */
export type ModelResource =
  | { kind: 'WORKLOAD'; name: string; value: Workload }
  | { kind: 'SERVICE'; name: string; value: Service }
  | { kind: 'AUTHORIZATION'; name: string; value: Authorization }
  | { kind: 'MESH_CONFIG'; name: string; value: MeshConfig }
  /** Named by the service key (`<ns>/<hostname>`), like the SERVICE resource it configures. */
  | { kind: 'L7_CONFIG'; name: string; value: L7Config };

export function resourceKey(kind: ResourceKind, name: string): string {
  return `${kind}/${name}`;
}

export function serviceKey(s: Pick<Service, 'namespace' | 'hostname'>): string {
  return `${s.namespace}/${s.hostname}`;
}

export function policyKey(p: Pick<Authorization, 'namespace' | 'name'>): string {
  return `${p.namespace}/${p.name}`;
}

/** A fully defaulted empty Match, to build matches from in one expression. */
export function emptyMatch(): AuthzMatch {
  return {
    namespaces: [], notNamespaces: [], principals: [], notPrincipals: [],
    sourceIps: [], notSourceIps: [], destinationIps: [], notDestinationIps: [],
    destinationPorts: [], notDestinationPorts: [], serviceAccounts: [], notServiceAccounts: [],
  };
}
