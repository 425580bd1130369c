// An in-process mesh without root: a real controller (gRPC + TLS + CA), one real
// NodeDaemon per node, and "pods" as loopback servers, wired by a LoopbackFabric that
// plays the eBPF program's part (enrolled pods' connections captured by their node's
// daemon, inbound to enrolled pods through it).
import net, { type Socket } from 'node:net';
import { silentLogger } from '../../api/log.js';
import type { KubeObject } from '../../controller/config/resource.js';
import { NodeDaemon, type DaemonOptions } from '../../daemon/daemon.js';
import { LoopbackFabric, LoopbackNetwork } from '../../daemon/network/loopback-network.js';
import { captureLogger } from './capture-logger.js';
import { startHarness, waitFor, type Harness } from './controller-harness.js';

export const NODE_IPS: Record<string, string> = { 'node-1': '172.18.0.1', 'node-2': '172.18.0.2' };

export interface App {
  ip: string;
  port: number;
  server: net.Server;
  /** Connections seen, with the source address the app observed (always loopback here). */
  connections: number;
}

export interface Mesh {
  control: Harness;
  fabric: LoopbackFabric;
  daemons: Map<string, NodeDaemon>;
  accessLogs: Map<string, Record<string, unknown>[]>;
  /** An echo server for a pod IP and port ("hello <name>\n" first, then echo). */
  app(ip: string, port: number, name: string): Promise<App>;
  /** Connects from a pod (captured if it is enrolled) to a destination. */
  connect(fromIp: string, toIp: string, toPort: number): Promise<Socket>;
  /** Enrolls every HBONE workload with its node's daemon (the redirect manager's job). */
  enrollMeshPods(): void;
  /** Applies a new object set and waits until every daemon has the new version. */
  apply(objects: KubeObject[]): Promise<void>;
  restartDaemon(node: string): Promise<NodeDaemon>;
  close(): Promise<void>;
}

export async function startMesh(objects: KubeObject[], extra: Partial<DaemonOptions> = {}): Promise<Mesh> {
  const control = await startHarness(objects);
  const fabric = new LoopbackFabric();
  const daemons = new Map<string, NodeDaemon>();
  const accessLogs = new Map<string, Record<string, unknown>[]>();
  const apps: App[] = [];
  const networks = new Map<string, LoopbackNetwork>();

  const makeDaemon = async (node: string): Promise<NodeDaemon> => {
    const { log: accessLog, lines } = captureLogger();
    accessLogs.set(node, lines);
    const network = new LoopbackNetwork({ fabric, nodeIp: NODE_IPS[node]! });
    networks.set(node, network);
    const d = new NodeDaemon({
      node,
      network,
      controller: { address: control.address, rootPem: control.controller.rootCertPem, token: () => control.token(node) },
      log: silentLogger(),
      accessLog,
      adminPort: 0, metricsPort: 0, readinessPort: 0,
      hbone: { handshakeTimeoutMs: 2000 },
      ...extra,
    });
    await d.start();
    await d.synced();
    daemons.set(node, d);
    return d;
  };
  for (const node of Object.keys(NODE_IPS)) await makeDaemon(node);

  const mesh: Mesh = {
    control, fabric, daemons, accessLogs,
    async app(ip, port, name) {
      const app: App = { ip, port, connections: 0, server: net.createServer({ allowHalfOpen: true }, (sock) => {
        app.connections++;
        sock.on('error', () => sock.destroy());
        sock.write(`hello ${name}\n`);
        sock.pipe(sock);
      }) };
      await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
      fabric.serve(ip, port, (app.server.address() as net.AddressInfo).port);
      apps.push(app);
      return app;
    },
    connect(fromIp, toIp, toPort) {
      return fabric.connect({ ip: fromIp, port: 40000 + Math.floor(Math.random() * 20000) }, { ip: toIp, port: toPort });
    },
    enrollMeshPods() {
      for (const [node, d] of daemons) {
        const ports = networks.get(node)?.daemonPorts();
        if (!ports) throw new Error(`daemon ${node} has no listeners`);
        for (const w of d.state.workloadsByUid.values()) {
          if (w.node !== node) continue;
          for (const ip of w.addresses) {
            if (w.tunnelProtocol === 'HBONE') fabric.enroll(ip, ports);
            else fabric.unenroll(ip);
          }
        }
      }
    },
    async apply(next) {
      control.source.set(next);
      control.controller.flush();
      const version = String(control.controller.publisher.version);
      await waitFor(() => [...daemons.values()].every((d) => d.state.version === version), 5000, `daemons at version ${version}`);
    },
    async restartDaemon(node) {
      await daemons.get(node)?.stop();
      return makeDaemon(node);
    },
    async close() {
      for (const d of daemons.values()) await d.stop();
      for (const a of apps) a.server.close();
      await control.close();
    },
  };
  mesh.enrollMeshPods();
  return mesh;
}

/** Writes `text`, reads until `expect` bytes arrived (or the socket closed); resolves with what came. */
export function exchange(sock: Socket, text: string, expectBytes: number, timeoutMs = 5000): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    let closed = false;
    const timer = setTimeout(() => done(), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      sock.off('data', onData);
      resolve({ data, closed });
    };
    const onData = (chunk: Buffer): void => {
      data += chunk.toString('utf8');
      if (Buffer.byteLength(data) >= expectBytes) done();
    };
    sock.on('data', onData);
    sock.once('close', () => { closed = true; done(); });
    sock.on('error', () => { /* a reset shows as close */ });
    if (text) sock.write(text);
  });
}
