// What a waypoint Gateway (class istio-waypoint) turns into, as Istio's gateway
// deployment controller does it: a ServiceAccount, a Deployment and a Service, each
// named after the Gateway, labelled `gateway.networking.k8s.io/gateway-name` and owned
// by the Gateway. The waypoint pod stays outside the mesh (`istio.io/dataplane-mode:
// none`): it speaks HBONE itself. Pure; the Kubernetes side applies these objects and
// `ambit local` materializes them like any Deployment.
import type { KubeObject } from '../config/resource.js';

export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
export const MANAGED_LABEL = 'gateway.istio.io/managed';
export const MANAGED_VALUE = 'istio.io-mesh-controller';
/** Ambit's one image (every `ambit` command); the tag is the release. */
export const AMBIT_IMAGE_REPOSITORY = 'ghcr.io/ambit-mesh/ambit';
export const AMBIT_VERSION = '0.1.0';

export interface WaypointDeploymentOptions {
  image?: string;
  /** The controller's discovery/CA address as pods reach it. */
  controllerAddress?: string;
}

/** The controller's Service as waypoint pods reach it in Kubernetes (manifests/). */
export const DEFAULT_CONTROLLER_ADDRESS = 'ambit-controller.istio-system.svc:15012';

export function waypointObjects(gateway: KubeObject, opts: WaypointDeploymentOptions = {}): KubeObject[] {
  const name = gateway.metadata.name;
  const namespace = gateway.metadata.namespace ?? 'default';
  const labels = { [GATEWAY_NAME_LABEL]: name, [MANAGED_LABEL]: MANAGED_VALUE };
  const ownerReferences = [{
    apiVersion: gateway.apiVersion, kind: 'Gateway', name, uid: gateway.metadata.uid ?? '', controller: true,
  }];
  const metadata = { name, namespace, labels, ownerReferences };
  const env = [
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    { name: 'SERVICE_ACCOUNT', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
    { name: 'AMBIT_CONTROLLER', value: opts.controllerAddress ?? DEFAULT_CONTROLLER_ADDRESS },
    { name: 'AMBIT_ROOT_CERT', value: '/var/run/ambit/root-cert.pem' },
    { name: 'AMBIT_TOKEN_FILE', value: '/var/run/secrets/tokens/istio-token' },
  ];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: { [GATEWAY_NAME_LABEL]: name } },
        template: {
          metadata: { labels: { ...labels, 'istio.io/dataplane-mode': 'none', 'service.istio.io/canonical-name': name } },
          spec: {
            serviceAccountName: name,
            terminationGracePeriodSeconds: 2,
            containers: [{
              name: 'istio-proxy',
              image: `${opts.image ?? `${AMBIT_IMAGE_REPOSITORY}:${AMBIT_VERSION}`}`,
              args: ['waypoint', 'run', '--namespace', '$(POD_NAMESPACE)', '--name', name],
              env,
              ports: [
                { name: 'hbone', containerPort: 15008, protocol: 'TCP' },
                { name: 'metrics', containerPort: 15020, protocol: 'TCP' },
                { name: 'status-port', containerPort: 15021, protocol: 'TCP' },
              ],
              readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 } },
            }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        selector: { [GATEWAY_NAME_LABEL]: name },
        ports: [{ name: 'mesh', port: 15008, targetPort: 15008, protocol: 'TCP', appProtocol: 'all' }],
      },
    },
  ];
}
