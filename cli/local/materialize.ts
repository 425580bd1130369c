// What a Kubernetes control plane would add to user YAML, done deterministically for the
// local runtime and the demo: Deployments become Pods spread over the nodes (with IPs
// from each node's pod CIDR 10.244.<n>.0/24), Services get a ClusterIP from
// 10.96.0.0/16, and objects get uids and creation timestamps. Pure: same input, same output.
//
// Addresses are stable when the previous assignments are given (`previous`, from
// `addressesOf` of the last result): a pod keeps its IP while it stays on the same node,
// a Service keeps its ClusterIP, whatever else was added or removed. New pods take the
// lowest free host number of their node; new Services a hash-chosen free ClusterIP.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../controller/config/resource.js';
import { AmbitError } from '../../api/errors.js';
import { groupKind } from '../../controller/config/resource.js';
import { waypointObjects } from '../../controller/gateway/waypoint-deployment.js';

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

/** Addresses handed out by a previous materialization, keyed "<namespace>/<name>". */
export interface AddressAssignments {
  pods: Readonly<Record<string, string>>;
  services: Readonly<Record<string, string>>;
}

export interface MaterializeOptions {
  nodes: readonly string[];
  /** When a creation timestamp is needed (objects keep the one they have). */
  now?: string;
  /** Keep these addresses (see addressesOf). */
  previous?: AddressAssignments;
}

