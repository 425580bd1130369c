// The network layout of a local cluster, as data: which namespaces, links, addresses,
// routes and sysctls to create, in order, and how to delete what was created. Pure:
// topology.ts runs the operations.
//
// Layout (one Linux host, nothing attached to the host's own network namespace):
//
//   fabric netns  ambit-<c>-fabric   bridge br0 172.18.0.254/24 (a plain L2 segment
//                                    between nodes, like the docker network of kind)
//       │ veth "node-<n>" (bridge port)  ⇄  "eth0" in the node
//   node netns    ambit-<c>-node-<n> eth0 172.18.0.<n>/24 (the node's uplink);
//                                    10.244.<m>.0/24 via 172.18.0.<m> for every other node;
//                                    ip_forward=1, rp_filter=0, tcp_tw_reuse=1,
//                                    15000-15021 reserved from ephemeral ports
//       │ veth "av<hash>" 10.244.<n>.1/32 + route 10.244.<n>.<h>/32 dev av<hash>
//   pod netns     ambit-<c>-<ns>-<pod> eth0 10.244.<n>.<h>/32, default via 10.244.<n>.1 onlink
//
// Pod links are routed /32 veths (DESIGN §6), so pod-to-pod traffic always crosses the
// node's IP stack (where the daemon's tc programs sit), on the same node as across nodes.
// Nodes share one bridge in their own netns rather than a full mesh of veth pairs: one
// link per node, and a gateway address where a controller can listen for every node.
// No namespace has a route out: there is no link to the host netns at all, so no packet
// can leave the machine. Every link is created directly inside our namespaces (`ip -n`),
// so none ever appears in the host netns, even briefly.
import { createHash } from 'node:crypto';
import { AmbitError } from '../../api/errors.js';
import type { KubeObject } from '../../controller/config/resource.js';
import { groupKind } from '../../controller/config/resource.js';
import { POD_CIDR_PREFIX, nodeIndex } from './materialize.js';

export const NETNS_PREFIX = 'ambit-';
export const FABRIC_SUBNET_PREFIX = '172.18.0';
export const FABRIC_PREFIX_LENGTH = 24;
/** The bridge's own address in the fabric netns (a controller run there is reachable from every node). */
export const FABRIC_GATEWAY = `${FABRIC_SUBNET_PREFIX}.254`;
export const FABRIC_BRIDGE = 'br0';
/** The node's uplink inside its netns, and the pod's interface inside its netns. */
export const UPLINK = 'eth0';
export const POD_INTERFACE = 'eth0';
/** Longest network namespace name we make (readable in `ip netns list`; NAME_MAX is 255). */
export const MAX_NETNS_NAME = 64;
/** Ports of the node daemon (DESIGN §2) kept out of the ephemeral range inside nodes. */
export const RESERVED_PORTS = '15000-15021';
/** The Service VIP range (materialize.ts assigns ClusterIPs from it). */
export const SERVICE_CIDR = '10.96.0.0/16';

/** Sysctls set inside each node netns (never on the host), before any link is added. */
export const NODE_SYSCTLS: readonly (readonly [string, string])[] = [
  ['net.ipv4.ip_forward', '1'],
  ['net.ipv4.conf.all.rp_filter', '0'],
  ['net.ipv4.conf.default.rp_filter', '0'],
  ['net.ipv4.ip_local_port_range', '32768 60999'],
  ['net.ipv4.ip_local_reserved_ports', RESERVED_PORTS],
  ['net.ipv4.tcp_tw_reuse', '1'],
];

/** Something the runtime creates and must delete again; recorded in the state dir before it is created. */
export type Resource =
  | { kind: 'netns'; name: string }
  | { kind: 'link'; netns: string; name: string }
  | { kind: 'veth'; netns: string; name: string; peerNetns: string; peerName: string }
  /** The directory /etc/netns/<netns>/ holding the pod's hosts and resolv.conf. */
  | { kind: 'etc'; netns: string };

