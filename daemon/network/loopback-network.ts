// A DaemonNetwork on 127.0.0.1 for in-process meshes (tests, benchmarks): each listener
// is a plain loopback port, and every connection to it starts with a PROXY v1 line that
// carries the original addresses. A shared `LoopbackFabric` maps the mesh's virtual
// addresses (pod IP:port, node IP:15008) to loopback ports, so several daemons and
// "pods" live in one process without root.
import net, { type Socket } from 'node:net';
import type { AcceptHandler, Address, DaemonNetwork, Listener, ListenerKind } from './network.js';
import { formatProxyHeader, MAX_HEADER, parseProxyHeader } from './proxy-header.js';

/** The listeners of one daemon, as loopback ports. */
export interface DaemonPorts { outbound: number; inboundPlaintext: number; hbone: number }

/**
 * A fabric's routing table in a plain, structured-clone/JSON-safe form, so one table can
 * be handed to several processes (a multi-process bench mesh gives each its own copy).
 */
export interface FabricTable {
  /** Node (daemon) addresses: their connections are never captured. */
  nodes: string[];
  /** Pod (or outside) servers: virtual ip:port → loopback port. */
  apps: { ip: string; port: number; loopbackPort: number }[];
  /** Enrolled pod IPs and their node daemon's listeners. */
  enrolled: { podIp: string; daemon: DaemonPorts }[];
}

/**
 * The virtual network of one in-process mesh. It plays the part the eBPF program plays
 * on a real node: connections from an enrolled pod go to its node daemon's outbound
 * listener; connections to an enrolled pod's port 15008 go to its daemon's HBONE
 * listener, and other connections to an enrolled pod from outside the mesh go to the
 * daemon's plaintext inbound listener. Daemons' own connections (from a node address)
 * are never captured, and reach pods' loopback servers directly.
 */
export class LoopbackFabric {
  private readonly apps = new Map<string, number>();        // "ip:port" → loopback port of the app
  private readonly enrolled = new Map<string, DaemonPorts>(); // pod IP → its node daemon's listeners
  private readonly nodes = new Set<string>();                 // node (daemon) addresses

  /** A fabric holding a copy of `table` (see `toTable`). */
  static fromTable(table: FabricTable): LoopbackFabric {
    const fabric = new LoopbackFabric();
    fabric.load(table);
    return fabric;
  }

  /** A copy of the routing table, in a form that can cross a process boundary. */
  toTable(): FabricTable {
    return {
      nodes: [...this.nodes],
      apps: [...this.apps].map(([key, loopbackPort]) => {
        const colon = key.lastIndexOf(':');
        return { ip: key.slice(0, colon), port: Number(key.slice(colon + 1)), loopbackPort };
      }),
      enrolled: [...this.enrolled].map(([podIp, daemon]) => ({ podIp, daemon: { ...daemon } })),
    };
  }

  /** Adds every entry of `table` (nodes, servers, enrollments), replacing entries for the same keys. */
  load(table: FabricTable): void {
    for (const ip of table.nodes) this.addNode(ip);
    for (const a of table.apps) this.serve(a.ip, a.port, a.loopbackPort);
    for (const e of table.enrolled) this.enroll(e.podIp, { ...e.daemon });
  }

  addNode(ip: string): void {
    this.nodes.add(ip);
  }

  /** A server of a pod (or of anything outside the mesh) at ip:port. */
  serve(ip: string, port: number, loopbackPort: number): void {
    this.apps.set(`${ip}:${port}`, loopbackPort);
  }

  unserve(ip: string, port: number): void {
    this.apps.delete(`${ip}:${port}`);
  }

  enroll(podIp: string, daemon: DaemonPorts): void {
    this.enrolled.set(podIp, daemon);
  }

  unenroll(podIp: string): void {
    this.enrolled.delete(podIp);
  }

  /** Where a connection from `src` to `dst` lands (a daemon listener wants the PROXY line), or undefined (refused). */
  route(src: Address, dst: Address): { port: number; toDaemon: boolean } | undefined {
    const fromProxy = this.nodes.has(src.ip);
    if (!fromProxy) {
      const captured = this.enrolled.get(src.ip);
      if (captured) return { port: captured.outbound, toDaemon: true };
    }
    const target = this.enrolled.get(dst.ip);
    if (target && dst.port === 15008) return { port: target.hbone, toDaemon: true };
    if (target && !fromProxy) return { port: target.inboundPlaintext, toDaemon: true };
    const app = this.apps.get(`${dst.ip}:${dst.port}`);
    return app === undefined ? undefined : { port: app, toDaemon: false };
  }

  /** Connects "from" a virtual address to a virtual destination (PROXY line first). */
  connect(src: Address, dst: Address): Promise<Socket> {
    const route = this.route(src, dst);
    if (route === undefined) return Promise.reject(Object.assign(new Error(`connect ECONNREFUSED ${dst.ip}:${dst.port}`), { code: 'ECONNREFUSED' }));
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port: route.port, allowHalfOpen: true });
      sock.setNoDelay(true);
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        if (route.toDaemon) sock.write(formatProxyHeader({ src, dst }));
        resolve(sock);
      });
    });
  }
}

/** Accepts loopback connections and reads their PROXY line before handing them on. */
export function acceptWithProxyHeader(onAccept: AcceptHandler): net.Server {
  return net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (sock) => {
    sock.setNoDelay(true);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEADER) sock.destroy();
        return;
      }
      sock.off('data', onData);
      sock.pause();
      const addresses = parseProxyHeader(buffered.subarray(0, end).toString('latin1'));
      if (!addresses) {
        sock.destroy();
        return;
      }
      const rest = buffered.subarray(end + 2);
      if (rest.length > 0) sock.unshift(rest);
      onAccept(sock, addresses);
    };
    sock.on('data', onData);
    sock.on('error', () => sock.destroy());
  });
}

export interface LoopbackNetworkOptions {
  fabric: LoopbackFabric;
  /** The node's own address: the source of its daemon's connections. */
  nodeIp: string;
}

export class LoopbackNetwork implements DaemonNetwork {
  private readonly ports = new Map<ListenerKind, number>();

  constructor(private readonly opts: LoopbackNetworkOptions) {
    opts.fabric.addNode(opts.nodeIp);
  }

  /** The daemon's listener ports, once all three are bound (for enrolling pods). */
  daemonPorts(): DaemonPorts | undefined {
    const outbound = this.ports.get('outbound');
    const inboundPlaintext = this.ports.get('inbound-plaintext');
    const hbone = this.ports.get('hbone');
    return outbound && inboundPlaintext && hbone ? { outbound, inboundPlaintext, hbone } : undefined;
  }

  /** The loopback port of a listener (for routing captured pod traffic to it). */
  portOf(kind: ListenerKind): number | undefined {
    return this.ports.get(kind);
  }

  async listen(kind: ListenerKind, onAccept: AcceptHandler): Promise<Listener> {
    const server = acceptWithProxyHeader(onAccept);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address() as net.AddressInfo;
    this.ports.set(kind, addr.port);
    return {
      close: () => new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
    };
  }

  connect(dst: Address): Promise<Socket> {
    return this.opts.fabric.connect({ ip: this.opts.nodeIp, port: 0 }, dst);
  }
}
