// The loopback topology of the L4 data-path cases (B1-B5), used where the netns topology
// cannot run (not root, native addon not built; see mesh.ts), orchestrated from the case
// process, which also runs the real Controller (TLS gRPC on 127.0.0.1, CA, bootstrap
// tokens): one child process per node daemon, one for the destination pod's servers,
// one for the load generator, and (when haproxy is installed) one keeping the haproxy
// pair. Every process that connects gets its own LoopbackFabric built from one table:
// children bind first and report their ports over IPC, then the full table goes to all.
//   client pod 10.244.1.5 (node-1) → daemon node-1 → HBONE → daemon node-2 → server pod 10.244.2.2
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../api/log.js';
import { tokenFile } from '../../../controller/auth/bootstrap-tokens.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { Controller } from '../../../controller/controller.js';
import { StaticSource } from '../../../controller/sources/static-source.js';
import { LoopbackFabric, type DaemonPorts, type FabricTable } from '../../../daemon/network/loopback-network.js';
import { forkRpc, type RpcApi, type RpcChild } from '../../lib/ipc-rpc.js';
import type { JanitorApi } from '../../lib/janitor-child.js';
import { openWindow, rssBytes } from '../../lib/proc-stats.js';
import { round } from '../../lib/stats.js';
import type { AuthzStats, DaemonApi, DaemonStats, HaproxyApi, HaproxyStarted, LoadApi, PodsApi, Target } from './messages.js';
import type { L4Mesh, L4MeshOptions, Mode, Service } from './mesh-types.js';
import { l4Objects, CLIENT, NODE_IPS, SERVER, SERVER_PORTS } from './objects.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODES = Object.keys(NODE_IPS);

/**
 * Extra node flags for the daemon children, for experiments (e.g. "--max-semi-space-size=2").
 * BENCH_L4_ACCESS_LOG=off silences the daemons' logs (to see what the access log costs).
 */
function daemonExecArgv(): string[] {
  return (process.env.BENCH_L4_DAEMON_FLAGS ?? '').split(' ').filter((s) => s !== '');
}