export type TopologyOp =
  | { op: 'netns-add'; netns: string }
  | { op: 'sysctl'; netns: string; key: string; value: string }
  | { op: 'veth-add'; netns: string; name: string; peerNetns: string; peerName: string }
  | { op: 'bridge-add'; netns: string; name: string }
  | { op: 'link-master'; netns: string; name: string; master: string }
  | { op: 'addr-add'; netns: string; dev: string; cidr: string }
  | { op: 'link-up'; netns: string; name: string }
  | { op: 'route-add'; netns: string; dst: string; dev: string; via?: string; onlink?: boolean }
  /** Packets to `dst` are dropped without an ICMP error (see SERVICE_CIDR). */
  | { op: 'route-blackhole'; netns: string; dst: string }
  | { op: 'etc-write'; netns: string; files: Readonly<Record<string, string>> };

export type DeleteOp =
  | { op: 'etc-remove'; netns: string }
  | { op: 'link-del'; netns: string; name: string; peerNetns?: string; peerName?: string }
  | { op: 'netns-del'; netns: string };

export interface PlanPod {
  namespace: string;
  name: string;
  node: string;
  ip: string;
  /** Files for /etc/netns/<netns>/ (names.ts podEtcFiles); none written when absent. */
  etc?: Readonly<Record<string, string>>;
}

export interface PlanInput {
  cluster: string;
  nodes: readonly string[];
  pods: readonly PlanPod[];
}

export interface NodeLayout {
  name: string;
  index: number;
  netns: string;
  ip: string;
  podCidr: string;
  /** The node's address on every pod link (the pods' next hop). */
  podGateway: string;
  uplink: string;
  /** The bridge port of this node in the fabric netns. */
  fabricPort: string;
}

export interface PodLayout {
  namespace: string;
  name: string;
  node: string;
  ip: string;
  netns: string;
  /** The pod link's name inside the node netns (where the daemon attaches). */
  hostVeth: string;
  /** The pod link's name inside the pod netns. */
  interface: string;
}

export interface TopologyPlan {
  cluster: string;
  fabric: { netns: string; bridge: string; gateway: string };
  nodes: NodeLayout[];
  pods: PodLayout[];
  ops: TopologyOp[];
}

const CLUSTER_NAME = /^[a-z][a-z0-9]{0,11}$/;
/** Cluster names that would collide with other users of the `ambit-` prefix (`ambit-t-…` is used by eBPF tests). */
export const RESERVED_CLUSTER_NAMES: ReadonlySet<string> = new Set(['t']);
const K8S_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const NODE_NAME = /^node-(\d+)$/;

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function topologyError(message: string): AmbitError {
  return new AmbitError('AMBIT_ERR_LOCAL_TOPOLOGY', message);
}

/** Throws unless `cluster` is a valid local cluster name (lowercase letters and digits, no '-', so prefixes never overlap). */
export function checkClusterName(cluster: string): void {
  if (!CLUSTER_NAME.test(cluster)) throw topologyError(`invalid local cluster name "${cluster}": 1-12 lowercase letters or digits, starting with a letter`);
  if (RESERVED_CLUSTER_NAMES.has(cluster)) throw topologyError(`local cluster name "${cluster}" is reserved`);
}

/** Every network namespace of cluster `cluster` starts with this. */
export function clusterPrefix(cluster: string): string {
  return `${NETNS_PREFIX}${cluster}-`;
}

function boundedName(name: string): string {
  return name.length <= MAX_NETNS_NAME ? name : `${name.slice(0, MAX_NETNS_NAME - 9)}-${shortHash(name, 8)}`;
}

export function fabricNetns(cluster: string): string {
  return `${clusterPrefix(cluster)}fabric`;
}

export function nodeNetns(cluster: string, node: string): string {
  return boundedName(`${clusterPrefix(cluster)}${node}`);
}

export function podNetns(cluster: string, namespace: string, pod: string): string {
  return boundedName(`${clusterPrefix(cluster)}${namespace}-${pod}`);
}

