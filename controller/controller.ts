// The controller process: sources → store (validated) → debounced model build →
// publisher → discovery streams; plus the CA, a small HTTP endpoint for metrics and
// debugging, and (with a Kubernetes source) the gateway deployment controller, which
// also writes waypoint Gateways' status.
// Everything is wired here; the pieces are pure or own one concern each.
import http from 'node:http';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { MeshConfig } from '../api/model.js';
import { PORTS } from '../api/model.js';
import type { Logger } from '../api/log.js';
import { loadProtos } from '../api/protos.js';
import type { Authenticator } from './auth/authenticator.js';
import { authenticateCall } from './auth/authenticator.js';
import { BootstrapTokenAuthenticator, ensureNodeToken } from './auth/bootstrap-tokens.js';
import { addCaService, createCertificateAuthority, issueServingCertificate, loadCaMaterial, type CertificateAuthority } from './ca/index.js';
import { ConfigStore } from './config/store.js';
import type { KubeObject } from './config/resource.js';
import { groupKind } from './config/resource.js';
import { Debouncer } from './discovery/debouncer.js';
import { GatewayDeploymentController, type GatewayDeploymentControllerOptions } from './gateway/deployment-controller.js';
import type { WaypointDeploymentOptions } from './gateway/waypoint-deployment.js';
import { discoveryHandlers } from './discovery/discovery-service.js';
import { ModelPublisher } from './discovery/publisher.js';
import type { DiscoverySession } from './discovery/session.js';
import { acceptingEncodedResponses, ResponseEncoder } from './discovery/wire-response.js';
import { createControllerMetrics, type ControllerMetrics } from './metrics.js';
import { NodeAuthorizer } from './node-authorizer.js';
import type { ConfigSource } from './sources/source.js';
import { KubeApplier } from './sources/kube/kube-apply.js';
import type { KubeSource } from './sources/kube/kube-source.js';
import { buildModel, modelResources, type Model } from './translate/build-model.js';
import { defaultMesh, type MeshSettings } from './translate/mesh.js';
import { TranslationCache } from './translate/translation-cache.js';
import { isKnownKind, validateResource } from './validation/validate.js';

export interface ControllerOptions {
  stateDir: string;
  sources: ConfigSource[];
  log: Logger;
  /** gRPC listen address and port (15012; 0 picks a free port). */
  grpcHost?: string;
  grpcPort?: number;
  /** HTTP metrics/debug port (15014; 0 picks a free port; -1 disables). */
  httpHost?: string;
  httpPort?: number;
  /** Extra names and addresses for the serving certificate. */
  serverNames?: string[];
  serverIps?: string[];
  cacertsDir?: string;
  mesh?: Partial<MeshConfig>;
  /** Daemon authentication; default: bootstrap tokens in <stateDir>/tokens. */
  authenticator?: Authenticator;
  /** Local mode: create bootstrap tokens for these nodes. */
  nodes?: string[];
  debounceMs?: number;
  debounceMaxMs?: number;
  /**
   * The gateway deployment controller (waypoint Gateways → ServiceAccount, Deployment,
   * Service, applied to the API server, and the Gateways' status written back). Default:
   * on when a KubeSource is among the sources, writing through its connection; false
   * turns it off.
   */
  gatewayDeployments?: false | GatewayDeploymentSettings;
}

export interface GatewayDeploymentSettings extends Pick<GatewayDeploymentControllerOptions, 'debounceMs' | 'debounceMaxMs' | 'backoff' | 'resyncMs' | 'now'> {
  waypoint?: WaypointDeploymentOptions;
}

/** The API server connection of the first Kubernetes source, if any (duck-typed: no client-node load in local mode). */
function kubeConfigOf(sources: readonly ConfigSource[]): KubeSource['kubeConfig'] | undefined {
  for (const source of sources) {
    const kc = (source as Partial<Pick<KubeSource, 'kubeConfig'>>).kubeConfig;
    if (kc) return kc;
  }
  return undefined;
}

export class Controller {
  readonly store: ConfigStore;
  readonly publisher = new ModelPublisher();
  readonly metrics: ControllerMetrics;
  readonly sessions = new Set<DiscoverySession>();
  readonly mesh: MeshSettings;
  readonly nodeAuthorizer: NodeAuthorizer;
  model: Model | undefined;
  ca: CertificateAuthority | undefined;
  /** Set while running with a Kubernetes source (see ControllerOptions.gatewayDeployments). */
  gatewayDeployments: GatewayDeploymentController | undefined;
  grpcPort = 0;
  httpPort = 0;
  private server: grpc.Server | undefined;
  private httpServer: http.Server | undefined;
  private readonly debouncer: Debouncer;
  private readonly translationCache = new TranslationCache();
  private readonly log: Logger;

  constructor(private readonly opts: ControllerOptions) {
    this.log = opts.log;
    this.metrics = createControllerMetrics(true);
    this.mesh = defaultMesh(opts.mesh);
    this.store = new ConfigStore({
      validate: validateResource,
      isKnownKind,
      onChange: () => {
        this.debouncer.trigger();
        this.gatewayDeployments?.trigger();
      },
      onRejected: (obj: KubeObject) => this.metrics.configRejected.inc({ kind: groupKind(obj) }),
    }, this.log);
    this.nodeAuthorizer = new NodeAuthorizer(this.store);
    this.debouncer = new Debouncer(() => this.rebuild(), opts.debounceMs ?? 100, opts.debounceMaxMs ?? 1000);
  }

  get tokenDir(): string {
    return path.join(this.opts.stateDir, 'tokens');
  }

  get rootCertPem(): string {
    if (!this.ca) throw new Error('controller not started');
    return this.ca.rootPem;
  }

