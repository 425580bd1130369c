// Outbound (15001): a pod's captured connection. The plan (pure) says where it goes;
// this file does the I/O: an HBONE stream from the pooled tunnel (to the destination's
// node or to its waypoint), a same-node delivery after the same authorization the
// destination node would apply, or a passthrough.
import type { Socket } from 'node:net';
import type { Identity } from '../../api/identity.js';
import type { Logger } from '../../api/log.js';
import type { Workload } from '../../api/model.js';
import type { HbonePool } from '../hbone/index.js';
import { isHboneError } from '../hbone/index.js';
import type { IdentityManager } from '../identity/index.js';
import type { Address, ConnectionAddresses, DaemonNetwork } from '../network/network.js';
import type { ProxyState } from '../state/proxy-state.js';
import { ConnectionRecord, type RecordDeps } from './connection-record.js';
import { planOutbound, type EndpointPicker, type OutboundPlan } from './outbound-plan.js';
import type { PolicyEngine } from './policy-engine.js';
import { abort, relay } from './relay.js';
import { directHop } from './direct-hop.js';

export interface OutboundDeps extends RecordDeps {
  node: string;
  state: ProxyState;
  network: DaemonNetwork;
  identities: IdentityManager;
  pool: HbonePool;
  policy: PolicyEngine;
  pick: EndpointPicker;
  log: Logger;
}

/** Closes a captured connection with a reset, as a refused L4 connection looks to clients. */
export function refuse(socket: Socket): void {
  abort(socket);
}

export class OutboundProxy {
  constructor(private readonly deps: OutboundDeps) {}

  handle(socket: Socket, addresses: ConnectionAddresses): void {
    socket.on('error', () => { /* reported through the relay or the refusal */ });
    const plan = planOutbound(this.deps.state, this.deps.node, addresses.src, addresses.dst, this.deps.pick);
    this.run(socket, addresses, plan).catch((err: unknown) => {
      this.deps.log.error({ err }, 'outbound connection failed unexpectedly');
      refuse(socket);
    });
  }

  private async run(socket: Socket, addresses: ConnectionAddresses, plan: OutboundPlan): Promise<void> {
    const service = 'service' in plan ? plan.service?.hostname : undefined;
    const mtls = plan.kind === 'hbone' || plan.kind === 'waypoint' || plan.kind === 'local';
    const record = new ConnectionRecord(this.deps, {
      direction: 'outbound', src: addresses.src, dst: addresses.dst, source: plan.source,
      // Through a waypoint the peer is the waypoint (as ztunnel reports it); its policies
      // are not the ones that decide this connection, so it is not re-checked here.
      destination: plan.kind === 'waypoint' ? plan.waypoint : 'destination' in plan ? plan.destination : undefined,
      recheck: plan.kind !== 'waypoint', destinationService: service,
      srcIdentity: mtls ? plan.srcIdentity : undefined,
      hboneAddr: plan.kind === 'hbone' || plan.kind === 'waypoint' ? `${plan.tunnel.ip}:${plan.tunnel.port}` : undefined,
      mtls,
    });
    switch (plan.kind) {
      case 'refuse':
        record.failed('NR', plan.reason);
        refuse(socket);
        return;
      case 'passthrough':
        await directHop(this.deps.network, plan.target, socket, record);
        return;
      case 'plaintext-local':
        // As the destination's own inbound plaintext path would: its policies, no identity.
        await this.deliverOnNode(socket, addresses, record, plan.destination, plan.target);
        return;
      case 'local':
        // Same node: the destination's policies are checked here, with the source's own identity.
        await this.deliverOnNode(socket, addresses, record, plan.destination, plan.target, plan.srcIdentity);
        return;
      case 'hbone':
      case 'waypoint': {
        // To a waypoint the tunnel ends at the waypoint and the authority is the original destination.
        socket.pause();
        let stream;
        try {
          const cert = await this.deps.identities.certificate(plan.srcIdentity);
          stream = await this.deps.pool.connect({
            srcIdentity: plan.srcIdentity, secureContext: cert.secureContext, dstIdentity: plan.dstIdentity,
            dstAddress: plan.tunnel, authority: plan.kind === 'hbone' ? plan.target : plan.authority,
            forwardedFor: addresses.src, baggage: baggage(plan.source),
          });
        } catch (err) {
          const status = isHboneError(err) ? err.status : undefined;
          const flag = status === 401 ? 'DENY' : status === 503 ? 'CONNECT' : isHboneError(err) && /TLS|IDENTITY/.test(err.code) ? 'TLS_FAILURE' : 'CONNECT';
          record.failed(flag, err instanceof Error ? err.message : String(err));
          refuse(socket);
          return;
        }
        record.opened(socket);
        socket.resume();
        record.closed(await relay(socket, stream));
        return;
      }
    }
  }
  /** A pod on this node: the destination's policy decides, then a direct hop from the client's address. */
  private async deliverOnNode(socket: Socket, addresses: ConnectionAddresses, record: ConnectionRecord, destination: Workload, target: Address, srcIdentity?: Identity): Promise<void> {
    const decision = this.deps.policy.check(
      { srcIp: addresses.src.ip, srcPort: addresses.src.port, dstIp: target.ip, dstPort: target.port, ...(srcIdentity ? { srcIdentity } : {}) },
      destination,
    );
    if (!decision.allowed) {
      record.failed('DENY', decision.reason);
      refuse(socket);
      return;
    }
    await directHop(this.deps.network, target, socket, record, addresses.src);
  }
}

function baggage(s: Workload): string {
  return [
    `k8s.namespace.name=${s.namespace}`, `k8s.deployment.name=${s.workloadName}`,
    `service.name=${s.canonicalName}`, `service.version=${s.canonicalRevision}`,
  ].join(',');
}
