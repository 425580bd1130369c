// The Kubernetes kinds the controller lists and watches, and how each maps to an
// API path and to a sink origin.

export interface WatchedKind {
  /** API group; "" for the core group (served under /api/v1). */
  group: string;
  version: string;
  kind: string;
  /** Lower-case plural resource name used in the URL. */
  plural: string;
}

export const WATCHED_KINDS: readonly WatchedKind[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces' },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods' },
  { group: '', version: 'v1', kind: 'Service', plural: 'services' },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts' },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices' },
  { group: 'security.istio.io', version: 'v1', kind: 'AuthorizationPolicy', plural: 'authorizationpolicies' },
  { group: 'security.istio.io', version: 'v1', kind: 'PeerAuthentication', plural: 'peerauthentications' },
  { group: 'security.istio.io', version: 'v1', kind: 'RequestAuthentication', plural: 'requestauthentications' },
  { group: 'networking.istio.io', version: 'v1', kind: 'VirtualService', plural: 'virtualservices' },
  { group: 'networking.istio.io', version: 'v1', kind: 'DestinationRule', plural: 'destinationrules' },
  { group: 'networking.istio.io', version: 'v1', kind: 'ServiceEntry', plural: 'serviceentries' },
  { group: 'networking.istio.io', version: 'v1', kind: 'Gateway', plural: 'gateways' },
  { group: 'telemetry.istio.io', version: 'v1', kind: 'Telemetry', plural: 'telemetries' },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'GatewayClass', plural: 'gatewayclasses' },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'Gateway', plural: 'gateways' },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'HTTPRoute', plural: 'httproutes' },
];

/** "v1" for the core group, "<group>/<version>" otherwise. */
export function apiVersionOf(k: Pick<WatchedKind, 'group' | 'version'>): string {
  return k.group === '' ? k.version : `${k.group}/${k.version}`;
}

/** Cluster-wide collection path: /api/v1/pods or /apis/<group>/<version>/<plural>. */
export function collectionPath(k: WatchedKind): string {
  return k.group === '' ? `/api/${k.version}/${k.plural}` : `/apis/${k.group}/${k.version}/${k.plural}`;
}

/**
 * The origin a kind's objects are delivered under: "kube:Pod" for the core group,
 * "kube:<Kind>.<group>" otherwise ("kube:Gateway.networking.istio.io" and
 * "kube:Gateway.gateway.networking.k8s.io" are two different origins).
 */
export function kubeOrigin(k: Pick<WatchedKind, 'group' | 'kind'>): string {
  return k.group === '' ? `kube:${k.kind}` : `kube:${k.kind}.${k.group}`;
}
