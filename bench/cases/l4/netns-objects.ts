// The netns topology's cluster (pure): two nodes and two identical pod sets on them, one
// in the mesh and one not, so every mode crosses the same kind of links at the same time:
//
//   namespace mesh  (istio.io/dataplane-mode: ambient)  client 10.244.1.2 on node-1, server 10.244.2.2 on node-2
//   namespace plain (not in the mesh)                     client 10.244.1.3 on node-1, server 10.244.2.3 on node-2
//
// Ambit is measured mesh/client → mesh/server (captured by daemon node-1, HBONE to daemon
// node-2); direct plain/client → plain/server (routed through both nodes, not captured);
// the haproxy pair plain/client → haproxy A (node-1's netns) → haproxy B (node-2's) → plain/server.
//
// With the waypoint hop (B6) the cluster also has a waypoint for namespace mesh: the
// Gateway mesh/waypoint (class istio-waypoint), its pod mesh/waypoint 10.244.1.4 on node-1
// (outside the mesh, service account waypoint, so node-1's token may get its certificate)
// behind the Service waypoint (15008), and two Services for mesh/server: `server` (labelled
// istio.io/use-waypoint: waypoint) and `server-l4` (no waypoint), so the L4 path and the
// waypoint path address the same pod the same way (a Service VIP) and differ only by the hop.
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

/** The waypoint pod (B6): on the client's node; the nginx baseline runs in its netns too. */
export const WAYPOINT_POD = { namespace: 'mesh', name: 'waypoint', node: 'node-1', ip: '10.244.1.4', sa: 'waypoint' } as const satisfies Required<PodSpec>;
export const WAYPOINT_NAME = 'waypoint';
/** ClusterIPs of the B6 Services (SERVICE_CIDR 10.96.0.0/16). */
export const WAYPOINT_VIPS = { server: '10.96.0.10', serverL4: '10.96.0.11', waypoint: '10.96.0.20' } as const;
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** First listening port of haproxy A (node-1) and B (node-2), one per server port; below the ephemeral range, above the daemon's 15000-15021. */
export const HAPROXY_FIRST_PORT = { a: 20_000, b: 20_100 } as const;

export interface NetnsClusterOptions {
  /** Add the waypoint hop's objects (B6): waypointObjects(). */
  waypoint?: boolean;
}

export function netnsObjects(opts: NetnsClusterOptions = {}): KubeObject[] {
  const serverPorts = Object.values(SERVER_PORTS);
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mesh', uid: 'ns-mesh', labels: { ...AMBIENT_LABEL } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain', uid: 'ns-plain', labels: {} } },
    podObject(NETNS_PODS.meshClient, []),
    podObject(NETNS_PODS.meshServer, serverPorts),
    podObject(NETNS_PODS.plainClient, []),
    podObject(NETNS_PODS.plainServer, serverPorts),
    ...(opts.waypoint ? waypointObjects() : []),
  ];
}

/** A Service of namespace mesh with a fixed ClusterIP. */
function meshService(name: string, vip: string, selector: Record<string, string>, ports: { name: string; port: number }[], labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'mesh', uid: `uid-svc-mesh-${name}`, labels },
    spec: { clusterIP: vip, clusterIPs: [vip], selector, ports: ports.map((p) => ({ ...p, targetPort: p.port, protocol: 'TCP' })) },
  };
}

/**
 * The waypoint hop's objects (B6): the waypoint Gateway, its pod and Service, and the two
 * Services of mesh/server. The server ports are named so the waypoint knows their
 * protocol without sniffing: http (HTTP), tcp-bulk and tcp-echo (opaque TCP).
 */
export function waypointObjects(): KubeObject[] {
  const serverPorts = [
    { name: 'http', port: SERVER_PORTS.http },
    { name: 'tcp-bulk', port: SERVER_PORTS.bulk },
    { name: 'tcp-echo', port: SERVER_PORTS.echo },
  ];
  const wp = podObject(WAYPOINT_POD, [15008, 15020, 15021]);
  const pod: KubeObject = { ...wp, metadata: { ...wp.metadata, labels: { [GATEWAY_NAME_LABEL]: WAYPOINT_NAME, 'istio.io/dataplane-mode': 'none' } } };
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway',
      metadata: { name: WAYPOINT_NAME, namespace: 'mesh', uid: 'uid-gw-mesh-waypoint' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    },
    pod,
    meshService(WAYPOINT_NAME, WAYPOINT_VIPS.waypoint, { [GATEWAY_NAME_LABEL]: WAYPOINT_NAME }, [{ name: 'mesh', port: 15008 }], { [GATEWAY_NAME_LABEL]: WAYPOINT_NAME }),
    meshService('server', WAYPOINT_VIPS.server, { app: NETNS_PODS.meshServer.name }, serverPorts, { 'istio.io/use-waypoint': WAYPOINT_NAME }),
    meshService('server-l4', WAYPOINT_VIPS.serverL4, { app: NETNS_PODS.meshServer.name }, serverPorts),
  ];
}

/** The namespaces, links and routes of the cluster (cli/local/topology-plan.ts). */
export function netnsPlan(cluster: string, opts: NetnsClusterOptions = {}): TopologyPlan {
  return planTopology({ cluster, nodes: NETNS_NODES, pods: planPodsOf(netnsObjects(opts)) });
}
