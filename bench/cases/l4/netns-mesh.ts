// The netns topology of the L4 data-path cases (B1-B5): the `ambit local` network layout
// (cli/local/topology-plan.ts: a fabric bridge netns, one netns per node, pods on routed
// /32 veths) built from the building blocks directly, with the real processes:
//
//   fabric netns   `ambit controller -f <objects>` (gRPC on 172.18.0.254:15012), the haproxy keeper
//   node netns     `ambit daemon` per node (entered with nsenter --net: bpffs stays visible),
//                  eBPF capture on the uplink and every pod link; haproxy A (node-1), B (node-2)
//   pod netns      the server pods' servers and the client pods' load generators (RPC children
//                  forked through `ip netns exec`, which execs node: same pid, same IPC fd)
//
// With `waypoint` (B6) also the waypoint pod: `ambit waypoint run` and the nginx baseline
// in its netns, started by a keeper child forked there (netns-waypoint.ts).
//
// Two pod sets (netns-objects.ts): mesh/* enrolled, plain/* not, on the same nodes. The
// cluster name is random ("bench" + 4 characters), so runs never share a namespace; every
// resource is recorded before it is made (topology.ts) and torn down in close(), on
// SIGINT/SIGTERM/SIGHUP, and by a detached janitor child if this process is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { ipPath } from '../../../cli/local/ip.js';
import { applyTopology, teardown } from '../../../cli/local/topology.js';
import { FABRIC_GATEWAY, nodeIp, type TopologyPlan } from '../../../cli/local/topology-plan.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { defaultRedirectObjectPath, nativeAddonStatus } from '../../../native/lib/index.js';
import { forkRpc, type RpcApi, type RpcChild } from '../../lib/ipc-rpc.js';
import type { JanitorApi } from '../../lib/janitor-child.js';
import { openWindow, rssBytes } from '../../lib/proc-stats.js';
import { round } from '../../lib/stats.js';
import { unixRequest } from '../../../cli/local/unix-http.js';
import { authzStatsOf, type AuthzDump } from './authz-stats.js';
import { logProblemsOfFile } from './log-problems.js';
import type { AuthzStats, DaemonStats, HaproxyApi, HaproxyStarted, LoadApi, PodsApi, Target, WaypointPodApi, WaypointStats } from './messages.js';
import type { L4Mesh, L4MeshOptions, Mode, Service } from './mesh-types.js';
import { HAPROXY_FIRST_PORT, NETNS_NODES, NETNS_PODS, netnsObjects, netnsPlan, WAYPOINT_POD, WAYPOINT_VIPS } from './netns-objects.js';
import { NGINX_PORT, startWaypointHop, waypointNetns, type WaypointHop } from './netns-waypoint.js';
import { SERVER_PORTS } from './objects.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));           // dist/bench/cases/l4
const CLI = path.resolve(HERE, '../../../cli/main.js');               // dist/cli/main.js
const CONTROLLER_PORT = 15012;
const NSENTER_CANDIDATES = ['/usr/bin/nsenter', '/bin/nsenter', '/usr/sbin/nsenter', '/sbin/nsenter'];
const START_TIMEOUT_MS = 60_000;
const DAEMON_STOP_GRACE_MS = 20_000;
const LOG_TAIL = 3000;

type NodeName = (typeof NETNS_NODES)[number];

/** Whether the netns topology can run here, and why not. */
export function netnsAvailability(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'not Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not root (network namespaces and eBPF need it)' };
  const addon = nativeAddonStatus();
  if (!addon.available) return { ok: false, reason: `native addon not built: ${addon.reason}` };
  const object = defaultRedirectObjectPath();
  if (!existsSync(object)) return { ok: false, reason: `BPF object ${object} not built (native/README.md)` };
  if (!existsSync(ipPath())) return { ok: false, reason: 'iproute2 `ip` not found' };
  if (!nsenterPath()) return { ok: false, reason: 'nsenter (util-linux) not found' };
  if (!existsSync(CLI)) return { ok: false, reason: `${CLI} not built` };
  return { ok: true };
}

