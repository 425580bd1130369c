// The waypoint: an L7 proxy for the services (or workloads) that opt in to it. Built
// from the node daemon's parts — discovery client and the one state updater, identity
// manager, HBONE server and pool, metrics and admin — plus the L7 engine. It terminates
// HBONE on 15008 with its own identity (`spiffe://<td>/ns/<ns>/sa/<sa>`), finds the
// service by the CONNECT `:authority`, picks the protocol, routes each HTTP request
// (or each TCP connection) and sends it over HBONE to the chosen endpoint.
import { createServer, type Server, type Socket } from 'node:net';
import type { Identity } from '../api/identity.js';
import { AmbitError } from '../api/errors.js';
import type { Logger } from '../api/log.js';
import { PORTS } from '../api/model.js';
import type { StartedServer } from '../daemon/admin/http-server.js';
import { startProxyEndpoints } from '../daemon/admin/proxy-endpoints.js';
import { controllerCredentials } from '../daemon/controller-connection.js';
import { HboneServer, HbonePool, type HboneInboundRequest } from '../daemon/hbone/index.js';
import type { ConnectSocket } from '../daemon/hbone/dial.js';
import { caFetcher, IdentityManager, type CaFetcher } from '../daemon/identity/index.js';
import { ConnectionTracker } from '../daemon/proxy/connection-tracker.js';
import { DiscoveryClient } from '../daemon/state/discovery-client.js';
import { ProxyState } from '../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../daemon/state/proxy-state-updater.js';
import { createDaemonMetrics, type DaemonMetrics } from '../daemon/telemetry/daemon-metrics.js';
import { ConnectionHandler } from './connection-handler.js';
import { RouteCache } from './route-cache.js';
import { ClusterStates } from './cluster-states.js';
import { RequestMetrics } from './request-metrics.js';
import { Upstreams } from './upstream.js';

export interface WaypointOptions {
  /** The waypoint Gateway's namespace and name. */
  namespace: string;
  name: string;
  /** The service account the waypoint runs as (default: the Gateway's name, as Istio deploys it). */
  serviceAccount?: string;
  /** The node the waypoint pod runs on: its credentials and CA scope are that node's. */
  node: string;
  controller: { address: string; rootPem: string; token: () => string };
  log: Logger;
  accessLog?: Logger;
  /** HBONE listener (default 0.0.0.0:15008). */
  hbone?: { host?: string; port?: number };
  /** Admin (15000 on 127.0.0.1), metrics (15020) and readiness (15021); 0 = any free port, -1 = off. */
  adminPort?: number;
  metricsPort?: number;
  readinessPort?: number;
  metricsHost?: string;
  /** Requested certificate lifetime (default: the CA's). */
  certTtlSeconds?: number;
  /** Opens upstream TCP connections (default: a plain connect; tests route through a loopback fabric). */
  connect?: ConnectSocket;
  onQuit?: () => void;
}

export class Waypoint {
  readonly state = new ProxyState();
  readonly metrics: DaemonMetrics;
  readonly requestMetrics: RequestMetrics;
  private readonly clusters: ClusterStates;
  readonly identities: IdentityManager;
  readonly pool: HbonePool;
  readonly hboneServer: HboneServer;
  readonly discovery: DiscoveryClient;
  readonly routes = new RouteCache();
  readonly ports: { hbone?: number; admin?: number; metrics?: number; readiness?: number } = {};
  private readonly fetcher: CaFetcher;
  private readonly upstreams: Upstreams;
  private readonly handler: ConnectionHandler;
  private listener: Server | undefined;
  private servers: StartedServer[] = [];
  private stopped = false;