/** The node-side name of a pod's veth: "av" + 12 hex digits (fits IFNAMSIZ, 15 chars). */
export function podHostVeth(namespace: string, pod: string): string {
  return `av${shortHash(`${namespace}/${pod}`, 12)}`;
}

/** The index n of "node-<n>" (1..253: the last octet of the node IP and the third of its pod CIDR). */
export function nodeNumber(node: string): number {
  const m = NODE_NAME.exec(node);
  const n = m ? nodeIndex(node) : NaN;
  if (!(n >= 1 && n <= 253)) throw topologyError(`invalid local node name "${node}": expected node-<n> with n from 1 to 253`);
  return n;
}

export function nodeIp(node: string): string {
  return `${FABRIC_SUBNET_PREFIX}.${nodeNumber(node)}`;
}

export function nodeLayout(cluster: string, node: string): NodeLayout {
  const index = nodeNumber(node);
  return {
    name: node,
    index,
    netns: nodeNetns(cluster, node),
    ip: `${FABRIC_SUBNET_PREFIX}.${index}`,
    podCidr: `${POD_CIDR_PREFIX}.${index}.0/24`,
    podGateway: `${POD_CIDR_PREFIX}.${index}.1`,
    uplink: UPLINK,
    fabricPort: node,
  };
}

function checkPod(pod: PlanPod, node: NodeLayout | undefined): void {
  const who = `pod ${pod.namespace}/${pod.name}`;
  if (!K8S_NAME.test(pod.namespace) || pod.namespace.includes('.')) throw topologyError(`${who}: invalid namespace name`);
  if (!K8S_NAME.test(pod.name)) throw topologyError(`${who}: invalid pod name`);
  if (!node) throw topologyError(`${who}: node "${pod.node}" is not a node of this cluster`);
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(pod.ip);
  const host = m ? Number(m[4]) : NaN;
  if (!m || `${m[1]}.${m[2]}` !== POD_CIDR_PREFIX || Number(m[3]) !== node.index || !(host >= 2 && host <= 254)) {
    throw topologyError(`${who}: IP "${pod.ip}" is not a pod address of ${node.name} (${POD_CIDR_PREFIX}.${node.index}.2-254)`);
  }
}

