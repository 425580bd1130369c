// What an L4 case (B1-B5) sees of its mesh, whichever topology carries it: the loopback
// mesh (l4-mesh.ts: virtual addresses over 127.0.0.1, no root) or the netns topology
// (netns-mesh.ts: network namespaces as nodes and pods, eBPF capture, the real
// `ambit daemon`). Same modes, targets, load generator API and /proc windows.
import type { KubeObject } from '../../../controller/config/resource.js';
import type { WindowResult } from '../../lib/proc-stats.js';
import type { RpcChild } from '../../lib/ipc-rpc.js';
import type { LogProblems } from './log-problems.js';
import type { AuthzStats, DaemonStats, HaproxyStarted, LoadApi, NginxStarted, PodPorts, Target, WaypointStats } from './messages.js';

/**
 * How a client reaches the server: direct, Ambit (L4, to the server pod's IP), the haproxy
 * pair; with the waypoint hop (B6, netns only) also ambit-vip (L4 to a Service VIP without a
 * waypoint), waypoint (the same through the Service's waypoint) and nginx (plain HTTP
 * reverse proxy in the waypoint pod's netns).
 */
export type Mode = 'direct' | 'ambit' | 'haproxy' | 'ambit-vip' | 'waypoint' | 'nginx';
export type Service = keyof PodPorts;
export type Topology = 'netns' | 'loopback';

/** A pod of the mesh's cluster. */
export interface MeshPod { namespace: string; name: string; node: string; ip: string; sa: string }

/** The objects the controller was started with, and the enrolled pods Ambit's mode connects (client → server). */
export interface MeshCluster {
  objects: KubeObject[];
  client: MeshPod;
  server: MeshPod;
}

export interface L4MeshOptions {
  /** Start the haproxy pair baseline (if haproxy is installed). */
  haproxy: boolean;
  /** Response body of the HTTP server (B1/B2: 1 KB). */
  httpBodyBytes?: number;
  /** Add the waypoint hop and its nginx baseline (B6; netns topology only): modes ambit-vip, waypoint, nginx. */
  waypoint?: boolean;
  log: (message: string) => void;
}

export interface L4Mesh {
  topology: Topology;
  haproxy: HaproxyStarted;
  /** Modes this run can measure: direct and ambit always, haproxy when it started; ambit-vip, waypoint and nginx (when it started) with `waypoint`. */
  modes: Mode[];
  target(mode: Mode, service: Service): Target;
  /**
   * The load generator that measures `mode` (the loopback mesh has one for every mode; the
   * netns topology one per client pod: the enrolled one for ambit, the other for direct and haproxy).
   */
  load(mode: Mode): RpcChild<LoadApi>;
  /** The waypoint hop (with `waypoint`): its process, the nginx baseline, the waypoint's counters. */
  waypoint?: { pid: number; nginx: NginxStarted; stats(): Promise<WaypointStats>; logProblems(): LogProblems };
  /** Process ids by role: daemon-node-1, daemon-node-2, load*, pods*, haproxy-a, haproxy-b, waypoint, nginx. */
  pids: Record<string, number>;
  /** What the mesh looked like once warm (topology, idle RSS, node flags, how it was built). */
  setup: Record<string, unknown>;
  daemonStats(): Promise<Record<string, DaemonStats>>;
  cluster: MeshCluster;
  /**
   * Adds (or replaces) a named set of objects in the controller's configuration: in the
   * netns topology a YAML file in the directory the controller watches, in the loopback
   * mesh its StaticSource. Resolves once handed over; the push to the daemons follows
   * (watch `authzStats`).
   */
  applyObjects(name: string, objects: readonly KubeObject[]): Promise<void>;
  /** Removes a set added by applyObjects (a no-op when there is none). */
  removeObjects(name: string): Promise<void>;
  /** Per node: the policies in its daemon's state, the policy keys its workloads list, connections refused by policy. */
  authzStats(): Promise<Record<string, AuthzStats>>;
  /** RSS of the controller's process, MiB (in the loopback mesh the case process, which runs it). */
  controllerRssMiB(): number;
  /** Opens a /proc CPU+RSS window over the daemons, the haproxy pair, and `mode`'s load generator ("load") and server pod ("pods"). */
  window(mode: Mode): { close(): WindowResult };
  /** Runs `fn` with both daemons under the V8 profiler when BENCH_L4_PROFILE_DIR is set (loopback only); returns the files. */
  profileDaemons<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; files: string[] }>;
  close(): Promise<void>;
}