  constructor(private readonly opts: WaypointOptions) {
    const { log, node } = opts;
    if (!opts.namespace || !opts.name) throw new AmbitError('AMBIT_ERR_WAYPOINT', 'a waypoint needs the namespace and name of its Gateway');
    this.metrics = createDaemonMetrics();
    this.requestMetrics = new RequestMetrics(this.metrics.registry);
    this.clusters = new ClusterStates(this.metrics.registry);
    this.fetcher = caFetcher(opts.controller.address, opts.controller.rootPem, opts.controller.token, { ttlSeconds: opts.certTtlSeconds });
    this.identities = new IdentityManager({ node, fetchCertificate: this.fetcher, log, registry: this.metrics.registry });
    this.pool = new HbonePool({ log, connectSocket: opts.connect });
    this.upstreams = new Upstreams({
      pool: this.pool, identity: this.identity, certificate: () => this.identities.certificate(this.identity), connect: opts.connect,
    });
    this.handler = new ConnectionHandler({
      self: { namespace: opts.namespace, name: opts.name }, state: this.state, routes: this.routes, upstreams: this.upstreams,
      metrics: this.metrics, requestMetrics: this.requestMetrics, accessLog: opts.accessLog ?? log, log, tracker: new ConnectionTracker(),
      clusters: this.clusters,
    });
    this.hboneServer = new HboneServer({
      trustDomain: this.state.mesh.trustDomain,
      log,
      // The authority is the original destination (a VIP or another pod), never this
      // pod's address: which destinations the waypoint serves is resolveTarget's decision.
      authorityAllowed: () => true,
      secureContextFor: () => {
        const cached = this.identities.cached(this.identity);
        return cached?.secureContext ?? this.identities.certificate(this.identity).then((c) => c.secureContext, () => undefined);
      },
      onStream: (req: HboneInboundRequest) => this.handler.onStream(req),
    });
    const { credentials, channelOptions } = controllerCredentials(opts.controller.rootPem);
    this.discovery = new DiscoveryClient({
      address: opts.controller.address, node, token: opts.controller.token, credentials, channelOptions, log,
      updater: new ProxyStateUpdater(this.state, () => this.onApplied(), { checkL7: (cfg) => this.routes.check(cfg) }),
    });
    this.discovery.on('connected', () => this.metrics.xdsConnected.set(1));
    this.discovery.on('disconnected', () => this.metrics.xdsConnected.set(0));
  }

  /** The waypoint's SPIFFE identity. */
  get identity(): Identity {
    return { trustDomain: this.state.mesh.trustDomain, namespace: this.opts.namespace, serviceAccount: this.opts.serviceAccount ?? this.opts.name };
  }

  get ready(): boolean {
    return this.discovery.synced && this.listener !== undefined && this.identities.cached(this.identity) !== undefined;
  }

  async start(): Promise<void> {
    const { host = '0.0.0.0', port = PORTS.hbone } = this.opts.hbone ?? {};
    const server = createServer({ noDelay: true }, (socket: Socket) => {
      this.hboneServer.handleSocket(socket, { localAddress: socket.localAddress ?? '', remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    this.listener = server;
    const address = server.address();
    this.ports.hbone = typeof address === 'object' && address ? address.port : port;
    this.discovery.start();
    await this.startHttp();
  }

  /** Resolves once the first configuration is applied and the waypoint's certificate is in hand. */
  async synced(): Promise<void> {
    if (!this.discovery.synced) await new Promise<void>((resolve) => this.discovery.once('synced', () => resolve()));
    await this.identities.certificate(this.identity);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.discovery.stop();
    // Stop accepting; the listener's close completes once the HBONE server has closed
    // the connections it holds.
    const listener = this.listener;
    const listenerClosed = listener ? new Promise<void>((resolve) => listener.close(() => resolve())) : Promise.resolve();
    this.hboneServer.drain();
    await this.upstreams.close();
    await Promise.all([this.pool.close(), this.hboneServer.close(), ...this.servers.map((s) => s.close())]);
    await listenerClosed;
    this.identities.close();
    this.fetcher.close();
  }

  private onApplied(): void {
    this.metrics.xdsVersion.set(Number(this.state.version) || 0);
    this.identities.setLocalIdentities([this.identity]);
    this.routes.retain(this.state.l7ByService);
  }

  configDump(): Record<string, unknown> {
    return {
      waypoint: `${this.opts.namespace}/${this.opts.name}`,
      identity: this.identity,
      version: this.state.version,
      ready: this.ready,
      routes: this.routes.dump(this.state.l7ByService),
      services: [...this.state.servicesByKey.values()].filter((s) => s.waypoint?.namespace === this.opts.namespace && s.waypoint.name === this.opts.name).map((s) => s.hostname),
      upstreams: this.upstreams.list(),
      clusters: this.clusters.dump(),
      certificates: this.identities.snapshot(),
      hbone: { pool: this.pool.stats(), server: this.hboneServer.stats() },
    };
  }

  private async startHttp(): Promise<void> {
    const o = this.opts;
    const endpoints = await startProxyEndpoints({
      configDump: () => this.configDump(), loggers: o.accessLog ? [o.log, o.accessLog] : [o.log],
      quit: () => { void this.stop().then(() => o.onQuit?.()); }, registry: this.metrics.registry, ready: () => this.ready,
      adminPort: o.adminPort, metricsPort: o.metricsPort, readinessPort: o.readinessPort, metricsHost: o.metricsHost,
    });
    this.servers.push(...endpoints.servers);
    Object.assign(this.ports, endpoints.ports);
  }
}
