// What a Kubernetes control plane would add to user YAML, done deterministically for the
// local runtime and the demo: Deployments become Pods spread over the nodes (with IPs
// from each node's pod CIDR 10.244.<n>.0/24), Services get a ClusterIP from
// 10.96.0.0/16, and objects get uids and creation timestamps. Pure: same input, same output.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../controller/config/resource.js';
import { groupKind } from '../../controller/config/resource.js';

export const POD_CIDR_PREFIX = '10.244';
export const SERVICE_CIDR_PREFIX = '10.96';

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function uidFor(key: string): string {
  const h = hash(`uid:${key}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The pod CIDR octet of a node name "node-<n>". */
export function nodeIndex(node: string): number {
  const m = /-(\d+)$/.exec(node);
  return m ? Number(m[1]) : 0;
}

interface DeploymentSpec { replicas?: number; template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> } }

export interface MaterializeOptions {
  nodes: readonly string[];
  /** When a creation timestamp is needed (objects keep the one they have). */
  now?: string;
}

export function materialize(objects: readonly KubeObject[], opts: MaterializeOptions): KubeObject[] {
  const now = opts.now ?? '2026-01-01T00:00:00Z';
  const withNamespace = objects.map((o) => (groupKind(o) === 'Namespace' || o.metadata.namespace ? o : { ...o, metadata: { ...o.metadata, namespace: 'default' } }));
  const out: KubeObject[] = [];
  const pods: KubeObject[] = [];
  for (const o of withNamespace) {
    const key = `${groupKind(o)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const base: KubeObject = { ...o, metadata: { uid: uidFor(key), creationTimestamp: now, ...o.metadata } };
    out.push(base);
    if (groupKind(o) === 'apps/Deployment') pods.push(...podsOf(base, opts.nodes, now));
    if (groupKind(o) === 'Pod') pods.push(out.pop()!);
  }
  assignPodAddresses(pods, opts.nodes);
  assignClusterIps(out);
  return [...out, ...pods];
}

function podsOf(deploy: KubeObject, nodes: readonly string[], now: string): KubeObject[] {
  const spec = (deploy.spec ?? {}) as DeploymentSpec;
  const replicas = spec.replicas ?? 1;
  const ns = deploy.metadata.namespace ?? 'default';
  const templateHash = hash(JSON.stringify(spec.template ?? {})).slice(0, 10);
  const rsName = `${deploy.metadata.name}-${templateHash}`;
  const offset = parseInt(hash(`${ns}/${deploy.metadata.name}`).slice(0, 8), 16) % Math.max(1, nodes.length);
  const result: KubeObject[] = [];
  for (let i = 0; i < replicas; i++) {
    const name = `${rsName}-${hash(`${rsName}/${i}`).slice(0, 5)}`;
    result.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        uid: uidFor(`Pod/${ns}/${name}`),
        creationTimestamp: now,
        labels: { ...(spec.template?.metadata?.labels ?? {}), 'pod-template-hash': templateHash },
        annotations: { ...(spec.template?.metadata?.annotations ?? {}) },
        ownerReferences: [{ kind: 'ReplicaSet', name: rsName, controller: true }],
      },
      spec: { ...(spec.template?.spec ?? {}), nodeName: nodes.length > 0 ? nodes[(offset + i) % nodes.length] : undefined },
    });
  }
  return result;
}

function assignPodAddresses(pods: KubeObject[], nodes: readonly string[]): void {
  const next = new Map<string, number>();
  const sorted = [...pods].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const pod of sorted) {
    const spec = (pod.spec ?? {}) as { nodeName?: string };
    spec.nodeName ??= nodes[0];
    pod.spec = spec;
    const node = spec.nodeName ?? '';
    const host = next.get(node) ?? 2; // .1 is the node's side of every pod link
    next.set(node, host + 1);
    const ip = `${POD_CIDR_PREFIX}.${nodeIndex(node)}.${host}`;
    pod.status = { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }], ...(pod.status ?? {}) };
  }
}

function assignClusterIps(objects: KubeObject[]): void {
  const used = new Set<string>([`${SERVICE_CIDR_PREFIX}.0.1`]); // the kubernetes Service's address
  const services = objects.filter((o) => groupKind(o) === 'Service');
  for (const s of services) {
    const ip = (s.spec as { clusterIP?: string } | undefined)?.clusterIP;
    if (ip) used.add(ip);
  }
  for (const s of services) {
    const spec = (s.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[]; type?: string };
    if (spec.clusterIP || spec.type === 'ExternalName') continue;
    let n = parseInt(hash(`${s.metadata.namespace}/${s.metadata.name}`).slice(0, 8), 16) % 65534;
    let ip: string;
    do {
      n = (n % 65533) + 1; // skip .0.0
      ip = `${SERVICE_CIDR_PREFIX}.${Math.floor(n / 256)}.${n % 256}`;
    } while (used.has(ip) || n % 256 === 0 || n % 256 === 255);
    used.add(ip);
    s.spec = { ...spec, clusterIP: ip, clusterIPs: [ip] };
  }
}
