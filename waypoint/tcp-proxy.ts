// Opaque TCP through the waypoint: one routing decision per connection — VirtualService
// `tcp` routes (rule 80: port, destination subnets, source namespace; weighted
// destinations and subsets), else straight to the addressed service or workload — then
// an HBONE stream to the chosen endpoint and a relay with half-close.
import type { Duplex } from 'node:stream';
import type { L7Destination } from '../api/l7-model.js';
import { serviceKey } from '../api/model.js';
import { ConnectionRecord } from '../daemon/proxy/connection-record.js';
import { relay } from '../daemon/proxy/relay.js';
import type { ProxyDeps } from './connection-handler.js';
import { endpointOf, resolveDestination } from './destination-resolver.js';
import { pickWeighted, selectTcpRoute } from './engine/index.js';
import type { ConnectionContext } from './http-proxy.js';
import type { UpstreamEndpoint } from './upstream.js';

export class TcpProxy {
  constructor(private readonly deps: ProxyDeps) {}

  handle(stream: Duplex, ctx: ConnectionContext): void {
    void this.run(stream, ctx).catch((err: unknown) => {
      this.deps.log.error({ err }, 'waypoint TCP connection failed unexpectedly');
      stream.destroy();
    });
  }

  private async run(stream: Duplex, ctx: ConnectionContext): Promise<void> {
    const { target } = ctx;
    const record = new ConnectionRecord(this.deps, {
      direction: 'outbound', src: ctx.client, dst: target.authority, source: ctx.source, srcIdentity: ctx.peer,
      destinationService: target.kind === 'service' ? target.service.hostname : undefined, mtls: true,
    });
    let endpoint: UpstreamEndpoint;
    if (target.kind === 'workload') {
      endpoint = endpointOf(target.workload, target.authority.port);
    } else {
      const table = this.deps.routes.routes(serviceKey(target.service));
      let dest: L7Destination = { host: target.service.hostname, port: target.port.servicePort, weight: 1 };
      if (table && table.tcp.length > 0) {
        const route = selectTcpRoute(table, { port: target.port.servicePort, dstIp: target.authority.ip, sourceNamespace: ctx.peer.namespace });
        if (!route) {
          record.failed('NR', `no tcp route of ${target.service.hostname} matches`);
          stream.destroy();
          return;
        }
        dest = pickWeighted(route.route.route, this.deps.random);
      }
      const resolved = resolveDestination(this.deps, dest, target.port.servicePort);
      if ('flag' in resolved) {
        record.failed(resolved.flag, resolved.reason);
        stream.destroy();
        return;
      }
      endpoint = resolved.endpoint;
    }
    let upstream: Duplex;
    try {
      upstream = await this.deps.upstreams.openStream(endpoint);
    } catch (err) {
      record.failed('UF', err instanceof Error ? err.message : String(err));
      stream.destroy();
      return;
    }
    this.deps.picker.started(endpoint.workload);
    record.opened(upstream, { destination: endpoint.workload, hboneAddr: `${endpoint.ip}:${endpoint.port}` });
    const result = await relay(stream, upstream);
    this.deps.picker.finished(endpoint.workload);
    record.closed(result);
  }
}
