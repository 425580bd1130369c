// Pods → Workloads (pure). A workload is sent for every running pod with an IP, enrolled
// (tunnel HBONE) or not (tunnel NONE), so daemons can tell mesh from non-mesh peers.
import type { Workload } from '../../api/model.js';
import type { ConfigView } from '../config/kinds.js';
import { KINDS } from '../config/kinds.js';
import type { KubeObject } from '../config/resource.js';
import { isEnrolled } from './enrollment.js';
import { labelsOf, podSpec, podStatus } from './kube-types.js';
import type { MeshSettings } from './mesh.js';
import { servicesOfPod } from './service-ports.js';
import { resolveWaypoint } from './waypoints.js';

export function workloadUid(namespace: string, name: string): string {
  return `Kubernetes//Pod/${namespace}/${name}`;
}

export function podIps(pod: KubeObject): string[] {
  const status = podStatus(pod);
  const ips = (status.podIPs ?? []).map((p) => p.ip).filter((ip) => ip !== '');
  if (ips.length === 0 && status.podIP) ips.push(status.podIP);
  return ips;
}

export function serviceAccountOf(pod: KubeObject): string {
  const spec = podSpec(pod);
  return spec.serviceAccountName ?? spec.serviceAccount ?? 'default';
}

/**
 * The owning Deployment's name (a ReplicaSet owner "<deploy>-<pod-template-hash>", as
 * istiod's GetDeployMetaFromPod detects it), else the controller's name, else the pod's own.
 */
export function workloadNameOf(pod: KubeObject): string {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller ?? true);
  if (!owner) return pod.metadata.name;
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -(hash.length + 1));
  return owner.name;
}

export function canonicalName(labels: Record<string, string>, fallback: string): string {
  return labels['service.istio.io/canonical-name'] ?? labels['app.kubernetes.io/name'] ?? labels.app ?? fallback;
}

export function canonicalRevision(labels: Record<string, string>): string {
  return labels['service.istio.io/canonical-revision'] ?? labels['app.kubernetes.io/version'] ?? labels.version ?? 'latest';
}

function isReady(pod: KubeObject): boolean {
  const ready = podStatus(pod).conditions?.find((c) => c.type === 'Ready');
  return ready === undefined || ready.status === 'True';
}

/** Translates one pod; undefined when it has no IP yet, has finished, or shares the host network. */
export function translatePod(view: ConfigView, pod: KubeObject, mesh: MeshSettings, policyKeys: (pod: KubeObject) => string[]): Workload | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  const status = podStatus(pod);
  if (status.phase === 'Succeeded' || status.phase === 'Failed') return undefined;
  const spec = podSpec(pod);
  if (spec.hostNetwork) return undefined;
  const addresses = podIps(pod);
  if (addresses.length === 0) return undefined;

  const labels = labelsOf(pod);
  const nsLabels = view.get(KINDS.namespace, '', namespace)?.metadata.labels ?? {};
  const enrolled = isEnrolled(labels, nsLabels);
  const workloadName = workloadNameOf(pod);
  return {
    uid: workloadUid(namespace, pod.metadata.name),
    name: pod.metadata.name,
    namespace,
    addresses,
    node: spec.nodeName ?? '',
    serviceAccount: serviceAccountOf(pod),
    trustDomain: mesh.trustDomain,
    tunnelProtocol: enrolled ? 'HBONE' : 'NONE',
    services: servicesOfPod(view, pod, addresses),
    waypoint: enrolled ? resolveWaypoint(view, labels, nsLabels, namespace, 'workload') : null,
    canonicalName: canonicalName(labels, workloadName),
    canonicalRevision: canonicalRevision(labels),
    workloadName,
    authorizationPolicies: enrolled ? policyKeys(pod) : [],
    status: isReady(pod) ? 'HEALTHY' : 'UNHEALTHY',
    labels: { ...labels },
  };
}
