// Which pods are in the mesh: namespace or pod label istio.io/dataplane-mode=ambient;
// a pod label istio.io/dataplane-mode=none opts the pod out.

export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';

export function isEnrolled(podLabels: Record<string, string>, namespaceLabels: Record<string, string>, hostNetwork = false): boolean {
  if (hostNetwork) return false; // a host-network pod shares the node's address: it cannot be captured
  const podMode = podLabels[DATAPLANE_MODE_LABEL];
  if (podMode === 'none') return false;
  if (podMode === 'ambient') return true;
  return namespaceLabels[DATAPLANE_MODE_LABEL] === 'ambient';
}