function nsenterPath(): string | undefined {
  return NSENTER_CANDIDATES.find((p) => existsSync(p));
}

function randomCluster(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `bench${[...randomBytes(4)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-LOG_TAIL);
  } catch {
    return '(no log)';
  }
}

function exited(p: ChildProcess): boolean {
  return p.exitCode !== null || p.signalCode !== null;
}

/** Starts argv with stdout and stderr appended to `logFile`. */
function spawnLogged(argv: readonly string[], logFile: string, env: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, { stdio: ['ignore', fd, fd], env });
    child.on('error', () => { /* reported as an exit (code null) to whoever waits */ });
    return child;
  } finally {
    closeSync(fd);
  }
}

async function stopProcess(p: ChildProcess, graceMs: number): Promise<void> {
  if (exited(p)) return;
  const gone = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const killer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(killer);
}

/** The process really is `expected` (the launcher exec'd it in place, so /proc figures are its own). */
function checkComm(pid: number, expected: string, who: string): void {
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  if (comm !== expected) throw new Error(`${who}: pid ${pid} runs "${comm}", not ${expected}: CPU and RSS would be another process's`);
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, dead: () => string | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const why = dead();
    if (why) throw new Error(`${what}: ${why}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The parts of a daemon's /config_dump this harness reads (daemon/daemon.ts configDump). */
interface ConfigDump extends AuthzDump {
  ready?: boolean;
  connections?: unknown[];
  hbone?: {
    pool?: { connections?: number; streams?: number; handshakes?: number };
    server?: { connections?: number; streams?: number; accepted?: number };
  };
  capture?: {
    uplink?: { iface?: string; mode?: string };
    podLinks?: { iface: string; ifindex: number; mode: string }[];
    enrolled?: { ip: string; ifindex: number }[];
    unresolved?: unknown[];
    stats?: Record<string, string>;
  };
}

interface Daemon {
  node: NodeName;
  proc: ChildProcess;
  socket: string;
  logFile: string;
  argv: string[];
}

async function configDump(d: Daemon): Promise<ConfigDump> {
  const r = await unixRequest(d.socket, '/config_dump');
  if (r.status !== 200) throw new Error(`daemon ${d.node} /config_dump: HTTP ${r.status}`);
  return JSON.parse(r.body) as ConfigDump; // shape checked field by field where used
}

function statsOf(dump: ConfigDump, rssMiB: number): DaemonStats {
  const pool = dump.hbone?.pool ?? {};
  const server = dump.hbone?.server ?? {};
  return {
    pool: { connections: pool.connections ?? Number.NaN, streams: pool.streams ?? Number.NaN, handshakes: pool.handshakes ?? Number.NaN },
    server: { connections: server.connections ?? Number.NaN, streams: server.streams ?? Number.NaN, accepted: server.accepted ?? Number.NaN },
    tracked: dump.connections?.length ?? Number.NaN,
    memoryMiB: { rss: rssMiB },
    capture: dump.capture?.stats ?? {},
  };
}

const counter = (stats: Record<string, string> | undefined, name: string): number => Number(stats?.[name] ?? Number.NaN);

/** Modes whose client is the enrolled mesh/client (captured by daemon node-1). */
const MESH_MODES: readonly Mode[] = ['ambit', 'ambit-vip', 'waypoint'];

/**
 * Warm-up connections through `mode` (certificates issued, tunnels pooled), how many went
 * through: 300 ms of echo connections, or (nginx proxies HTTP only) 300 ms of HTTP requests
 * on one connection, every response a 2xx.
 */
async function warmConnections(load: RpcChild<LoadApi>, target: (mode: Mode, service: Service) => Target, mode: Mode): Promise<number> {
  if (mode === 'nginx') {
    await load.call('httpOpen', { target: target(mode, 'http'), connections: 1 });
    try {
      const r = await load.call('httpRun', { rate: 200, durationMs: 300 });
      if (r.completed === 0 || r.non2xx > 0) throw new Error(`no HTTP through ${mode}: ${r.completed} responses, ${r.non2xx} not 2xx${r.firstNon2xx ? ` (${r.firstNon2xx})` : ''}`);
      return 1;
    } finally {
      await load.call('httpClose', undefined);
    }
  }
  const r = await load.call('connRate', { target: target(mode, 'echo'), concurrency: 1, warmupMs: 0, durationMs: 300 });
  if (r.connections === 0) throw new Error(`no connection through ${mode}: ${r.firstError ?? 'unknown error'}`);
  return r.connections;
}

function waypointSetup(hop: WaypointHop): Record<string, unknown> {
  const { meshClient, meshServer, plainClient, plainServer } = NETNS_PODS;
  return {
    process: `\`ambit waypoint run\` in the waypoint pod's netns (${WAYPOINT_POD.namespace}/${WAYPOINT_POD.name} ${WAYPOINT_POD.ip} on ${WAYPOINT_POD.node}, outside the mesh), with ${WAYPOINT_POD.node}'s bootstrap token`,
    command: hop.command,
    nodeFlags: hop.nodeFlags,
    logs: process.env.BENCH_L4_ACCESS_LOG === 'off' ? 'warn only (BENCH_L4_ACCESS_LOG=off)' : 'pino at info to a file: one access-log line per request',
    paths: {
      waypoint: `mesh/client ${meshClient.ip} -> Service VIP ${WAYPOINT_VIPS.server} (istio.io/use-waypoint) -> eBPF capture -> daemon ${meshClient.node} -> HBONE -> waypoint ${WAYPOINT_POD.ip} (HTTP/1.1 terminated, routed) -> HBONE (pooled) -> daemon ${meshServer.node} -> mesh/server ${meshServer.ip}`,
      'ambit-vip': `mesh/client ${meshClient.ip} -> Service VIP ${WAYPOINT_VIPS.serverL4} (no waypoint) -> eBPF capture -> daemon ${meshClient.node} -> HBONE -> daemon ${meshServer.node} -> mesh/server ${meshServer.ip}`,
      nginx: `plain/client ${plainClient.ip} -> nginx ${WAYPOINT_POD.ip}:${NGINX_PORT} (the waypoint pod's netns) -> plain/server ${plainServer.ip} (keep-alive upstream)`,
    },
    nginx: hop.nginx.available
      ? { version: hop.nginx.version, config: 'one process (master_process off, worker_processes 1), HTTP/1.1 keep-alive both sides, X-Forwarded-For and X-Request-Id added, access log buffered like the waypoint\'s', file: hop.nginx.config }
      : { unavailable: hop.nginx.reason },
  };
}