export async function startLoopbackL4Mesh(opts: L4MeshOptions): Promise<L4Mesh> {
  if (opts.waypoint) throw new Error('the waypoint hop (B6) runs on the netns topology only (root, native addon and BPF object built; BENCH_L4_TOPOLOGY=netns)');
  const undo: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const fn of undo.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        opts.log(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  try {
    const began = performance.now();
    const stateDir = mkdtempSync(path.join(tmpdir(), 'ambit-bench-l4-'));
    undo.push(() => Promise.resolve(rmSync(stateDir, { recursive: true, force: true })));
    // Removes the controller's state dir even if this process is killed (stopped after the controller).
    const janitor = await forkRpc<JanitorApi>(path.join(HERE, '../../lib/janitor-child.js'), { name: 'janitor', detached: true });
    undo.push(() => janitor.stop());
    await janitor.call('adopt', { dir: stateDir });
    // B5 adds and removes named object sets; the source always holds the base objects plus them.
    const baseObjects = l4Objects();
    const extraSets = new Map<string, readonly KubeObject[]>();
    const source = new StaticSource(baseObjects);
    const setObjects = (): void => source.set([...baseObjects, ...[...extraSets.values()].flat()]);
    const controller = new Controller({
      stateDir, sources: [source], log: silentLogger(), grpcHost: '127.0.0.1', grpcPort: 0, httpPort: -1,
      nodes: NODES,
    });
    undo.push(() => controller.stop());
    await controller.start();

    const fork = async <A extends RpcApi>(script: string, name: string, execArgv: string[] = [], group?: RpcChild<RpcApi>[]): Promise<RpcChild<A>> => {
      const child = await forkRpc<A>(path.join(HERE, script), { name, execArgv });
      if (group) group.push(child);
      else undo.push(() => child.stop());
      return child;
    };
    // The daemons stop together: NodeDaemon.stop() waits for its listeners to close before
    // it closes its HBONE connections, so a server-side daemon stopped alone waits for
    // the client side to hang up first.
    const daemonGroup: RpcChild<RpcApi>[] = [];
    undo.push(async () => { await Promise.all(daemonGroup.map((d) => d.stop())); });
    const flags = daemonExecArgv();
    const accessLog = process.env.BENCH_L4_ACCESS_LOG !== 'off';
    const [pods, load, ...daemonList] = await Promise.all([
      fork<PodsApi>('pods-child.js', 'pods'),
      fork<LoadApi>('load-child.js', 'load generator'),
      ...NODES.map((node) => fork<DaemonApi>('daemon-child.js', `daemon ${node}`, flags, daemonGroup)),
    ]);
    const daemons = new Map(NODES.map((node, i) => [node, daemonList[i]!]));
    const haproxyKeeper = opts.haproxy ? await fork<HaproxyApi>('haproxy-child.js', 'haproxy keeper') : undefined;

    const podPorts = await pods.call('start', { httpBodyBytes: opts.httpBodyBytes ?? 1024 });
    const rootPem = controller.rootCertPem;
    const daemonPorts = new Map<string, DaemonPorts>();
    await Promise.all(NODES.map(async (node) => {
      const token = readFileSync(tokenFile(controller.tokenDir, node), 'utf8').trim();
      daemonPorts.set(node, await daemons.get(node)!.call('start', {
        node, nodeIp: NODE_IPS[node]!, controllerAddress: `127.0.0.1:${controller.grpcPort}`, rootPem, token, accessLog,
      }, 60_000));
    }));

    // One table for everyone: node addresses, the server pod's ports, both pods enrolled.
    const fabric = new LoopbackFabric();
    for (const ip of Object.values(NODE_IPS)) fabric.addNode(ip);
    for (const service of Object.keys(SERVER_PORTS) as Service[]) fabric.serve(SERVER.ip, SERVER_PORTS[service], podPorts[service]);
    fabric.enroll(CLIENT.ip, daemonPorts.get(CLIENT.node)!);
    fabric.enroll(SERVER.ip, daemonPorts.get(SERVER.node)!);
    const table: FabricTable = fabric.toTable();
    await Promise.all([pods.call('table', table), load.call('table', table), ...daemonList.map((d) => d.call('table', table))]);

    const haproxy: HaproxyStarted = haproxyKeeper
      ? await haproxyKeeper.call('start', { backends: (Object.keys(podPorts) as Service[]).map((name) => ({ name, port: podPorts[name] })) }, 60_000)
      : { available: false, reason: 'not requested by this case' };
    if (!haproxy.available && opts.haproxy) opts.log(`haproxy baseline unavailable: ${haproxy.reason}`);
    const modes: Mode[] = haproxy.available ? ['direct', 'ambit', 'haproxy'] : ['direct', 'ambit'];

    const target = (mode: Mode, service: Service): Target => {
      switch (mode) {
        case 'direct': return { via: 'tcp', port: podPorts[service] };
        case 'ambit': return { via: 'fabric', src: { ip: CLIENT.ip, port: 0 }, dst: { ip: SERVER.ip, port: SERVER_PORTS[service] } };
        case 'haproxy':
          if (!haproxy.available) throw new Error(`haproxy baseline unavailable: ${haproxy.reason}`);
          return { via: 'tcp', port: haproxy.frontends[service]! };
        case 'ambit-vip': case 'waypoint': case 'nginx':
          throw new Error(`mode ${mode}: the waypoint hop runs on the netns topology only`);
      }
    };

    // Warm every path once: certificates issued, the HBONE connection pooled, TLS sessions cached.
    for (const mode of modes) {
      const r = await load.call('connRate', { target: target(mode, 'echo'), concurrency: 1, warmupMs: 0, durationMs: 300 });
      if (r.connections === 0) throw new Error(`no connection through ${mode}: ${r.firstError ?? 'unknown error'}`);
    }
    const pids: Record<string, number> = { load: load.pid, pods: pods.pid };
    for (const [node, d] of daemons) pids[`daemon-${node}`] = d.pid;
    if (haproxy.available) {
      pids['haproxy-a'] = haproxy.pids.a;
      pids['haproxy-b'] = haproxy.pids.b;
    }
    const daemonStats = async (): Promise<Record<string, DaemonStats>> =>
      Object.fromEntries(await Promise.all([...daemons].map(async ([node, d]) => [node, await d.call('stats', undefined)] as const)));
    const authzStats = async (): Promise<Record<string, AuthzStats>> =>
      Object.fromEntries(await Promise.all([...daemons].map(async ([node, d]) => [node, await d.call('authz', undefined)] as const)));
    const idleRssMiB = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, round(rssBytes(pid) / 2 ** 20, 1)]));
    const setup = {
      topology: 'loopback',
      processes: 'controller in the case process; each node daemon, the server pod, the load generator and the haproxy keeper in their own node process',
      path: `client pod ${CLIENT.ip} (${CLIENT.node}) -> daemon ${CLIENT.node} outbound -> HBONE (mTLS 1.3 + HTTP/2 CONNECT, pooled) -> daemon ${SERVER.node} -> server pod ${SERVER.ip}`,
      loopbackFabric: 'virtual pod/node addresses routed to 127.0.0.1 ports; daemon-bound connections carry a PROXY v1 line',
      daemonLogs: accessLog ? 'pino at info to /dev/null: one access-log line per connection, as in production' : 'off (BENCH_L4_ACCESS_LOG=off)',
      daemonNodeFlags: flags,
      haproxy: haproxy.available ? { version: haproxy.version, config: 'nbthread 1 each, mode tcp, TLS 1.3 only, client certificate required (ECDSA P-256)' } : { unavailable: haproxy.reason },
      idleRssMiB,
      hbone: await daemonStats(),
      startSeconds: Math.round(performance.now() - began) / 1000,
    };
    opts.log(`mesh up in ${setup.startSeconds} s (daemons idle RSS ${NODES.map((n) => `${idleRssMiB[`daemon-${n}`]} MiB`).join(', ')})`);

    const profileDir = process.env.BENCH_L4_PROFILE_DIR;
    return {
      topology: 'loopback', haproxy, modes, target, pids, setup, daemonStats, authzStats,
      cluster: {
        objects: baseObjects,
        client: { namespace: 'bench', ...CLIENT },
        server: { namespace: 'bench', ...SERVER },
      },
      applyObjects(name, objects) {
        extraSets.set(name, objects);
        setObjects();
        return Promise.resolve();
      },
      removeObjects(name) {
        if (extraSets.delete(name)) setObjects();
        return Promise.resolve();
      },
      controllerRssMiB: () => round(process.memoryUsage().rss / 2 ** 20, 1),
      load: () => load,
      window: () => openWindow(pids),
      async profileDaemons(label, fn) {
        if (!profileDir) return { value: await fn(), files: [] };
        await Promise.all(daemonList.map((d) => d.call('profileStart', undefined)));
        const value = await fn();
        const stamp = Date.now();
        const files = await Promise.all([...daemons].map(([node, d]) =>
          d.call('profileStop', { file: path.resolve(profileDir, `${label}-daemon-${node}-${stamp}.cpuprofile`) })));
        opts.log(`daemon CPU profiles: ${files.join(', ')}`);
        return { value, files };
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
