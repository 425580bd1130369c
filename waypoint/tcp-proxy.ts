// Opaque TCP through the waypoint: one routing decision per connection — VirtualService
// `tcp` routes (rule 80: port, destination subnets, source namespace; weighted
// destinations and subsets), else straight to the addressed service or workload — then
// an HBONE stream to the chosen endpoint and a relay with half-close. A service's
// connection pool bounds its open connections (rule 86; past `maxConnections` the
// connection is closed, flag UO), and connection failures feed its outlier detection
// (rule 87; a connection that opens resets the count).
import type { Duplex } from 'node:stream';
import type { L7Destination } from '../api/l7-model.js';
import { serviceKey } from '../api/model.js';
import { ConnectionRecord } from '../daemon/proxy/connection-record.js';
import { relay } from '../daemon/proxy/relay.js';
import type { ProxyDeps } from './connection-handler.js';
import { endpointOf, resolveDestination, type ResolvedDestination } from './destination-resolver.js';
import { pickWeighted, selectTcpRoute, type Observed } from './engine/index.js';
import type { ConnectionContext } from './http-proxy.js';
import type { UpstreamEndpoint } from './upstream.js';

const NO_HEADERS: ReadonlyMap<string, string> = new Map();

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
    let destination: ResolvedDestination | undefined;
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
      // Consistent hashing of a TCP connection can only use the client's IP (rule 85).
      const resolved = resolveDestination(this.deps, dest, target.port.servicePort, undefined, { headers: NO_HEADERS, sourceIp: ctx.client.ip, path: '' });
      if ('flag' in resolved) {
        record.failed(resolved.flag, resolved.reason);
        stream.destroy();
        return;
      }
      endpoint = resolved.endpoint;
      destination = resolved;
    }
    const limits = destination?.settings.connectionPool;
    const breaker = destination ? this.deps.clusters.breaker(destination.cluster) : undefined;
    if (breaker && !breaker.admitConnection(limits)) {
      this.deps.clusters.overflows.inc({ cluster: destination!.cluster, kind: 'connection' });
      record.failed('UO', `connection pool of ${destination!.cluster} full`);
      stream.destroy();
      return;
    }
    try {
      let upstream: Duplex;
      try {
        upstream = await this.deps.upstreams.openStream(endpoint);
      } catch (err) {
        this.observe(destination, { failure: 'connect-failure' });
        record.failed('UF', err instanceof Error ? err.message : String(err));
        stream.destroy();
        return;
      }
      this.observe(destination, { status: 200 });
      this.deps.picker.started(endpoint.workload);
      record.opened(upstream, { destination: endpoint.workload, hboneAddr: `${endpoint.ip}:${endpoint.port}` });
      const result = await relay(stream, upstream);
      this.deps.picker.finished(endpoint.workload);
      record.closed(result);
    } finally {
      breaker?.release(limits, true);
    }
  }

  /** A connection attempt's outcome for the destination's outlier detection. */
  private observe(destination: ResolvedDestination | undefined, observed: Observed): void {
    const settings = destination?.settings.outlierDetection;
    if (destination && settings) this.deps.clusters.observe(destination, observed, settings, this.deps.log);
  }
}