export async function startNetnsL4Mesh(opts: L4MeshOptions): Promise<L4Mesh> {
  const undo: (() => Promise<void> | void)[] = [];
  let closing: Promise<void> | undefined;
  const closeAll = (): Promise<void> => {
    closing ??= (async () => {
      for (const fn of undo.splice(0).reverse()) {
        try {
          await fn();
        } catch (err) {
          opts.log(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    opts.log(`${signal}: tearing the netns topology down`);
    void closeAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.once(s, onSignal);
  undo.push(() => { for (const s of signals) process.off(s, onSignal); });

  try {
    const began = performance.now();
    const cluster = randomCluster();
    const dir = mkdtempSync(path.join(tmpdir(), 'ambit-bench-netns-'));
    const topoDir = path.join(dir, 'topology');
    const ctrlDir = path.join(dir, 'controller');
    const objectsDir = path.join(dir, 'objects');
    mkdirSync(objectsDir);
    // The janitor outlives this process (own process group): if the case is killed, it tears down.
    const janitor = await forkRpc<JanitorApi>(path.join(HERE, '../../lib/janitor-child.js'), { name: 'janitor', detached: true });
    undo.push(() => janitor.stop(30_000));
    await janitor.call('adopt', { dir });
    await janitor.call('adoptTopology', { stateDir: topoDir });
    undo.push(() => rmSync(dir, { recursive: true, force: true }));
    // Runs after every process has stopped (undo runs in reverse): surface the daemons' and
    // the controller's warnings, and keep the logs when BENCH_L4_LOG_DIR is set.
    undo.push(() => {
      for (const name of [...NETNS_NODES.map((n) => `daemon-${n}`), 'controller', 'waypoint']) {
        const file = path.join(dir, `${name}.log`);
        if (!existsSync(file)) continue;
        const { count, first } = logProblemsOfFile(file);
        if (count > 0) opts.log(`${name} logged ${count} warning(s)/error(s); first: ${first.join(' | ')}`);
        const keep = process.env.BENCH_L4_LOG_DIR;
        if (keep) {
          mkdirSync(keep, { recursive: true });
          copyFileSync(file, path.join(keep, `${cluster}-${name}.log`));
        }
      }
    });

    const withWaypoint = opts.waypoint === true;
    const objects = netnsObjects({ waypoint: withWaypoint });
    const plan: TopologyPlan = netnsPlan(cluster, { waypoint: withWaypoint });
    const netnsOf = (p: { namespace: string; name: string }): string => plan.pods.find((x) => x.namespace === p.namespace && x.name === p.name)!.netns;
    const nodeNetns = (node: string): string => plan.nodes.find((n) => n.name === node)!.netns;
    undo.push(async () => {
      const r = await teardown(topoDir, { graceMs: 3000 });
      if (r.stopped.length > 0) opts.log(`teardown stopped ${r.stopped.length} leftover process(es): ${r.stopped.join(', ')}`);
    });
    await applyTopology(plan, topoDir);

    // Controller in the fabric netns, configured from the objects as YAML files.
    writeFileSync(path.join(objectsDir, 'cluster.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    const controllerLog = path.join(dir, 'controller.log');
    const controllerFlags = (process.env.BENCH_L4_CONTROLLER_FLAGS ?? '').split(' ').filter((s) => s !== '');
    const controller = spawnLogged([ipPath(), 'netns', 'exec', plan.fabric.netns, process.execPath, ...controllerFlags, CLI, 'controller',
      '-f', objectsDir, '--nodes', NETNS_NODES.join(','), '--state-dir', ctrlDir, '--http-host', FABRIC_GATEWAY], controllerLog, { ...process.env, AMBIT_LOG_LEVEL: 'info' });
    undo.push(() => stopProcess(controller, 5000));

    // Children: the server pods' servers, the client pods' load generators, the haproxy keeper.
    // Stopped first (their connections closed), then both daemons together (a server-side
    // daemon stopped alone waits for the client side to hang up), then the controller.
    const children: RpcChild<RpcApi>[] = [];
    const daemons: Daemon[] = [];
    undo.push(async () => {
      await Promise.all(children.splice(0).map((c) => c.stop()));
      await Promise.all(daemons.map((d) => stopProcess(d.proc, DAEMON_STOP_GRACE_MS)));
    });
    const fork = async <A extends RpcApi>(script: string, name: string, netns: string): Promise<RpcChild<A>> => {
      const child = await forkRpc<A>(path.join(HERE, script), { name, netns });
      children.push(child);
      return child;
    };
    const { meshClient, meshServer, plainClient, plainServer } = NETNS_PODS;
    const [meshPods, plainPods, meshLoad, plainLoad, haproxyKeeper, waypointKeeper] = await Promise.all([
      fork<PodsApi>('pods-child.js', 'mesh/server pod', netnsOf(meshServer)),
      fork<PodsApi>('pods-child.js', 'plain/server pod', netnsOf(plainServer)),
      fork<LoadApi>('load-child.js', 'load generator in mesh/client', netnsOf(meshClient)),
      fork<LoadApi>('load-child.js', 'load generator in plain/client', netnsOf(plainClient)),
      opts.haproxy ? fork<HaproxyApi>('haproxy-child.js', 'haproxy keeper', plan.fabric.netns) : Promise.resolve(undefined),
      withWaypoint ? fork<WaypointPodApi>('waypoint-pod-child.js', 'waypoint pod keeper', waypointNetns(plan)) : Promise.resolve(undefined),
    ]);
    const podsStart = { httpBodyBytes: opts.httpBodyBytes ?? 1024, host: '0.0.0.0', ports: { ...SERVER_PORTS } };
    await Promise.all([meshPods.call('start', podsStart), plainPods.call('start', podsStart)]);

    await waitFor('controller start', START_TIMEOUT_MS, () => Promise.resolve(readFileSync(controllerLog, 'utf8').includes('"controller started"') ? true : undefined),
      () => (exited(controller) ? `exited (${controller.exitCode ?? controller.signalCode}):\n${tail(controllerLog)}` : undefined));

    // One `ambit daemon` per node netns, entered with nsenter (which execs node: the pid is the daemon's).
    const accessLog = process.env.BENCH_L4_ACCESS_LOG !== 'off';
    const flags = (process.env.BENCH_L4_DAEMON_FLAGS ?? '').split(' ').filter((s) => s !== '');
    daemons.push(...NETNS_NODES.map((node) => {
      const socket = path.join(dir, `${node}.sock`);
      const logFile = path.join(dir, `daemon-${node}.log`);
      const argv = [nsenterPath()!, `--net=/run/netns/${nodeNetns(node)}`, process.execPath, ...flags, CLI, 'daemon',
        '--node', node, '--node-ip', nodeIp(node), '--uplink', 'eth0', '--controller', `${FABRIC_GATEWAY}:${CONTROLLER_PORT}`,
        '--root-cert', path.join(ctrlDir, 'ca', 'root-cert.pem'), '--token-file', path.join(ctrlDir, 'tokens', `${node}.token`),
        '--admin-socket', socket];
      const proc = spawnLogged(argv, logFile, { ...process.env, AMBIT_LOG_LEVEL: accessLog ? 'info' : 'warn' });
      return { node, proc, socket, logFile, argv };
    }));
    const daemonDead = (d: Daemon) => (): string | undefined => (exited(d.proc) ? `daemon ${d.node} exited (${d.proc.exitCode ?? d.proc.signalCode}):\n${tail(d.logFile)}` : undefined);
    await Promise.all(daemons.map(async (d) => {
      await waitFor(`daemon ${d.node} ready`, START_TIMEOUT_MS, async () => ((await unixRequest(d.socket, '/healthz/ready', { timeoutMs: 5_000 })).status === 200 ? true : undefined), daemonDead(d));
      // Every pod link carries the pod program; its mesh pod is enrolled (not the waypoint pod).
      const local = [...Object.values(NETNS_PODS), ...(withWaypoint ? [WAYPOINT_POD] : [])].filter((p) => p.node === d.node);
      const enrolled: string[] = Object.values(NETNS_PODS).filter((p) => p.node === d.node && p.namespace === 'mesh').map((p) => p.ip);
      await waitFor(`daemon ${d.node} capturing ${enrolled.join(', ')}`, START_TIMEOUT_MS, async () => {
        const c = (await configDump(d)).capture;
        const ok = (c?.podLinks?.length ?? 0) >= local.length && enrolled.every((ip) => c?.enrolled?.some((e) => e.ip === ip))
          && !(c?.enrolled ?? []).some((e) => !enrolled.includes(e.ip));
        return ok ? true : undefined;
      }, daemonDead(d));
      checkComm(d.proc.pid ?? -1, 'node', `daemon ${d.node}`);
    }));

    const haproxy: HaproxyStarted = haproxyKeeper
      ? await haproxyKeeper.call('start', {
        backends: (Object.keys(SERVER_PORTS) as Service[]).map((name) => ({ name, port: SERVER_PORTS[name], host: plainServer.ip })),
        placement: {
          a: { netns: nodeNetns(plainClient.node), host: nodeIp(plainClient.node) },
          b: { netns: nodeNetns(plainServer.node), host: nodeIp(plainServer.node) },
          firstPort: HAPROXY_FIRST_PORT,
        },
      }, 60_000)
      : { available: false, reason: 'not requested by this case' };
    if (!haproxy.available && opts.haproxy) opts.log(`haproxy baseline unavailable: ${haproxy.reason}`);
    if (haproxy.available) {
      checkComm(haproxy.pids.a, 'haproxy', 'haproxy A');
      checkComm(haproxy.pids.b, 'haproxy', 'haproxy B');
    }
    // The waypoint hop (B6) once the daemons hold the configuration and capture.
    let hop: WaypointHop | undefined;
    if (waypointKeeper) {
      hop = await startWaypointHop({ plan, dir, ctrlDir, controllerPort: CONTROLLER_PORT, cli: CLI, accessLog: process.env.BENCH_L4_ACCESS_LOG !== 'off', keeper: waypointKeeper });
      checkComm(hop.pid, 'node', 'waypoint');
      if (hop.nginx.available) checkComm(hop.nginx.pid, 'nginx', 'nginx');
      else opts.log(`nginx baseline unavailable: ${hop.nginx.reason}`);
    }
    const nginx = hop?.nginx;
    const modes: Mode[] = haproxy.available ? ['direct', 'ambit', 'haproxy'] : ['direct', 'ambit'];
    if (hop) modes.push('ambit-vip', 'waypoint', ...(hop.nginx.available ? ['nginx' as const] : []));

    const target = (mode: Mode, service: Service): Target => {
      switch (mode) {
        case 'direct': return { via: 'tcp', host: plainServer.ip, port: SERVER_PORTS[service] };
        case 'ambit': return { via: 'tcp', host: meshServer.ip, port: SERVER_PORTS[service] };
        case 'haproxy':
          if (!haproxy.available) throw new Error(`haproxy baseline unavailable: ${haproxy.reason}`);
          return { via: 'tcp', host: haproxy.frontendHost, port: haproxy.frontends[service]! };
        case 'ambit-vip':
        case 'waypoint':
          if (!hop) throw new Error(`mode ${mode}: the mesh was started without the waypoint hop`);
          return { via: 'tcp', host: mode === 'waypoint' ? WAYPOINT_VIPS.server : WAYPOINT_VIPS.serverL4, port: SERVER_PORTS[service] };
        case 'nginx':
          if (!nginx?.available) throw new Error(`nginx baseline unavailable: ${nginx?.reason ?? 'the mesh was started without the waypoint hop'}`);
          if (service !== 'http') throw new Error(`nginx proxies HTTP only, not ${service}`);
          return { via: 'tcp', host: nginx.frontend.host, port: nginx.frontend.port };
      }
    };
    const load = (mode: Mode): RpcChild<LoadApi> => (MESH_MODES.includes(mode) ? meshLoad : plainLoad);
    const pods = (mode: Mode): RpcChild<PodsApi> => (MESH_MODES.includes(mode) ? meshPods : plainPods);

    const daemonStats = async (): Promise<Record<string, DaemonStats>> => Object.fromEntries(await Promise.all(daemons.map(async (d) =>
      [d.node, statsOf(await configDump(d), round(rssBytes(d.proc.pid ?? -1) / 2 ** 20, 1))] as const)));

    // Warm every path once (certificates issued, the HBONE connection pooled, TLS sessions
    // cached) and check, from the capture counters, that only Ambit's traffic was captured.
    // The waypoint's metrics tell which connections went through it (waypoint: all; the others: none).
    const carried = (st: WaypointStats | undefined): number => (st ? st.tcpOpened + Object.values(st.requests).reduce((a, b) => a + b, 0) : 0);
    const captureCounters: Record<string, Record<string, number>> = {};
    for (const mode of modes) {
      const before = await daemonStats();
      const wpBefore = await hop?.stats();
      const connections = await warmConnections(load(mode), target, mode);
      const after = await daemonStats();
      const wpAfter = await hop?.stats();
      const delta = (node: NodeName, name: string): number => counter(after[node]?.capture, name) - counter(before[node]?.capture, name);
      const viaWaypoint = carried(wpAfter) - carried(wpBefore);
      captureCounters[mode] = {
        connections,
        outboundSynNode1: delta('node-1', 'outboundSyn'),
        hboneSynNode2: delta('node-2', 'hboneSyn'),
        inboundSynNode2: delta('node-2', 'inboundSyn'),
        ...(hop ? { viaWaypoint } : {}),
      };
      const captured = delta('node-1', 'outboundSyn') + delta('node-2', 'hboneSyn') + delta('node-2', 'inboundSyn');
      const counters = JSON.stringify(captureCounters[mode]);
      if (mode === 'ambit' && !(delta('node-1', 'outboundSyn') >= connections && delta('node-2', 'hboneSyn') >= 1)) {
        throw new Error(`Ambit's connections were not captured (counters ${counters}): the figures would not be the mesh's`);
      }
      if (MESH_MODES.includes(mode) && delta('node-1', 'outboundSyn') < connections) throw new Error(`${mode}: connections not captured (counters ${counters})`);
      if (mode === 'waypoint' && viaWaypoint < connections) throw new Error(`waypoint: connections did not go through the waypoint (counters ${counters})`);
      if (mode !== 'waypoint' && viaWaypoint !== 0) throw new Error(`${mode}: connections went through the waypoint (counters ${counters})`);
      if (!MESH_MODES.includes(mode) && captured !== 0) throw new Error(`${mode} connections were captured (counters ${counters}): that baseline would go through the mesh`);
    }

    // Extra objects (B5): one YAML file each in the watched directory, written under a name
    // the controller does not read (".tmp") and renamed into place, so it never reads half a file.
    const extraFile = (name: string): string => {
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`object set name ${JSON.stringify(name)}: use [a-z0-9-]`);
      return path.join(objectsDir, `extra-${name}.yaml`);
    };
    const applyObjects = (name: string, objects: readonly KubeObject[]): Promise<void> => {
      const file = extraFile(name);
      writeFileSync(`${file}.tmp`, objects.map((o) => stringify(o)).join('---\n'));
      renameSync(`${file}.tmp`, file);
      return Promise.resolve();
    };
    const removeObjects = (name: string): Promise<void> => {
      rmSync(extraFile(name), { force: true });
      return Promise.resolve();
    };
    const authzStats = async (): Promise<Record<string, AuthzStats>> => Object.fromEntries(await Promise.all(daemons.map(async (d) => {
      const metrics = await unixRequest(d.socket, '/metrics');
      if (metrics.status !== 200) throw new Error(`daemon ${d.node} /metrics: HTTP ${metrics.status}`);
      return [d.node, authzStatsOf(await configDump(d), metrics.body)] as const;
    })));

    const pids: Record<string, number> = {};
    for (const d of daemons) pids[`daemon-${d.node}`] = d.proc.pid ?? -1;
    pids['load-mesh'] = meshLoad.pid;
    pids['load-plain'] = plainLoad.pid;
    pids['pods-mesh'] = meshPods.pid;
    pids['pods-plain'] = plainPods.pid;
    if (haproxy.available) {
      pids['haproxy-a'] = haproxy.pids.a;
      pids['haproxy-b'] = haproxy.pids.b;
    }
    if (hop) pids.waypoint = hop.pid;
    if (nginx?.available) pids.nginx = nginx.pid;
    const windowPids = (mode: Mode): Record<string, number> => {
      const out: Record<string, number> = { load: load(mode).pid, pods: pods(mode).pid };
      for (const [name, pid] of Object.entries(pids)) if (!name.startsWith('load-') && !name.startsWith('pods-')) out[name] = pid;
      return out;
    };
    const idleRssMiB = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, round(rssBytes(pid) / 2 ** 20, 1)]));
    const firstDump = await configDump(daemons[0]!);
    const setup = {
      topology: 'netns',
      cluster,
      processes: 'ambit controller in the fabric netns; one `ambit daemon` (eBPF capture) per node netns; the server pods\' servers and the client pods\' load generators in their pod netns; haproxy A and B in the node netns of node-1 and node-2 (like the daemons)',
      pods: NETNS_PODS,
      paths: {
        ambit: `mesh/client ${meshClient.ip} (${meshClient.node}) -> eBPF capture -> daemon ${meshClient.node} -> HBONE (mTLS 1.3 + HTTP/2 CONNECT, pooled) over the fabric bridge -> eBPF capture -> daemon ${meshServer.node} -> mesh/server ${meshServer.ip}`,
        direct: `plain/client ${plainClient.ip} (${plainClient.node}) -> routed through ${plainClient.node}, the fabric bridge and ${plainServer.node} -> plain/server ${plainServer.ip}`,
        haproxy: `plain/client ${plainClient.ip} -> haproxy A on ${plainClient.node} (${nodeIp(plainClient.node)}) -> TLS 1.3, client certificate -> haproxy B on ${plainServer.node} (${nodeIp(plainServer.node)}) -> plain/server ${plainServer.ip}`,
      },
      fairness: 'two identical pod sets on the same nodes at the same time, one enrolled (namespace label istio.io/dataplane-mode=ambient) and one not; the not-enrolled pods\' links carry the daemon\'s pod program too (it passes their packets); modes interleaved',
      capture: { uplink: firstDump.capture?.uplink, counters: captureCounters },
      daemonCommand: daemons[0]!.argv.slice(2).map((a) => (a.startsWith(dir) ? `<tmp>${a.slice(dir.length)}` : a)),
      daemonLogs: accessLog ? 'pino at info to a file: one access-log line per connection, as in production' : 'warn only (BENCH_L4_ACCESS_LOG=off)',
      daemonNodeFlags: flags,
      haproxy: haproxy.available ? { version: haproxy.version, config: 'nbthread 1 each, mode tcp, TLS 1.3 only, client certificate required (ECDSA P-256)', placement: 'A in node-1\'s netns, B in node-2\'s' } : { unavailable: haproxy.reason },
      ...(hop ? { waypoint: waypointSetup(hop) } : {}),
      idleRssMiB,
      hbone: await daemonStats(),
      startSeconds: Math.round(performance.now() - began) / 1000,
    };
    opts.log(`netns mesh ${cluster} up in ${setup.startSeconds} s (daemons idle RSS ${NETNS_NODES.map((n) => `${idleRssMiB[`daemon-${n}`]} MiB`).join(', ')})`);

    let warned = false;
    return {
      topology: 'netns', haproxy, modes, target, load, pids, setup, daemonStats,
      ...(hop ? { waypoint: { pid: hop.pid, nginx: hop.nginx, stats: hop.stats, logProblems: hop.logProblems } } : {}),
      cluster: { objects, client: meshClient, server: meshServer },
      applyObjects, removeObjects, authzStats,
      controllerRssMiB: () => round(rssBytes(controller.pid ?? -1) / 2 ** 20, 1),
      window: (mode) => openWindow(windowPids(mode)),
      async profileDaemons(_label, fn) {
        if (process.env.BENCH_L4_PROFILE_DIR && !warned) {
          warned = true;
          opts.log('BENCH_L4_PROFILE_DIR profiles the loopback mesh only; here use BENCH_L4_DAEMON_FLAGS="--cpu-prof --cpu-prof-dir=<dir>"');
        }
        return { value: await fn(), files: [] };
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
