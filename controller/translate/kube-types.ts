// The fields of Kubernetes objects the translation reads, typed. Objects reach the
// translation only after validation, but every reader still tolerates absent fields.
import type { KubeObject } from '../config/resource.js';

export interface ContainerPort { name?: string; containerPort: number; protocol?: string }
export interface Container { name?: string; ports?: ContainerPort[] }
export interface PodSpec { nodeName?: string; serviceAccountName?: string; serviceAccount?: string; hostNetwork?: boolean; containers?: Container[] }
export interface PodStatus { phase?: string; podIP?: string; podIPs?: { ip: string }[]; conditions?: { type: string; status: string }[] }

export interface ServicePortSpec { name?: string; port: number; targetPort?: number | string; protocol?: string; appProtocol?: string }
export interface ServiceSpec { clusterIP?: string; clusterIPs?: string[]; ports?: ServicePortSpec[]; selector?: Record<string, string>; type?: string }

export interface EndpointSliceSpec {
  endpoints?: { addresses?: string[]; targetRef?: { kind?: string; name?: string; namespace?: string }; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number }[];
}

export function podSpec(o: KubeObject): PodSpec {
  return o.spec ?? {};
}

export function podStatus(o: KubeObject): PodStatus {
  return o.status ?? {};
}

export function serviceSpec(o: KubeObject): ServiceSpec {
  return o.spec ?? {};
}

export function labelsOf(o: KubeObject): Record<string, string> {
  return o.metadata.labels ?? {};
}

/** Does a matchLabels-style selector select these labels? An empty selector selects everything. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector)) {
    if (labels[k] !== v) return false;
  }
  return true;
}

/** The `spec.selector.matchLabels` of an Istio resource, or undefined when there is no selector. */
export function istioSelector(o: KubeObject): Record<string, string> | undefined {
  const sel = o.spec?.selector as { matchLabels?: Record<string, string> } | undefined | null;
  if (sel === undefined || sel === null) return undefined;
  return sel.matchLabels ?? {};
}