/** Pod IPs and ClusterIPs of materialized objects, to pass as `previous` next time. */
export function addressesOf(objects: readonly KubeObject[]): AddressAssignments {
  const pods: Record<string, string> = {};
  const services: Record<string, string> = {};
  for (const o of objects) {
    const key = `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
    if (groupKind(o) === 'Pod') {
      const ip = (o.status as { podIP?: unknown } | undefined)?.podIP;
      if (typeof ip === 'string' && ip !== '') pods[key] = ip;
    } else if (groupKind(o) === 'Service') {
      const ip = (o.spec as { clusterIP?: unknown } | undefined)?.clusterIP;
      if (typeof ip === 'string' && ip !== '' && ip !== 'None') services[key] = ip;
    }
  }
  return { pods, services };
}

/**
 * What the controller's gateway deployment would create for each waypoint Gateway
 * (class istio-waypoint): its ServiceAccount, Deployment and Service, unless objects of
 * those names exist already.
 */
function withWaypointDeployments(objects: readonly KubeObject[]): KubeObject[] {
  const names = new Set(objects.map((o) => `${groupKind(o)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
  const extra: KubeObject[] = [];
  for (const o of objects) {
    if (groupKind(o) !== 'gateway.networking.k8s.io/Gateway' || (o.spec as { gatewayClassName?: unknown } | undefined)?.gatewayClassName !== 'istio-waypoint') continue;
    const uid = o.metadata.uid ?? uidFor(`${groupKind(o)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    for (const made of waypointObjects({ ...o, metadata: { ...o.metadata, uid } })) {
      if (!names.has(`${groupKind(made)}/${made.metadata.namespace ?? ''}/${made.metadata.name}`)) extra.push(made);
    }
  }
  return [...objects, ...extra];
}

export function materialize(objects: readonly KubeObject[], opts: MaterializeOptions): KubeObject[] {
  const now = opts.now ?? '2026-01-01T00:00:00Z';
  const withNamespace = objects.map((o) => (groupKind(o) === 'Namespace' || o.metadata.namespace ? o : { ...o, metadata: { ...o.metadata, namespace: 'default' } }));
  const out: KubeObject[] = [];
  const pods: KubeObject[] = [];
  for (const o of withWaypointDeployments(withNamespace)) {
    const key = `${groupKind(o)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const base: KubeObject = { ...o, metadata: { uid: uidFor(key), creationTimestamp: now, ...o.metadata } };
    out.push(base);
    if (groupKind(o) === 'apps/Deployment') pods.push(...podsOf(base, opts.nodes, now));
    if (groupKind(o) === 'Pod') pods.push(out.pop()!);
  }
  assignPodAddresses(pods, opts.nodes, opts.previous?.pods ?? {});
  assignClusterIps(out, opts.previous?.services ?? {});
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

/** Host number h of 10.244.<node>.h when `ip` is a pod address of that node (2..254), else undefined. */
function hostOnNode(ip: string | undefined, node: string): number | undefined {
  const m = ip === undefined ? null : /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m || `${m[1]}.${m[2]}` !== POD_CIDR_PREFIX || Number(m[3]) !== nodeIndex(node)) return undefined;
  const host = Number(m[4]);
  return host >= 2 && host <= 254 ? host : undefined;
}

function assignPodAddresses(pods: KubeObject[], nodes: readonly string[], previous: Readonly<Record<string, string>>): void {
  const used = new Map<string, Set<number>>();
  const usedOn = (node: string): Set<number> => {
    let set = used.get(node);
    if (!set) used.set(node, (set = new Set()));
    return set;
  };
  const sorted = [...pods].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  const pending: KubeObject[] = [];
  // Addresses given in the object, then the ones held before, are kept; the rest are handed out after.
  for (const pod of sorted) {
    const spec = { ...(pod.spec ?? {}) } as { nodeName?: string }; // a copy: the caller's object stays as it was
    spec.nodeName ??= nodes[0];
    pod.spec = spec;
    const given = (pod.status as { podIP?: unknown } | undefined)?.podIP;
    if (typeof given === 'string' && given !== '') {
      const host = hostOnNode(given, spec.nodeName ?? '');
      if (host !== undefined) usedOn(spec.nodeName ?? '').add(host);
    }
  }
  for (const pod of sorted) {
    const node = (pod.spec as { nodeName?: string }).nodeName ?? '';
    const given = (pod.status as { podIP?: unknown } | undefined)?.podIP;
    if (typeof given === 'string' && given !== '') {
      setPodIp(pod, node, undefined); // the object's own address
      continue;
    }
    const host = hostOnNode(previous[`${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`], node);
    if (host !== undefined && !usedOn(node).has(host)) {
      usedOn(node).add(host);
      setPodIp(pod, node, host);
    } else {
      pending.push(pod);
    }
  }
  for (const pod of pending) {
    const node = (pod.spec as { nodeName?: string }).nodeName ?? '';
    const taken = usedOn(node);
    let host = 2; // .1 is the node's side of every pod link
    while (taken.has(host)) host++;
    if (host > 254) throw new AmbitError('AMBIT_ERR_LOCAL_TOPOLOGY', `pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}: no free pod address left on ${node}`);
    taken.add(host);
    setPodIp(pod, node, host);
  }
}

function setPodIp(pod: KubeObject, node: string, host: number | undefined): void {
  const ip = host === undefined ? undefined : `${POD_CIDR_PREFIX}.${nodeIndex(node)}.${host}`;
  pod.status = { phase: 'Running', ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}), conditions: [{ type: 'Ready', status: 'True' }], ...(pod.status ?? {}) };
}

function assignClusterIps(objects: KubeObject[], previous: Readonly<Record<string, string>>): void {
  const used = new Set<string>([`${SERVICE_CIDR_PREFIX}.0.1`]); // the kubernetes Service's address
  const services = objects.filter((o) => groupKind(o) === 'Service');
  for (const s of services) {
    const ip = (s.spec as { clusterIP?: string } | undefined)?.clusterIP;
    if (ip) used.add(ip);
  }
  for (const s of services) {
    const spec = (s.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[]; type?: string };
    if (spec.clusterIP || spec.type === 'ExternalName') continue;
    const before = previous[`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`];
    if (before !== undefined && before.startsWith(`${SERVICE_CIDR_PREFIX}.`) && !used.has(before)) {
      used.add(before);
      s.spec = { ...spec, clusterIP: before, clusterIPs: [before] };
    }
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
