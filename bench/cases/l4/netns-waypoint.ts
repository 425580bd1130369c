// The waypoint hop of the netns topology (B6), started by netns-mesh.ts when asked
// (`L4MeshOptions.waypoint`): the keeper child in the waypoint pod's netns
// (waypoint-pod-child.ts) starts `ambit waypoint run --namespace mesh --name waypoint
// --node node-1 …` there with node-1's bootstrap token (the CA issues the waypoint's
// certificate because its service account has a pod on node-1), then nginx, the
// baseline, in the same netns (listening on the pod's IP, proxying to plain/server).
//
//   waypoint   mesh/client → daemon node-1 → HBONE → waypoint pod (node-1) → HBONE → daemon node-2 → mesh/server
//   ambit-vip  mesh/client → daemon node-1 → HBONE → daemon node-2 → mesh/server   (Service server-l4: no waypoint)
//   nginx      plain/client → nginx (waypoint pod's netns) → plain/server           (nothing captured)
import path from 'node:path';
import { FABRIC_GATEWAY, type TopologyPlan } from '../../../cli/local/topology-plan.js';
import type { RpcChild } from '../../lib/ipc-rpc.js';
import { logProblemsOfFile, type LogProblems } from './log-problems.js';
import type { NginxStarted, WaypointPodApi, WaypointStats } from './messages.js';
import { NETNS_PODS, WAYPOINT_NAME, WAYPOINT_POD } from './netns-objects.js';
import { SERVER_PORTS } from './objects.js';

/** Where nginx listens: the waypoint pod's IP, the server's HTTP port (like the Service port the waypoint serves). */
export const NGINX_PORT = SERVER_PORTS.http;
const WAYPOINT_START_TIMEOUT_MS = 60_000;

export interface WaypointHop {
  pid: number;
  nginx: NginxStarted;
  logFile: string;
  /** The waypoint's command line, temp dir shown as <tmp>. */
  command: string[];
  nodeFlags: string[];
  stats: () => Promise<WaypointStats>;
  /** Warnings and errors in the waypoint's log so far. */
  logProblems: () => LogProblems;
}

export interface WaypointHopContext {
  plan: TopologyPlan;
  /** The mesh's temp dir (logs) and the controller's state dir (root certificate, node tokens). */
  dir: string;
  ctrlDir: string;
  controllerPort: number;
  cli: string;
  accessLog: boolean;
  keeper: RpcChild<WaypointPodApi>;
}

export function waypointNetns(plan: TopologyPlan): string {
  const pod = plan.pods.find((p) => p.namespace === WAYPOINT_POD.namespace && p.name === WAYPOINT_POD.name);
  if (!pod) throw new Error('the topology has no waypoint pod (netnsPlan without { waypoint: true })');
  return pod.netns;
}

export async function startWaypointHop(ctx: WaypointHopContext): Promise<WaypointHop> {
  const nodeFlags = (process.env.BENCH_L4_WAYPOINT_FLAGS ?? '').split(' ').filter((s) => s !== '');
  const argv = [process.execPath, ...nodeFlags, ctx.cli, 'waypoint', 'run', '--namespace', WAYPOINT_POD.namespace, '--name', WAYPOINT_NAME,
    '--service-account', WAYPOINT_POD.sa, '--node', WAYPOINT_POD.node, '--controller', `${FABRIC_GATEWAY}:${ctx.controllerPort}`,
    '--root-cert', path.join(ctx.ctrlDir, 'ca', 'root-cert.pem'), '--token-file', path.join(ctx.ctrlDir, 'tokens', `${WAYPOINT_POD.node}.token`)];
  const logFile = path.join(ctx.dir, 'waypoint.log');
  const { pid } = await ctx.keeper.call('startWaypoint', {
    argv, logFile, env: { AMBIT_LOG_LEVEL: ctx.accessLog ? 'info' : 'warn' }, timeoutMs: WAYPOINT_START_TIMEOUT_MS,
  }, WAYPOINT_START_TIMEOUT_MS + 10_000);
  const nginx = await ctx.keeper.call('startNginx', {
    listen: { host: WAYPOINT_POD.ip, port: NGINX_PORT },
    upstream: { host: NETNS_PODS.plainServer.ip, port: SERVER_PORTS.http },
    accessLog: ctx.accessLog,
  }, 30_000);
  return {
    pid, nginx, logFile, nodeFlags,
    command: argv.slice(1).map((a) => (a.startsWith(ctx.dir) ? `<tmp>${a.slice(ctx.dir.length)}` : a)),
    stats: () => ctx.keeper.call('waypointStats', undefined),
    logProblems: () => logProblemsOfFile(logFile),
  };
}