/** The create operations of a whole cluster, in order. Throws AMBIT_ERR_LOCAL_TOPOLOGY on bad input or name clashes. */
export function planTopology(input: PlanInput): TopologyPlan {
  checkClusterName(input.cluster);
  const fabric = { netns: fabricNetns(input.cluster), bridge: FABRIC_BRIDGE, gateway: FABRIC_GATEWAY };
  const nodes = [...new Set(input.nodes)].map((n) => nodeLayout(input.cluster, n)).sort((a, b) => a.index - b.index);
  if (nodes.length === 0) throw topologyError('a local cluster needs at least one node');
  const byName = new Map(nodes.map((n) => [n.name, n]));

  const pods: PodLayout[] = [];
  for (const p of [...input.pods].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))) {
    const node = byName.get(p.node);
    checkPod(p, node);
    pods.push({ namespace: p.namespace, name: p.name, node: p.node, ip: p.ip, netns: podNetns(input.cluster, p.namespace, p.name), hostVeth: podHostVeth(p.namespace, p.name), interface: POD_INTERFACE });
  }

  // Names and addresses must be unique: two pods in one netns, or one IP twice, is a bug upstream.
  const seen = new Map<string, string>();
  const claim = (key: string, owner: string): void => {
    const prior = seen.get(key);
    if (prior !== undefined) throw topologyError(`${owner} and ${prior} would share ${key}`);
    seen.set(key, owner);
  };
  claim(`netns ${fabric.netns}`, 'the fabric');
  for (const n of nodes) claim(`netns ${n.netns}`, n.name);
  for (const p of pods) {
    const owner = `pod ${p.namespace}/${p.name}`;
    claim(`netns ${p.netns}`, owner);
    claim(`address ${p.ip}`, owner);
    claim(`link ${p.hostVeth} on ${p.node}`, owner);
  }

  const ops: TopologyOp[] = [];
  ops.push({ op: 'netns-add', netns: fabric.netns }, { op: 'link-up', netns: fabric.netns, name: 'lo' });
  ops.push({ op: 'bridge-add', netns: fabric.netns, name: fabric.bridge });
  ops.push({ op: 'addr-add', netns: fabric.netns, dev: fabric.bridge, cidr: `${fabric.gateway}/${FABRIC_PREFIX_LENGTH}` });
  ops.push({ op: 'link-up', netns: fabric.netns, name: fabric.bridge });

  for (const n of nodes) {
    ops.push({ op: 'netns-add', netns: n.netns }, { op: 'link-up', netns: n.netns, name: 'lo' });
    for (const [key, value] of NODE_SYSCTLS) ops.push({ op: 'sysctl', netns: n.netns, key, value });
    ops.push({ op: 'veth-add', netns: n.netns, name: n.uplink, peerNetns: fabric.netns, peerName: n.fabricPort });
    ops.push({ op: 'link-master', netns: fabric.netns, name: n.fabricPort, master: fabric.bridge });
    ops.push({ op: 'link-up', netns: fabric.netns, name: n.fabricPort });
    ops.push({ op: 'addr-add', netns: n.netns, dev: n.uplink, cidr: `${n.ip}/${FABRIC_PREFIX_LENGTH}` });
    ops.push({ op: 'link-up', netns: n.netns, name: n.uplink });
  }
  for (const n of nodes) {
    for (const other of nodes) {
      if (other !== n) ops.push({ op: 'route-add', netns: n.netns, dst: other.podCidr, via: other.ip, dev: n.uplink });
    }
    // No kube-proxy: Service VIPs exist only through the node daemon, which captures
    // connections to them. While it restarts, a SYN to a VIP is dropped silently (and
    // retransmitted into the new daemon a second later) instead of failing at once.
    ops.push({ op: 'route-blackhole', netns: n.netns, dst: SERVICE_CIDR });
    // The fabric reaches pods too (for a controller or a test client run there); it does not forward.
    ops.push({ op: 'route-add', netns: fabric.netns, dst: n.podCidr, via: n.ip, dev: fabric.bridge });
  }

  for (const p of pods) {
    const n = byName.get(p.node)!;
    ops.push({ op: 'netns-add', netns: p.netns }, { op: 'link-up', netns: p.netns, name: 'lo' });
    ops.push({ op: 'veth-add', netns: n.netns, name: p.hostVeth, peerNetns: p.netns, peerName: p.interface });
    ops.push({ op: 'addr-add', netns: p.netns, dev: p.interface, cidr: `${p.ip}/32` });
    ops.push({ op: 'link-up', netns: p.netns, name: p.interface });
    ops.push({ op: 'addr-add', netns: n.netns, dev: p.hostVeth, cidr: `${n.podGateway}/32` });
    ops.push({ op: 'link-up', netns: n.netns, name: p.hostVeth });
    ops.push({ op: 'route-add', netns: p.netns, dst: 'default', via: n.podGateway, dev: p.interface, onlink: true });
    ops.push({ op: 'route-add', netns: n.netns, dst: `${p.ip}/32`, dev: p.hostVeth });
    const etc = input.pods.find((x) => x.namespace === p.namespace && x.name === p.name)?.etc;
    if (etc) ops.push({ op: 'etc-write', netns: p.netns, files: etc });
  }
  return { cluster: input.cluster, fabric, nodes, pods, ops };
}

/** The resource an operation creates, if it creates one (what gets recorded before running it). */
export function resourceOf(op: TopologyOp): Resource | undefined {
  switch (op.op) {
    case 'netns-add': return { kind: 'netns', name: op.netns };
    case 'veth-add': return { kind: 'veth', netns: op.netns, name: op.name, peerNetns: op.peerNetns, peerName: op.peerName };
    case 'bridge-add': return { kind: 'link', netns: op.netns, name: op.name };
    case 'etc-write': return { kind: 'etc', netns: op.netns };
    default: return undefined;
  }
}

