// A Kubernetes-style object as read from YAML or the API server. Everything the
// controller consumes (Pods, Services, Istio and Gateway API kinds) has this shape.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  resourceVersion?: string;
  generation?: number;
  ownerReferences?: { kind: string; name: string; uid?: string; controller?: boolean }[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Kinds that are namespaced; everything else (Namespace, GatewayClass) is cluster-scoped. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'GatewayClass']);

/** Identity of an object inside the store: "<Kind>/<namespace>/<name>" ("" namespace for cluster-scoped). */
export function objectKey(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** "<namespace>/<name>" or "<name>" for messages. */
export function displayName(o: Pick<KubeObject, 'metadata'>): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
