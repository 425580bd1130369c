// The IPC APIs between an L4 bench case (the orchestrator, which also runs the
// controller) and its child processes: one per node daemon, the destination pod's
// servers, the load generator, and the haproxy pair's keeper.
import type { Address } from '../../../daemon/network/network.js';
import type { DaemonPorts, FabricTable } from '../../../daemon/network/loopback-network.js';

/**
 * Where a client connects: a plain TCP address (host 127.0.0.1 when absent: the loopback
 * mesh's direct and haproxy modes; in the netns topology every mode, from the client pod's
 * own namespace), or from a pod through the loopback fabric (the loopback mesh's Ambit mode).
 */
export type Target =
  | { via: 'tcp'; port: number; host?: string }
  | { via: 'fabric'; src: Address; dst: Address };

export interface LatencySummary { p50: number; p90: number; p99: number; max: number }

export interface LatencyRun {
  /** Latency of every completed request, ms, from its intended send time (open loop). */
  samplesMs: Float64Array;
  /** Intended send time → actual write (ticker lag plus queueing behind a busy connection). */
  sendLagMs: LatencySummary;
  /** Actual write → response complete. */
  serviceMs: LatencySummary;
  scheduled: number;
  completed: number;
  /** Requests still unanswered when the run gave up waiting. */
  unanswered: number;
  /** Responses whose status was not 2xx (counted in `completed`, and in the samples, like the others). */
  non2xx: number;
  /** The status line of the first of them. */
  firstNon2xx?: string;
  durationMs: number;
  /** completed / measured seconds. */
  achievedRps: number;
}

export interface BulkRun {
  direction: 'upload' | 'download';
  bytes: number;
  ms: number;
  mbPerSecond: number;
}

export interface ConnRateRun {
  connections: number;
  errors: number;
  seconds: number;
  perSecond: number;
  /** connect → reply received, ms. */
  latencyMs: LatencySummary;
  firstError?: string;
}

export interface PodPorts { http: number; bulk: number; echo: number }

export interface DaemonStart {
  node: string;
  nodeIp: string;
  controllerAddress: string;
  rootPem: string;
  token: string;
  /** Write the access log (info, to /dev/null) as a production daemon would. */
  accessLog: boolean;
}

export interface DaemonStats {
  pool: { connections: number; streams: number; handshakes: number };
  server: { connections: number; streams: number; accepted: number };
  tracked: number;
  /** process.memoryUsage() of the daemon's process, MiB (loopback mesh; the netns mesh has VmRSS only). */
  memoryMiB: { rss: number; heapTotal?: number; heapUsed?: number; external?: number; arrayBuffers?: number };
  /** eBPF capture counters of the node (netns mesh only). */
  capture?: Record<string, string>;
}

/** A daemon's L4 authorization state and refusals (B5; authz-stats.ts). */
export interface AuthzStats {
  /** Authorization resources in its state (the AuthorizationPolicies, converted PeerAuthentications, the static STRICT policy). */
  policies: number;
  /** Per workload ("<namespace>/<name>"): the selector (and PeerAuthentication) policy keys it lists. */
  workloadPolicyKeys: Record<string, number>;
  /** Connections refused by policy so far (istio_tcp_connections_failed_total, response_flags DENY). */
  denied: number;
}

export type DaemonApi = {
  start: { params: DaemonStart; result: DaemonPorts };
  table: { params: FabricTable; result: void };
  stats: { params: undefined; result: DaemonStats };
  authz: { params: undefined; result: AuthzStats };
  profileStart: { params: undefined; result: void };
  profileStop: { params: { file: string }; result: string };
};

export interface PodsStart {
  httpBodyBytes: number;
  /** Listen address (default 127.0.0.1: the loopback mesh; 0.0.0.0 in a pod netns). */
  host?: string;
  /** Fixed ports (default: any free port, reported back). */
  ports?: PodPorts;
}

export type PodsApi = {
  start: { params: PodsStart; result: PodPorts };
  table: { params: FabricTable; result: void };
};

export type LoadApi = {
  table: { params: FabricTable; result: void };
  httpOpen: { params: { target: Target; connections: number }; result: void };
  httpRun: { params: { rate: number; durationMs: number }; result: LatencyRun };
  httpClose: { params: undefined; result: void };
  bulk: { params: { target: Target; direction: 'upload' | 'download'; bytes: number }; result: BulkRun };
  connRate: { params: { target: Target; concurrency: number; warmupMs: number; durationMs: number }; result: ConnRateRun };
};

export type HaproxyStarted =
  | { available: true; version: string; frontends: Record<string, number>; frontendHost: string; pids: { a: number; b: number } }
  | { available: false; reason: string };

/**
 * Where the pair runs in the netns topology: A and B each in a network namespace (a node's,
 * like the daemons), listening on `host` from `firstPort` up (one port per backend). The
 * keeper itself must then run where it can reach both (the fabric netns).
 */
export interface HaproxyPlacement {
  a: { netns: string; host: string };
  b: { netns: string; host: string };
  firstPort: { a: number; b: number };
}

export type HaproxyApi = {
  start: { params: { backends: { name: string; port: number; host?: string }[]; placement?: HaproxyPlacement }; result: HaproxyStarted };
};

/** nginx in the waypoint pod's netns (B6's baseline), or why not. */
export type NginxStarted =
  | { available: true; version: string; pid: number; frontend: { host: string; port: number }; config: string }
  | { available: false; reason: string };

/** What B6 reads of the waypoint: its /config_dump (HBONE counters, upstream pools) and /metrics (requests by response code and flags). */
export interface WaypointStats {
  ready: boolean;
  hbone: {
    pool: { connections: number; streams: number; handshakes: number };
    server: { connections: number; streams: number; accepted: number };
  };
  upstreams: string[];
  /** istio_requests_total summed by "<response_code> <response_flags>". */
  requests: Record<string, number>;
  /** Opaque TCP connections relayed so far (istio_tcp_connections_opened_total, summed). */
  tcpOpened: number;
}

/**
 * The keeper of the waypoint pod (B6), forked into that pod's netns: it starts `ambit
 * waypoint run` there (the pid is the waypoint's own node process), reads its admin
 * endpoints on the pod's loopback, and runs the nginx baseline in the same netns.
 */
export type WaypointPodApi = {
  startWaypoint: { params: { argv: string[]; logFile: string; env: Record<string, string>; timeoutMs: number }; result: { pid: number } };
  waypointStats: { params: undefined; result: WaypointStats };
  startNginx: { params: { listen: { host: string; port: number }; upstream: { host: string; port: number }; accessLog: boolean }; result: NginxStarted };
};
