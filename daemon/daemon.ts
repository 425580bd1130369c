// The node daemon: discovery client → state (one updater) → policy engine, identity
// manager, HBONE server and pool, outbound/inbound proxies, telemetry and admin. How
// sockets are obtained is the DaemonNetwork's business (eBPF or loopback).
import { readFileSync } from 'node:fs';
import type { Logger } from '../api/log.js';
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
import type { StartedServer } from './admin/http-server.js';
import { startProxyEndpoints } from './admin/proxy-endpoints.js';

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
      l7: [...this.state.l7ByService.values()],
      policyProblems: this.policy.problems,
      certificates: this.identities.snapshot(),
      connections: this.tracker.list().map((c) => ({ id: c.id, direction: c.direction, src: c.src, dst: c.dst, srcIdentity: c.srcIdentity, destination: c.destination?.uid, startedAt: c.startedAt })),
      hbone: { pool: this.pool.stats(), connections: this.pool.dump(), server: this.hboneServer.stats() },
      ...(this.opts.capture ? { capture: this.opts.capture.dump() } : {}),
    };
  }

  private async startHttp(): Promise<void> {
    const o = this.opts;
    const endpoints = await startProxyEndpoints({
      configDump: () => this.configDump(), loggers: o.accessLog ? [o.log, o.accessLog] : [o.log],
      quit: () => { void this.stop().then(() => o.onQuit?.()); }, registry: this.metrics.registry, ready: () => this.ready,
      adminPort: o.adminPort, metricsPort: o.metricsPort, readinessPort: o.readinessPort, adminHost: o.adminHost, metricsHost: o.metricsHost,
      adminSocket: o.adminSocket,
    });
    this.servers.push(...endpoints.servers);
    Object.assign(this.ports, endpoints.ports);
  }
}

/** Reads a token file on every call (so a rotated projected token is picked up). */
export function tokenFromFile(file: string): () => string {
  return () => readFileSync(file, 'utf8').trim();
}
