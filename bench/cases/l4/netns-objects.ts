// The netns topology's cluster (pure): two nodes and two identical pod sets on them, one
// in the mesh and one not, so every mode crosses the same kind of links at the same time:
//
//   namespace mesh  (istio.io/dataplane-mode: ambient)  client 10.244.1.2 on node-1, server 10.244.2.2 on node-2
//   namespace plain (not in the mesh)                     client 10.244.1.3 on node-1, server 10.244.2.3 on node-2
//
// Ambit is measured mesh/client → mesh/server (captured by daemon node-1, HBONE to daemon
// node-2); direct plain/client → plain/server (routed through both nodes, not captured);
// the haproxy pair plain/client → haproxy A (node-1's netns) → haproxy B (node-2's) → plain/server.
import type { KubeObject } from '../../../controller/config/resource.js';
import { planPodsOf, planTopology, type TopologyPlan } from '../../../cli/local/topology-plan.js';
import { podObject, SERVER_PORTS, type PodSpec } from './objects.js';

export const NETNS_NODES = ['node-1', 'node-2'] as const;
export const AMBIENT_LABEL = { 'istio.io/dataplane-mode': 'ambient' } as const;

export const NETNS_PODS = {
  meshClient: { namespace: 'mesh', name: 'client', node: 'node-1', ip: '10.244.1.2', sa: 'client' },
  meshServer: { namespace: 'mesh', name: 'server', node: 'node-2', ip: '10.244.2.2', sa: 'server' },
  plainClient: { namespace: 'plain', name: 'client', node: 'node-1', ip: '10.244.1.3', sa: 'client' },
  plainServer: { namespace: 'plain', name: 'server', node: 'node-2', ip: '10.244.2.3', sa: 'server' },
} as const satisfies Record<string, Required<PodSpec>>;

/** First listening port of haproxy A (node-1) and B (node-2), one per server port; below the ephemeral range, above the daemon's 15000-15021. */
export const HAPROXY_FIRST_PORT = { a: 20_000, b: 20_100 } as const;

export function netnsObjects(): KubeObject[] {
  const serverPorts = Object.values(SERVER_PORTS);
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mesh', uid: 'ns-mesh', labels: { ...AMBIENT_LABEL } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain', uid: 'ns-plain', labels: {} } },
    podObject(NETNS_PODS.meshClient, []),
    podObject(NETNS_PODS.meshServer, serverPorts),
    podObject(NETNS_PODS.plainClient, []),
    podObject(NETNS_PODS.plainServer, serverPorts),
  ];
}

/** The namespaces, links and routes of the cluster (cli/local/topology-plan.ts). */
export function netnsPlan(cluster: string): TopologyPlan {
  return planTopology({ cluster, nodes: NETNS_NODES, pods: planPodsOf(netnsObjects()) });
}
