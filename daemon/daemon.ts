// The node daemon: discovery client → state (one updater) → policy engine, identity
// manager, HBONE server and pool, outbound/inbound proxies, telemetry and admin. How
// sockets are obtained is the DaemonNetwork's business (eBPF or loopback).
import { readFileSync } from 'node:fs';
import type { Logger } from '../api/log.js';
import { PORTS } from '../api/model.js';
import { controllerCredentials } from './controller-connection.js';
import { HboneServer, HbonePool } from './hbone/index.js';
import { caFetcher, IdentityManager, localIdentities, type CaFetcher } from './identity/index.js';
import type { TrafficCapture } from './capture/capture.js';
import type { DaemonNetwork, Listener } from './network/network.js';
import { ConnectionTracker } from './proxy/connection-tracker.js';
import { InboundProxy } from './proxy/inbound.js';
import { identityOf } from './proxy/outbound-plan.js';
import { OutboundProxy } from './proxy/outbound.js';
import { PolicyEngine } from './proxy/policy-engine.js';
import { roundRobin } from './proxy/round-robin.js';
import { DiscoveryClient, type StateUpdate } from './state/discovery-client.js';
import { ProxyState } from './state/proxy-state.js';
import { ProxyStateUpdater } from './state/proxy-state-updater.js';
import { createDaemonMetrics, type DaemonMetrics } from './telemetry/daemon-metrics.js';
import { startHttpServer, json, type Route, type StartedServer } from './admin/http-server.js';

export interface DaemonOptions {
  node: string;
  network: DaemonNetwork;
  /** Keeps the kernel's capture in line with the state (eBPF); none in the loopback mesh. */
  capture?: TrafficCapture;
  controller: { address: string; rootPem: string; token: () => string };
  log: Logger;
  /** Access log (defaults to `log`). */
  accessLog?: Logger;
  /** Admin (15000), metrics (15020), readiness (15021); 0 = any free port, -1 = off. */
  adminPort?: number;
  metricsPort?: number;
  readinessPort?: number;
  adminHost?: string;
  /** Also serve the admin endpoints, /metrics and /healthz/ready on this UNIX socket path. */
  adminSocket?: string;
  metricsHost?: string;
  /** Requested workload certificate lifetime (default: the CA's, 24 h). */
  certTtlSeconds?: number;
  /** Shorter timers for tests. */
  hbone?: { handshakeTimeoutMs?: number; idleTimeoutMs?: number };
  onQuit?: () => void;
}

export class NodeDaemon {
  readonly state = new ProxyState();
  readonly metrics: DaemonMetrics;
  readonly tracker = new ConnectionTracker();
  readonly policy: PolicyEngine;
  readonly identities: IdentityManager;
  readonly pool: HbonePool;
  readonly hboneServer: HboneServer;
  readonly discovery: DiscoveryClient;
  readonly ports: { admin?: number; metrics?: number; readiness?: number } = {};
  private readonly fetcher: CaFetcher;
  private readonly outbound: OutboundProxy;
  private readonly inbound: InboundProxy;
  private listeners: Listener[] = [];
  private servers: StartedServer[] = [];
  private listening = false;
  private stopped = false;

  constructor(private readonly opts: DaemonOptions) {
    const { node, log, network } = opts;
    this.metrics = createDaemonMetrics();
    this.policy = new PolicyEngine(this.state);
    this.fetcher = caFetcher(opts.controller.address, opts.controller.rootPem, opts.controller.token, { ttlSeconds: opts.certTtlSeconds });
    this.identities = new IdentityManager({ node, fetchCertificate: this.fetcher, log, registry: this.metrics.registry });
    this.pool = new HbonePool({ log, connectSocket: (dst) => network.connect(dst), idleTimeoutMs: opts.hbone?.idleTimeoutMs });
    const accessLog = opts.accessLog ?? log;
    const recordDeps = { metrics: this.metrics, accessLog, tracker: this.tracker };
    this.inbound = new InboundProxy({ ...recordDeps, node, state: this.state, network, policy: this.policy, log });
    this.outbound = new OutboundProxy({
      ...recordDeps, node, state: this.state, network, identities: this.identities, pool: this.pool, policy: this.policy, pick: roundRobin(), log,
    });
    this.hboneServer = new HboneServer({
      trustDomain: this.state.mesh.trustDomain,
      log,
      handshakeTimeoutMs: opts.hbone?.handshakeTimeoutMs,
      secureContextFor: (ip) => {
        const w = this.inbound.localDestination(ip);
        if (!w) return undefined;
        const id = identityOf(w);
        return this.identities.cached(id)?.secureContext ?? this.identities.certificate(id).then((c) => c.secureContext, () => undefined);
      },
      onStream: (req) => this.inbound.onHboneStream(req),
    });
    const { credentials, channelOptions } = controllerCredentials(opts.controller.rootPem);
    this.discovery = new DiscoveryClient({
      address: opts.controller.address, node, token: opts.controller.token, credentials, channelOptions, log,
      updater: new ProxyStateUpdater(this.state, (u) => this.onApplied(u)),
    });
    this.discovery.on('connected', () => this.metrics.xdsConnected.set(1));
    this.discovery.on('disconnected', () => this.metrics.xdsConnected.set(0));
  }

