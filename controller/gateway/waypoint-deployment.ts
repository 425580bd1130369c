// What a waypoint Gateway (class istio-waypoint) turns into, as Istio's gateway
// deployment controller does it: a ServiceAccount, a Deployment and a Service, each
// named after the Gateway, labelled `gateway.networking.k8s.io/gateway-name` and owned
// by the Gateway. The waypoint pod stays outside the mesh (`istio.io/dataplane-mode:
// none`): it speaks HBONE itself. Its pod mounts a projected service-account token
// (audience istio-ca) it authenticates to the controller with, and the mesh root from
// the namespace's `istio-ca-root-cert` ConfigMap. Pure; in Kubernetes the gateway
// deployment controller applies these objects (deployment-controller.ts), `ambit local`
// materializes them like any Deployment (its processes ignore the volumes).
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

/** The ConfigMap with the mesh root certificate, one per namespace with a waypoint (Istio's name). */
export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
export const ROOT_CERT_KEY = 'root-cert.pem';
/** The audience of the waypoint's projected service-account token: the CA's (TokenReview checks it). */
export const CA_TOKEN_AUDIENCE = 'istio-ca';
const ROOT_CERT_DIR = '/var/run/ambit';
const TOKEN_DIR = '/var/run/secrets/tokens';
const TOKEN_FILE = 'istio-token';

/** The mesh root certificate as the waypoint pods of `namespace` mount it (`istio-ca-root-cert`). */
export function rootCertConfigMap(namespace: string, rootPem: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ROOT_CERT_CONFIGMAP, namespace, labels: { 'istio.io/config': 'true' } },
    data: { [ROOT_CERT_KEY]: rootPem },
  };
}

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
    { name: 'AMBIT_ROOT_CERT', value: `${ROOT_CERT_DIR}/${ROOT_CERT_KEY}` },
    { name: 'AMBIT_TOKEN_FILE', value: `${TOKEN_DIR}/${TOKEN_FILE}` },
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
              volumeMounts: [
                { name: 'istio-token', mountPath: TOKEN_DIR, readOnly: true },
                { name: 'root-cert', mountPath: ROOT_CERT_DIR, readOnly: true },
              ],
            }],
            volumes: [
              // Its own bound token for the CA and discovery (TokenReview: this service account, this node).
              { name: 'istio-token', projected: { sources: [{ serviceAccountToken: { path: TOKEN_FILE, audience: CA_TOKEN_AUDIENCE, expirationSeconds: 43200 } }] } },
              // The mesh root, to verify the controller (published in the namespace by the controller).
              { name: 'root-cert', configMap: { name: ROOT_CERT_CONFIGMAP, items: [{ key: ROOT_CERT_KEY, path: ROOT_CERT_KEY }] } },
            ],
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