export function resourcesOf(plan: Pick<TopologyPlan, 'ops'>): Resource[] {
  return plan.ops.map(resourceOf).filter((r): r is Resource => r !== undefined);
}

export function sameResource(a: Resource, b: Resource): boolean {
  return resourceKey(a) === resourceKey(b);
}

export function resourceKey(r: Resource): string {
  switch (r.kind) {
    case 'netns': return `netns ${r.name}`;
    case 'etc': return `etc ${r.netns}`;
    default: return `link ${r.netns} ${r.name}`;
  }
}

/** The network namespace a resource lives in (for a netns: itself). */
export function resourceNetns(r: Resource): string {
  return r.kind === 'netns' ? r.name : r.netns;
}

/** How to delete resources: the reverse of their creation order. */
export function deleteOps(resources: readonly Resource[]): DeleteOp[] {
  return [...resources].reverse().map((r): DeleteOp => {
    switch (r.kind) {
      case 'etc': return { op: 'etc-remove', netns: r.netns };
      case 'netns': return { op: 'netns-del', netns: r.name };
      case 'link': return { op: 'link-del', netns: r.netns, name: r.name };
      case 'veth': return { op: 'link-del', netns: r.netns, name: r.name, peerNetns: r.peerNetns, peerName: r.peerName };
    }
  });
}

/** The `ip` arguments of an operation; undefined for file operations (etc-write). */
export function ipArgs(op: TopologyOp): string[] | undefined {
  switch (op.op) {
    case 'netns-add': return ['netns', 'add', op.netns];
    case 'sysctl': return ['netns', 'exec', op.netns, 'sysctl', '-q', '-w', `${op.key}=${op.value}`];
    case 'veth-add': return ['-n', op.netns, 'link', 'add', op.name, 'type', 'veth', 'peer', 'name', op.peerName, 'netns', op.peerNetns];
    case 'bridge-add': return ['-n', op.netns, 'link', 'add', op.name, 'type', 'bridge'];
    case 'link-master': return ['-n', op.netns, 'link', 'set', 'dev', op.name, 'master', op.master];
    case 'addr-add': return ['-n', op.netns, 'addr', 'replace', op.cidr, 'dev', op.dev];
    case 'link-up': return ['-n', op.netns, 'link', 'set', 'dev', op.name, 'up'];
    case 'route-add':
      return ['-n', op.netns, 'route', 'replace', op.dst, ...(op.via ? ['via', op.via] : []), 'dev', op.dev, ...(op.onlink ? ['onlink'] : [])];
    case 'route-blackhole': return ['-n', op.netns, 'route', 'replace', 'blackhole', op.dst];
    case 'etc-write': return undefined;
  }
}

/** One line per operation, for `--dry-run` output and logs. */
export function describeOp(op: TopologyOp | DeleteOp): string {
  switch (op.op) {
    case 'etc-write': return `write /etc/netns/${op.netns}/{${Object.keys(op.files).sort().join(',')}}`;
    case 'etc-remove': return `rm -r /etc/netns/${op.netns}`;
    case 'link-del': return `ip -n ${op.netns} link del ${op.name}`;
    case 'netns-del': return `ip netns del ${op.netns}`;
    default: return `ip ${ipArgs(op)!.join(' ')}`;
  }
}

/** The PlanPods of materialized objects: every Pod with a node and a pod IP. */
export function planPodsOf(objects: readonly KubeObject[], etc?: (pod: KubeObject) => Readonly<Record<string, string>>): PlanPod[] {
  const out: PlanPod[] = [];
  for (const o of objects) {
    if (groupKind(o) !== 'Pod') continue;
    const node = (o.spec as { nodeName?: unknown } | undefined)?.nodeName;
    const ip = (o.status as { podIP?: unknown } | undefined)?.podIP;
    if (typeof node !== 'string' || typeof ip !== 'string') continue;
    out.push({ namespace: o.metadata.namespace ?? 'default', name: o.metadata.name, node, ip, ...(etc ? { etc: etc(o) } : {}) });
  }
  return out;
}
