// Inbound: HBONE streams (15008) from other nodes, with the peer's verified identity,
// and plaintext connections (15006) from outside the mesh, with no identity. Both go
// through PeerAuthentication (already converted into DENY policies) and
// AuthorizationPolicy for the destination pod, then to the pod itself.
import type { Socket } from 'node:net';
import type { Logger } from '../../api/log.js';
import type { Workload } from '../../api/model.js';
import type { HboneInboundRequest } from '../hbone/index.js';
import type { ConnectionAddresses, DaemonNetwork } from '../network/network.js';
import type { ProxyState } from '../state/proxy-state.js';
import { ConnectionRecord, type RecordDeps } from './connection-record.js';
import { refuse } from './outbound.js';
import type { PolicyEngine } from './policy-engine.js';
import { relay } from './relay.js';
import { directHop } from './direct-hop.js';

export interface InboundDeps extends RecordDeps {
  node: string;
  state: ProxyState;
  network: DaemonNetwork;
  policy: PolicyEngine;
  log: Logger;
}

export class InboundProxy {
  constructor(private readonly deps: InboundDeps) {}

  /** A destination pod served by this daemon: on this node and in the mesh. */
  localDestination(ip: string): Workload | undefined {
    const w = this.deps.state.workloadByIp(ip);
    return w && w.node === this.deps.node && w.tunnelProtocol === 'HBONE' ? w : undefined;
  }

  onHboneStream(req: HboneInboundRequest): void {
    void this.hbone(req).catch((err: unknown) => {
      this.deps.log.error({ err }, 'inbound HBONE stream failed unexpectedly');
      if (!req.answered) req.reject(503, 'internal error');
    });
  }

  private async hbone(req: HboneInboundRequest): Promise<void> {
    const src = req.forwardedFor ? { ip: req.forwardedFor.ip, port: req.forwardedFor.port ?? 0 } : { ip: req.remoteAddress, port: req.remotePort };
    const dst = req.authority;
    const destination = this.localDestination(dst.ip);
    const record = new ConnectionRecord(this.deps, {
      direction: 'inbound', src, dst, source: this.deps.state.workloadByIp(src.ip), srcIdentity: req.peerIdentity,
      destination, mtls: true,
    });
    if (!destination) {
      record.failed('NR', `${dst.ip} is not a mesh workload on this node`);
      req.reject(400, 'unknown destination');
      return;
    }
    const decision = this.deps.policy.check({ srcIp: src.ip, srcPort: src.port, dstIp: dst.ip, dstPort: dst.port, srcIdentity: req.peerIdentity }, destination);
    if (!decision.allowed) {
      record.failed('DENY', decision.reason);
      req.reject(401, decision.reason);
      return;
    }
    let upstream: Socket;
    try {
      upstream = await this.deps.network.connect(dst, req.signal, src);
    } catch (err) {
      record.failed('CONNECT', err instanceof Error ? err.message : String(err));
      req.reject(503, 'upstream connect failed');
      return;
    }
    if (req.signal.aborted) {
      upstream.destroy();
      record.failed('DC', 'client cancelled');
      return;
    }
    const stream = req.accept();
    record.opened(upstream);
    record.closed(await relay(stream, upstream));
  }

  /** Plaintext from outside the mesh: allowed only where no policy requires a principal. */
  handlePlaintext(socket: Socket, addresses: ConnectionAddresses): void {
    socket.on('error', () => { /* reported through the relay */ });
    void this.plaintext(socket, addresses).catch((err: unknown) => {
      this.deps.log.error({ err }, 'inbound plaintext connection failed unexpectedly');
      refuse(socket);
    });
  }

  private async plaintext(socket: Socket, { src, dst }: ConnectionAddresses): Promise<void> {
    const destination = this.localDestination(dst.ip);
    const record = new ConnectionRecord(this.deps, {
      direction: 'inbound', src, dst, source: this.deps.state.workloadByIp(src.ip), destination, mtls: false,
    });
    if (!destination) {
      record.failed('NR', `${dst.ip} is not a mesh workload on this node`);
      refuse(socket);
      return;
    }
    const decision = this.deps.policy.check({ srcIp: src.ip, srcPort: src.port, dstIp: dst.ip, dstPort: dst.port }, destination);
    if (!decision.allowed) {
      record.failed('DENY', decision.reason);
      refuse(socket);
      return;
    }
    await directHop(this.deps.network, dst, socket, record, src);
  }
}
