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
  ownerReferences?: { apiVersion?: string; kind: string; name: string; uid?: string; controller?: boolean }[];
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

/** The API group of an apiVersion: "" for core ("v1"), "apps" for "apps/v1". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Group-qualified kind, e.g. "Pod", "apps/Deployment", "gateway.networking.k8s.io/Gateway". */
export function groupKind(o: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const group = groupOf(o.apiVersion);
  return group ? `${group}/${o.kind}` : o.kind;
}

/** Identity of an object inside the store: "<group/Kind>/<namespace>/<name>" ("" namespace when cluster-scoped). */
export function objectKey(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${groupKind(o)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** "<namespace>/<name>" or "<name>" for messages. */
export function displayName(o: Pick<KubeObject, 'metadata'>): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
