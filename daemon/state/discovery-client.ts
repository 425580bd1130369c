// The daemon's side of the discovery stream: connects to the controller (TLS + bearer
// token), hands each snapshot/delta to the state updater, ACKs or NACKs it, and
// reconnects with capped exponential backoff. State is owned by the updater, so the
// last-known-good configuration stays in force while the controller is away.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { DiscoveryClient as GrpcDiscoveryClient } from '../../api/generated/ambit/v1/Discovery.js';
import type { DiscoveryResponse__Output } from '../../api/generated/ambit/v1/DiscoveryResponse.js';
import type { DiscoveryRequest } from '../../api/generated/ambit/v1/DiscoveryRequest.js';
import type { ModelResource, ResourceKind } from '../../api/model.js';
import type { Logger } from '../../api/log.js';
import { loadProtos } from '../../api/protos.js';
import { decodeResource } from '../../controller/discovery/codec.js';

export interface ResourceName { kind: ResourceKind; name: string }

export interface StateUpdate {
  full: boolean;
  version: string;
  upserts: ModelResource[];
  removals: ResourceName[];
}

export interface UpdateResult {
  /** Resources refused (the rest of the update is applied); empty = ACK. */
  rejected: { ref: ResourceName; reason: string }[];
}

export interface StateUpdater {
  apply(update: StateUpdate): UpdateResult;
}

export interface DiscoveryClientOptions {
  address: string;                 // host:port of the controller
  node: string;
  token: () => string;             // read on every connect (the file may be rotated)
  credentials: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
  updater: StateUpdater;
  log: Logger;
  backoff?: { initialMs: number; maxMs: number };
}

export class DiscoveryClient extends EventEmitter {
  private client: GrpcDiscoveryClient | undefined;
  private call: grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse__Output> | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  synced = false;
  connected = false;
  lastVersion = '';
  lastNack = '';

  constructor(private readonly opts: DiscoveryClientOptions) {
    super();
  }

  start(): void {
    const { discovery } = loadProtos();
    this.client = new discovery.ambit.v1.Discovery(this.opts.address, this.opts.credentials, this.opts.channelOptions ?? {});
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.client?.close();
  }

  private connect(): void {
    if (this.stopped || !this.client) return;
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${this.opts.token()}`);
    const call = this.client.Stream(metadata);
    this.call = call;
    call.on('data', (res: DiscoveryResponse__Output) => this.onResponse(call, res));
    call.on('error', (err: grpc.ServiceError) => {
      if (this.stopped) return;
      this.opts.log.warn({ code: grpc.status[err.code], details: err.details }, 'discovery stream failed');
    });
    call.on('status', () => this.onClosed(call));
    call.on('end', () => this.onClosed(call));
    call.write({ node: this.opts.node });
  }

  private onResponse(call: grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse__Output>, res: DiscoveryResponse__Output): void {
    if (!this.connected) {
      this.connected = true;
      this.attempt = 0;
      this.emit('connected');
    }
    const upserts: ModelResource[] = [];
    const rejected: UpdateResult['rejected'] = [];
    for (const r of res.resources) {
      const decoded = decodeResource(r);
      if (decoded) upserts.push(decoded);
      else rejected.push({ ref: { kind: 'WORKLOAD', name: r.name }, reason: 'resource carries no known payload' });
    }
    const result = this.opts.updater.apply({
      full: res.fullSnapshot,
      version: res.version,
      upserts,
      removals: res.removed.map((r) => ({ kind: r.kind, name: r.name })),
    });
    rejected.push(...result.rejected);
    const errorDetail = rejected.map((r) => `${r.ref.kind}/${r.ref.name}: ${r.reason}`).join('; ');
    this.lastVersion = res.version;
    this.lastNack = errorDetail;
    call.write({ node: this.opts.node, responseNonce: res.nonce, errorDetail, rejected: rejected.map((r) => r.ref) });
    if (res.fullSnapshot && !this.synced) {
      this.synced = true;
      this.emit('synced');
    }
    this.emit('applied', res.version, errorDetail);
  }

  private onClosed(call: grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse__Output>): void {
    if (this.call !== call) return;
    this.call = undefined;
    if (this.connected) {
      this.connected = false;
      this.emit('disconnected');
    }
    if (this.stopped) return;
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 200, maxMs: 15_000 };
    const delay = Math.min(maxMs, initialMs * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
    this.attempt++;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
