// Services and ServiceEntries → Services (pure).
import type { Service, ServicePort } from '../../api/model.js';
import type { ConfigView } from '../config/kinds.js';
import { KINDS } from '../config/kinds.js';
import type { KubeObject } from '../config/resource.js';
import { serviceSpec } from './kube-types.js';
import { serviceHostname } from './service-ports.js';
import { resolveWaypoint } from './waypoints.js';

export function translateService(view: ConfigView, svc: KubeObject): Service | undefined {
  const spec = serviceSpec(svc);
  if (spec.type === 'ExternalName') return undefined;
  const namespace = svc.metadata.namespace ?? 'default';
  const vips = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip !== '' && ip !== 'None');
  const ports: ServicePort[] = (spec.ports ?? [])
    .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
    .map((p) => ({
      servicePort: p.port,
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.targetPort === undefined ? p.port : /^\d+$/.test(p.targetPort) ? Number(p.targetPort) : 0,
      name: p.name ?? '',
      appProtocol: p.appProtocol ?? '',
    }));
  const nsLabels = view.get(KINDS.namespace, '', namespace)?.metadata.labels ?? {};
  return {
    name: svc.metadata.name,
    namespace,
    hostname: serviceHostname(svc.metadata.name, namespace),
    addresses: vips,
    ports,
    subjectAltNames: [],
    waypoint: resolveWaypoint(view, svc.metadata.labels ?? {}, nsLabels, namespace, 'service'),
    sourceKind: 'Service',
    resolution: '',
  };
}

interface ServiceEntrySpec {
  hosts?: string[];
  addresses?: string[];
  ports?: { number: number; name?: string; protocol?: string; targetPort?: number }[];
  resolution?: string;
  subjectAltNames?: string[];
}

/** One Service per ServiceEntry host (stored for egress policy and REGISTRY_ONLY). */
export function translateServiceEntry(se: KubeObject): Service[] {
  const spec = (se.spec ?? {}) as ServiceEntrySpec;
  const namespace = se.metadata.namespace ?? 'default';
  const ports: ServicePort[] = (spec.ports ?? []).map((p) => ({
    servicePort: p.number,
    targetPort: p.targetPort ?? p.number,
    name: p.name ?? '',
    appProtocol: (p.protocol ?? '').toLowerCase(),
  }));
  return (spec.hosts ?? []).map((host) => ({
    name: se.metadata.name,
    namespace,
    hostname: host,
    addresses: [...(spec.addresses ?? [])],
    ports,
    subjectAltNames: [...(spec.subjectAltNames ?? [])],
    waypoint: null,
    sourceKind: 'ServiceEntry',
    resolution: spec.resolution ?? 'NONE',
  }));
}
