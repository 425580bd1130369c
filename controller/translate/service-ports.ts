// Which services a pod backs, with each service port resolved to the pod's target port
// (named target ports are looked up in the pod's container ports, as kube-proxy does).
import type { PortMapping } from '../../api/model.js';
import { CLUSTER_DOMAIN } from '../../api/model.js';
import type { ConfigView } from '../config/kinds.js';
import { KINDS } from '../config/kinds.js';
import type { KubeObject } from '../config/resource.js';
import type { EndpointSliceSpec, ServicePortSpec } from './kube-types.js';
import { labelsOf, podSpec, selectorMatches, serviceSpec } from './kube-types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function serviceHostname(name: string, namespace: string): string {
  return `${name}.${namespace}.${CLUSTER_DOMAIN}`;
}

/** Resolves a Service port's targetPort for one pod; undefined when a named port is not on the pod. */
export function resolveTargetPort(port: ServicePortSpec, pod: KubeObject): number | undefined {
  const target = port.targetPort;
  if (target === undefined || target === '') return port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of podSpec(pod).containers ?? []) {
    for (const cp of c.ports ?? []) {
      if (cp.name === target && (cp.protocol ?? 'TCP') === (port.protocol ?? 'TCP')) return cp.containerPort;
    }
  }
  return undefined;
}

function mappingsFor(ports: readonly ServicePortSpec[], pod: KubeObject): PortMapping[] {
  const out: PortMapping[] = [];
  for (const p of ports) {
    if ((p.protocol ?? 'TCP') !== 'TCP') continue; // the mesh carries TCP only
    const targetPort = resolveTargetPort(p, pod);
    if (targetPort !== undefined) out.push({ servicePort: p.port, targetPort });
  }
  return out;
}

// Services grouped by namespace, computed once per (immutable) list the store hands out.
const byNamespaceCache = new WeakMap<readonly KubeObject[], Map<string, KubeObject[]>>();

function servicesByNamespace(list: readonly KubeObject[]): Map<string, KubeObject[]> {
  let index = byNamespaceCache.get(list);
  if (!index) {
    index = new Map();
    for (const svc of list) {
      const ns = svc.metadata.namespace ?? 'default';
      const group = index.get(ns);
      if (group) group.push(svc);
      else index.set(ns, [svc]);
    }
    byNamespaceCache.set(list, index);
  }
  return index;
}

/** Services of the pod's namespace that back onto this pod: "<ns>/<hostname>" → ports. */
export function servicesOfPod(view: ConfigView, pod: KubeObject, podIps: readonly string[]): Record<string, { ports: PortMapping[] }> {
  const ns = pod.metadata.namespace ?? 'default';
  const result: Record<string, { ports: PortMapping[] }> = {};
  const labels = labelsOf(pod);
  for (const svc of servicesByNamespace(view.list(KINDS.service)).get(ns) ?? []) {
    const spec = serviceSpec(svc);
    if (spec.type === 'ExternalName') continue;
    let ports: PortMapping[];
    if (spec.selector && Object.keys(spec.selector).length > 0) {
      if (!selectorMatches(spec.selector, labels)) continue;
      ports = mappingsFor(spec.ports ?? [], pod);
    } else {
      ports = selectorlessPorts(view, svc, pod, podIps);
    }
    if (ports.length > 0) result[`${ns}/${serviceHostname(svc.metadata.name, ns)}`] = { ports };
  }
  return result;
}

/** Ports of a Service without selector, from EndpointSlices that point at the pod. */
function selectorlessPorts(view: ConfigView, svc: KubeObject, pod: KubeObject, podIps: readonly string[]): PortMapping[] {
  const ns = svc.metadata.namespace;
  const out: PortMapping[] = [];
  for (const slice of view.list(KINDS.endpointSlice)) {
    if (slice.metadata.namespace !== ns || slice.metadata.labels?.[SERVICE_NAME_LABEL] !== svc.metadata.name) continue;
    const spec = slice as unknown as EndpointSliceSpec; // EndpointSlice keeps endpoints/ports at the top level
    const pointsAtPod = (spec.endpoints ?? []).some((e) =>
      (e.targetRef?.kind === 'Pod' && e.targetRef.name === pod.metadata.name) ||
      (e.addresses ?? []).some((a) => podIps.includes(a)));
    if (!pointsAtPod) continue;
    for (const sp of serviceSpec(svc).ports ?? []) {
      if ((sp.protocol ?? 'TCP') !== 'TCP') continue; // the mesh carries TCP only
      if (out.some((m) => m.servicePort === sp.port)) continue; // e.g. one slice per address family
      const match = (spec.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? ''));
      if (match?.port !== undefined) out.push({ servicePort: sp.port, targetPort: match.port });
    }
  }
  return out;
}