  async start(): Promise<void> {
    const material = loadCaMaterial({ stateDir: path.join(this.opts.stateDir, 'ca'), pluginDir: this.opts.cacertsDir, trustDomain: this.mesh.trustDomain });
    this.ca = createCertificateAuthority(material, { trustDomain: this.mesh.trustDomain });
    for (const node of this.opts.nodes ?? []) ensureNodeToken(this.tokenDir, node);
    const authenticator = this.opts.authenticator ?? new BootstrapTokenAuthenticator(this.tokenDir);

    for (const source of this.opts.sources) await source.start(this.store);
    this.rebuild();
    this.startGatewayDeployments(this.ca.rootPem);

    const serving = issueServingCertificate(this.ca, {
      dnsNames: ['ambit-controller.istio-system.svc', 'istiod.istio-system.svc', 'localhost', ...(this.opts.serverNames ?? [])],
      ipAddresses: ['127.0.0.1', ...(this.opts.serverIps ?? [])],
    });
    const server = new grpc.Server();
    const { discovery } = loadProtos();
    const discoveryService = discovery.ambit.v1.Discovery.service;
    server.addService(acceptingEncodedResponses(discoveryService), discoveryHandlers({
      publisher: this.publisher, authenticator, log: this.log, metrics: this.metrics, sessions: this.sessions,
      encoder: new ResponseEncoder(discoveryService.Stream.responseSerialize),
    }));
    addCaService(server, {
      ca: this.ca,
      authenticate: (md) => authenticateCall(authenticator, md),
      mayHaveIdentity: (node, id) => this.nodeAuthorizer.mayHaveIdentity(node, id),
      registry: this.metrics.registry,
      logger: this.log,
    });
    const creds = grpc.ServerCredentials.createSsl(Buffer.from(this.ca.rootPem), [
      { private_key: Buffer.from(serving.privateKeyPem), cert_chain: Buffer.from(serving.certChainPem) },
    ], false);
    this.grpcPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${this.opts.grpcHost ?? '0.0.0.0'}:${this.opts.grpcPort ?? PORTS.controllerGrpc}`, creds, (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.server = server;
    if ((this.opts.httpPort ?? 15014) >= 0) await this.startHttp();
    this.log.info({ grpcPort: this.grpcPort, httpPort: this.httpPort, ca: this.ca.source }, 'controller started');
  }

  async stop(): Promise<void> {
    this.debouncer.cancel();
    await this.gatewayDeployments?.stop();
    for (const s of this.opts.sources) await s.stop();
    for (const s of this.sessions) s.close();
    if (this.server) {
      const server = this.server;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 1000);
        server.tryShutdown(() => { clearTimeout(timer); resolve(); });
      });
    }
    await new Promise<void>((resolve) => (this.httpServer ? this.httpServer.close(() => resolve()) : resolve()));
    this.httpServer?.closeAllConnections();
  }

  /** Rebuilds the model now (normally called by the debouncer). */
  rebuild(): void {
    const started = performance.now();
    const model = buildModel(this.store, this.mesh, this.translationCache);
    this.model = model;
    const delta = this.publisher.publish(modelResources(model));
    const seconds = (performance.now() - started) / 1000;
    this.metrics.modelBuildSeconds.set(seconds);
    this.metrics.modelVersion.set(this.publisher.version);
    this.metrics.configInvalid.set(this.store.rejectedFindings().length);
    for (const [kind, n] of Object.entries(this.store.counts())) this.metrics.configResources.set({ kind }, n);
    if (delta) {
      this.metrics.xdsPushes.inc({ type: 'delta' });
      this.log.info({ version: delta.version, upserts: delta.upserts.length, removals: delta.removals.length, ms: Math.round(seconds * 1000) }, 'model published');
    }
  }

  private startGatewayDeployments(rootCertPem: string): void {
    const settings = this.opts.gatewayDeployments;
    const kubeConfig = kubeConfigOf(this.opts.sources);
    if (settings === false || !kubeConfig) return;
    const applier = new KubeApplier(kubeConfig);
    this.gatewayDeployments = new GatewayDeploymentController({
      ...settings,
      view: this.store,
      apply: (obj, signal) => applier.apply(obj, signal),
      applyStatus: (obj, signal) => applier.applyStatus(obj, signal),
      log: this.log,
      rootCertPem,
    });
    this.gatewayDeployments.start();
  }

  /** Runs a pending rebuild immediately (tests, `ambit local apply`). */
  flush(): void {
    this.debouncer.flush();
  }

  private async startHttp(): Promise<void> {
    const server = http.createServer((req, res) => {
      void this.serveHttp(req.url ?? '/', res);
    });
    this.httpPort = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.httpPort ?? 15014, this.opts.httpHost ?? '127.0.0.1', () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
    });
    this.httpServer = server;
  }

  private async serveHttp(url: string, res: http.ServerResponse): Promise<void> {
    const json = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body, null, 2));
    };
    switch (url.split('?')[0]) {
      case '/metrics':
        res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
        res.end(await this.metrics.registry.metrics());
        return;
      case '/debug/model':
        // L7 configurations travel as JSON text; shown parsed.
        return json({ version: this.publisher.version, ...this.model, l7: this.model?.l7.map((c) => JSON.parse(c.json) as unknown) });
      case '/debug/config':
        return json({ resources: this.store.counts(), rejected: this.store.rejectedFindings(), warnings: this.store.acceptedWarnings() });
      case '/debug/clients':
        return json([...this.sessions].map((s) => ({ node: s.node, ackedVersion: s.lastAckedVersion, lastNack: s.lastNack })));
      case '/ready':
        res.writeHead(this.model ? 200 : 503);
        res.end();
        return;
      default:
        res.writeHead(404);
        res.end('not found\n');
    }
  }
}
