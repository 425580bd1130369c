// The B8 workload: enrolled namespaces holding `pods` pods spread evenly over `nodes`
// nodes ("node-1".."node-N", pod IPs 10.244.<node>.<2..> like `ambit local`), each pod
// owned by a Deployment's ReplicaSet and selected by exactly one of `services` Services
// (so every Service has pods/services endpoints). Objects look like what the API server
// returns for a Deployment's pods (uid, owner, pod-template-hash, container ports, Ready).
import type { KubeObject } from '../../../controller/config/resource.js';

export interface FleetSize {
  pods: number;
  services: number;
  nodes: number;
  namespaces: number;
}

export interface Fleet {
  objects: KubeObject[];
  /** Index in `objects` of each pod, in pod order. */
  podIndexes: number[];
  nodes: string[];
}

const AMBIENT = { 'istio.io/dataplane-mode': 'ambient' };

function templateHash(ns: string, app: string): string {
  let h = 0;
  for (const ch of `${ns}/${app}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h.toString(36).padStart(7, '0').slice(-7);
}

export function buildFleet(size: FleetSize): Fleet {
  const { pods, services, nodes, namespaces } = size;
  if (services % namespaces !== 0 || pods % services !== 0) throw new Error('services must divide evenly over namespaces, pods over services');
  if (Math.ceil(pods / nodes) > 250) throw new Error('more than 250 pods per node do not fit the node /24');
  const servicesPerNs = services / namespaces;
  const podsPerService = pods / services;
  const objects: KubeObject[] = [];
  const nodeNames = Array.from({ length: nodes }, (_, i) => `node-${i + 1}`);

  for (let n = 0; n < namespaces; n++) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}`, uid: `ns-${n}`, labels: { ...AMBIENT } } });
  }
  for (let s = 0; s < services; s++) {
    const ns = `bench-${Math.floor(s / servicesPerNs)}`;
    const app = `app-${s % servicesPerNs}`;
    const vip = `10.96.${1 + Math.floor(s / 250)}.${1 + (s % 250)}`;
    objects.push({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: app, namespace: ns, uid: `svc-${s}`, labels: { app } },
      spec: { type: 'ClusterIP', clusterIP: vip, clusterIPs: [vip], selector: { app }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }] },
    });
  }
  const podIndexes: number[] = [];
  for (let p = 0; p < pods; p++) {
    const s = Math.floor(p / podsPerService);
    const ns = `bench-${Math.floor(s / servicesPerNs)}`;
    const app = `app-${s % servicesPerNs}`;
    const hash = templateHash(ns, app);
    const node = p % nodes;
    const ip = `10.244.${node + 1}.${2 + Math.floor(p / nodes)}`;
    const name = `${app}-${hash}-${(p % podsPerService).toString(36).padStart(5, 'x')}`;
    podIndexes.push(objects.length);
    objects.push({
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name, namespace: ns, uid: `pod-${p}`, creationTimestamp: '2026-01-01T00:00:00Z',
        labels: { app, version: 'v1', 'pod-template-hash': hash },
        ownerReferences: [{ kind: 'ReplicaSet', name: `${app}-${hash}`, controller: true }],
      },
      spec: {
        nodeName: nodeNames[node], serviceAccountName: app,
        containers: [{ name: 'app', image: 'registry.example/app:1', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }],
      },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
  return { objects, podIndexes, nodes: nodeNames };
}

/** The fleet with one label added to (or changed on) one pod: the single change B8 pushes. */
export function withPodLabel(objects: readonly KubeObject[], index: number, key: string, value: string): KubeObject[] {
  const next = [...objects];
  const pod = objects[index]!;
  next[index] = { ...pod, metadata: { ...pod.metadata, labels: { ...(pod.metadata.labels ?? {}), [key]: value } } };
  return next;
}
