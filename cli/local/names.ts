// Name resolution inside pods of the local runtime, without a DNS server: each pod netns
// gets its own /etc/hosts and /etc/resolv.conf under /etc/netns/<netns>/, which
// `ip netns exec` bind-mounts over /etc for every process it starts. Pure: the file
// contents only (topology.ts writes them).
//
// glibc's "files" backend matches names literally (the resolv.conf search list only
// applies to DNS), so every spelling a pod may use is listed: short names for the
// pod's own namespace, `<name>.<ns>`, `<name>.<ns>.svc` and the FQDN for all.
import type { KubeObject } from '../../controller/config/resource.js';
import { groupKind } from '../../controller/config/resource.js';

export const CLUSTER_DOMAIN = 'cluster.local';

/** A Service and the addresses its names resolve to (ClusterIP, or ready pod IPs when headless). */
export interface ServiceAddresses {
  namespace: string;
  name: string;
  addresses: readonly string[];
}

export interface HostsPod {
  namespace: string;
  name: string;
  /** The pod's own IP (kubelet lists `<podIP> <hostname>`). */
  ip?: string;
  /** spec.hostname when set; the pod name otherwise. */
  hostname?: string;
}

interface ServiceSpec { clusterIP?: string; type?: string; selector?: Record<string, string> }

function podIp(pod: KubeObject): string | undefined {
  const ip = (pod.status as { podIP?: unknown } | undefined)?.podIP;
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels?.[k] === selector[k]);
}

/**
 * The Services of a set of (materialized) objects with their addresses: the ClusterIP,
 * or for a headless Service the IPs of the pods it selects. ExternalName Services and
 * Services without an address are left out (a hosts file cannot hold a CNAME).
 */
export function serviceAddresses(objects: readonly KubeObject[]): ServiceAddresses[] {
  const pods = objects.filter((o) => groupKind(o) === 'Pod');
  const out: ServiceAddresses[] = [];
  for (const s of objects) {
    if (groupKind(s) !== 'Service') continue;
    const namespace = s.metadata.namespace ?? 'default';
    const spec = (s.spec ?? {}) as ServiceSpec;
    if (spec.type === 'ExternalName') continue;
    let addresses: string[];
    if (spec.clusterIP && spec.clusterIP !== 'None') {
      addresses = [spec.clusterIP];
    } else if (spec.clusterIP === 'None' && spec.selector) {
      const selector = spec.selector;
      addresses = pods
        .filter((p) => (p.metadata.namespace ?? 'default') === namespace && selects(selector, p.metadata.labels))
        .map(podIp)
        .filter((ip): ip is string => ip !== undefined)
        .sort();
    } else {
      addresses = [];
    }
    if (addresses.length > 0) out.push({ namespace, name: s.metadata.name, addresses });
  }
  return out.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** The names of a Service as seen from a pod in `fromNamespace`. */
export function serviceHostnames(svc: Pick<ServiceAddresses, 'namespace' | 'name'>, fromNamespace: string, domain = CLUSTER_DOMAIN): string[] {
  const qualified = [`${svc.name}.${svc.namespace}`, `${svc.name}.${svc.namespace}.svc`, `${svc.name}.${svc.namespace}.svc.${domain}`];
  return svc.namespace === fromNamespace ? [svc.name, ...qualified] : qualified;
}

/** /etc/hosts of a pod: localhost, the pod's own name, then its namespace's Services, then the others'. */
export function hostsFile(pod: HostsPod, services: readonly ServiceAddresses[], domain = CLUSTER_DOMAIN): string {
  const lines = [
    '# Kubernetes-style hosts file written by ambit local (there is no DNS server: names resolve from here only).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
  ];
  if (pod.ip) lines.push(`${pod.ip}\t${pod.hostname ?? pod.name}`);
  const own = services.filter((s) => s.namespace === pod.namespace);
  const others = services.filter((s) => s.namespace !== pod.namespace);
  for (const svc of [...own, ...others]) {
    const names = serviceHostnames(svc, pod.namespace, domain).join(' ');
    for (const ip of svc.addresses) lines.push(`${ip}\t${names}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * /etc/resolv.conf of a pod: Kubernetes' search list, and no nameserver line, so glibc
 * falls back to 127.0.0.1 inside the pod netns, where nothing listens: names not in
 * the hosts file fail at once and nothing is ever asked of a resolver outside.
 */
export function resolvConf(namespace: string, domain = CLUSTER_DOMAIN): string {
  return [
    '# Written by ambit local: names resolve from /etc/hosts only; no nameserver, so nothing outside the mesh resolves.',
    `search ${namespace}.svc.${domain} svc.${domain} ${domain}`,
    'options ndots:5 attempts:1 timeout:1',
    '',
  ].join('\n');
}

/** The files to place in /etc/netns/<pod netns>/ for one pod. */
export function podEtcFiles(pod: KubeObject, objects: readonly KubeObject[], domain = CLUSTER_DOMAIN): { hosts: string; 'resolv.conf': string } {
  const namespace = pod.metadata.namespace ?? 'default';
  const hostname = (pod.spec as { hostname?: unknown } | undefined)?.hostname;
  const hostsPod: HostsPod = { namespace, name: pod.metadata.name, ip: podIp(pod), hostname: typeof hostname === 'string' && hostname ? hostname : undefined };
  return { hosts: hostsFile(hostsPod, serviceAddresses(objects), domain), 'resolv.conf': resolvConf(namespace, domain) };
}
