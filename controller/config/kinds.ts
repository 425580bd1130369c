// Group-qualified kinds (see groupKind in resource.ts) that the controller reads.
import type { KubeObject } from './resource.js';

export const KINDS = {
  namespace: 'Namespace',
  pod: 'Pod',
  service: 'Service',
  serviceAccount: 'ServiceAccount',
  endpointSlice: 'discovery.k8s.io/EndpointSlice',
  deployment: 'apps/Deployment',
  authorizationPolicy: 'security.istio.io/AuthorizationPolicy',
  peerAuthentication: 'security.istio.io/PeerAuthentication',
  requestAuthentication: 'security.istio.io/RequestAuthentication',
  virtualService: 'networking.istio.io/VirtualService',
  destinationRule: 'networking.istio.io/DestinationRule',
  serviceEntry: 'networking.istio.io/ServiceEntry',
  istioGateway: 'networking.istio.io/Gateway',
  telemetry: 'telemetry.istio.io/Telemetry',
  gateway: 'gateway.networking.k8s.io/Gateway',
  gatewayClass: 'gateway.networking.k8s.io/GatewayClass',
  httpRoute: 'gateway.networking.k8s.io/HTTPRoute',
} as const;

/** Read-only view of the valid configuration, as the translation sees it. */
export interface ConfigView {
  list(groupKind: string): readonly KubeObject[];
  get(groupKind: string, namespace: string, name: string): KubeObject | undefined;
}
