// The L4 cases' cluster: one enrolled namespace, a client pod on node-1 and a server
// pod on node-2 (different service accounts, so the tunnel carries two identities).
import type { KubeObject } from '../../../controller/config/resource.js';

export const NODE_IPS: Record<string, string> = { 'node-1': '172.18.0.1', 'node-2': '172.18.0.2' };
export const CLIENT = { ip: '10.244.1.5', node: 'node-1', name: 'client', sa: 'client' } as const;
export const SERVER = { ip: '10.244.2.2', node: 'node-2', name: 'server', sa: 'server' } as const;
/** The server pod's ports: HTTP (B1/B2), bulk (B3), echo-and-close (B4). */
export const SERVER_PORTS = { http: 8080, bulk: 9000, echo: 9100 } as const;

export interface PodSpec { ip: string; node: string; name: string; sa: string; namespace?: string }

/** A running pod pinned to its node, with its address (what the control plane would have made of it). */
export function podObject(p: PodSpec, ports: number[]): KubeObject {
  const namespace = p.namespace ?? 'bench';
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: p.name, namespace, uid: `uid-${namespace}-${p.name}`, labels: { app: p.name } },
    spec: { nodeName: p.node, serviceAccountName: p.sa, containers: [{ name: 'app', ports: ports.map((containerPort) => ({ containerPort })) }] },
    status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export function l4Objects(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench', uid: 'ns-bench', labels: { 'istio.io/dataplane-mode': 'ambient' } } },
    podObject(CLIENT, []),
    podObject(SERVER, Object.values(SERVER_PORTS)),
  ];
}