  /** Ready: the first full configuration is applied and every listener is bound. */
  get ready(): boolean {
    return this.discovery.synced && this.listening;
  }

  async start(): Promise<void> {
    // Listeners first: the first state update enrolls pods, whose new connections must
    // find them in place.
    const { network } = this.opts;
    this.listeners = await Promise.all([
      network.listen('outbound', (s, a) => this.outbound.handle(s, a)),
      network.listen('inbound-plaintext', (s, a) => this.inbound.handlePlaintext(s, a)),
      network.listen('hbone', (s, a) => this.hboneServer.handleSocket(s, { localAddress: a.dst.ip, remoteAddress: a.src.ip, remotePort: a.src.port })),
    ]);
    this.listening = true;
    this.discovery.start();
    await this.startHttp();
  }

  /** Resolves once the first full configuration is applied. */
  synced(): Promise<void> {
    if (this.discovery.synced) return Promise.resolve();
    return new Promise((resolve) => this.discovery.once('synced', () => resolve()));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.discovery.stop();
    this.opts.capture?.stopCapturingNew();
    await Promise.all(this.listeners.map((l) => l.close()));
    this.hboneServer.drain();
    await Promise.all([this.pool.close(), this.hboneServer.close(), ...this.servers.map((s) => s.close())]);
    await this.opts.capture?.close();
    this.identities.close();
    this.fetcher.close();
  }

  private onApplied(update: StateUpdate): void {
    this.metrics.xdsVersion.set(Number(update.version) || 0);
    this.policy.refresh();
    this.identities.setLocalIdentities(localIdentities(this.state, this.opts.node));
    this.opts.capture?.sync(this.state);
    const closed = this.policy.recheck(this.tracker);
    if (closed > 0) this.opts.log.info({ closed }, 'connections closed after a policy change');
  }

  configDump(): Record<string, unknown> {
    return {
      node: this.opts.node,
      version: this.state.version,
      ready: this.ready,
      workloads: [...this.state.workloadsByUid.values()],
      services: [...this.state.servicesByKey.values()],
      policies: [...this.state.policiesByKey.values()],
      policyProblems: this.policy.problems,
      certificates: this.identities.snapshot(),
      connections: this.tracker.list().map((c) => ({ id: c.id, direction: c.direction, src: c.src, dst: c.dst, srcIdentity: c.srcIdentity, destination: c.destination?.uid, startedAt: c.startedAt })),
      hbone: { pool: this.pool.stats(), connections: this.pool.dump(), server: this.hboneServer.stats() },
      ...(this.opts.capture ? { capture: this.opts.capture.dump() } : {}),
    };
  }

  private async startHttp(): Promise<void> {
    const o = this.opts;
    const admin: Record<string, Route> = {
      '/config_dump': () => Promise.resolve(json(this.configDump())),
      '/logging': (_req, url) => {
        const level = url.searchParams.get('level');
        if (level) {
          o.log.level = level;
          if (o.accessLog) o.accessLog.level = level;
        }
        return Promise.resolve({ status: 200, body: `level: ${o.log.level}\n` });
      },
      '/quitquitquit': () => {
        setImmediate(() => { void this.stop().then(() => o.onQuit?.()); });
        return Promise.resolve({ status: 200, body: 'OK\n' });
      },
    };
    const metrics: Record<string, Route> = {
      '/metrics': async () => ({ status: 200, type: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() }),
    };
    const readiness: Record<string, Route> = {
      '/healthz/ready': () => Promise.resolve(this.ready ? { status: 200, body: 'ready\n' } : { status: 503, body: 'not ready\n' }),
    };
    const listen = async (where: { host: string; port: number } | { path: string }, routes: Record<string, Route>): Promise<number> => {
      const s = await startHttpServer(where, routes);
      this.servers.push(s);
      return s.port;
    };
    const adminPort = o.adminPort ?? PORTS.admin;
    if (adminPort >= 0) this.ports.admin = await listen({ host: o.adminHost ?? '127.0.0.1', port: adminPort }, admin);
    const metricsPort = o.metricsPort ?? PORTS.metrics;
    if (metricsPort >= 0) this.ports.metrics = await listen({ host: o.metricsHost ?? '0.0.0.0', port: metricsPort }, metrics);
    const readinessPort = o.readinessPort ?? PORTS.readiness;
    if (readinessPort >= 0) this.ports.readiness = await listen({ host: o.metricsHost ?? '0.0.0.0', port: readinessPort }, readiness);
    if (o.adminSocket) await listen({ path: o.adminSocket }, { ...admin, ...metrics, ...readiness });
  }
}

/** Reads a token file on every call (so a rotated projected token is picked up). */
export function tokenFromFile(file: string): () => string {
  return () => readFileSync(file, 'utf8').trim();
}
