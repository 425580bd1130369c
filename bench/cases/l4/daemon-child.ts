// Child-process entry: one node daemon (a real NodeDaemon on a LoopbackNetwork) alone
// in its process, so its CPU (/proc/<pid>/stat) and RSS (/proc/<pid>/status) are its
// own. Its copy of the fabric comes from the orchestrator's table once every process
// has reported its ports. Logs go to /dev/null at info level (the access log writes a
// line per connection, as in production); admin/metrics/readiness ports are off.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { pino } from 'pino';
import { silentLogger } from '../../../api/log.js';
import { NodeDaemon } from '../../../daemon/daemon.js';
import { LoopbackFabric, LoopbackNetwork } from '../../../daemon/network/loopback-network.js';
import { serveRpc } from '../../lib/ipc-rpc.js';
import { authzStatsOf } from './authz-stats.js';
import type { DaemonApi, DaemonStats } from './messages.js';

const fabric = new LoopbackFabric();
let daemon: NodeDaemon | undefined;
let profiler: Session | undefined;

serveRpc<DaemonApi>({
  async start(p) {
    if (daemon) throw new Error('already started');
    const network = new LoopbackNetwork({ fabric, nodeIp: p.nodeIp });
    const log = p.accessLog ? pino({ level: 'info', base: { component: 'daemon' } }, pino.destination({ dest: '/dev/null', sync: false })) : silentLogger();
    daemon = new NodeDaemon({
      node: p.node,
      network,
      controller: { address: p.controllerAddress, rootPem: p.rootPem, token: () => p.token },
      log,
      adminPort: -1, metricsPort: -1, readinessPort: -1,
    });
    await daemon.start();
    await daemon.synced();
    const ports = network.daemonPorts();
    if (!ports) throw new Error('daemon listeners not bound');
    return ports;
  },
  table(table) {
    fabric.load(table);
  },
  stats() {
    if (!daemon) throw new Error('not started');
    const pool = daemon.pool.stats();
    const server = daemon.hboneServer.stats();
    return {
      pool: { connections: pool.connections, streams: pool.streams, handshakes: pool.handshakes },
      server: { connections: server.connections, streams: server.streams, accepted: server.accepted },
      tracked: daemon.tracker.size,
      memoryMiB: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 2 ** 10) / 1024])) as DaemonStats['memoryMiB'],
    };
  },
  async authz() {
    if (!daemon) throw new Error('not started');
    return authzStatsOf(daemon.configDump(), await daemon.metrics.registry.metrics());
  },
  async profileStart() {
    if (profiler) throw new Error('a profile is already running');
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 500 }); // µs
    await profiler.post('Profiler.start');
  },
  async profileStop({ file }) {
    if (!profiler) throw new Error('no profile running');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    return file;
  },
}, async () => {
  await daemon?.stop();
});
