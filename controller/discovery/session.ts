// One daemon's discovery stream: a full snapshot on connect, then deltas. At most one
// response is in flight; changes that arrive meanwhile are merged (latest value per
// resource) and sent together once the daemon ACKs or NACKs, so a slow daemon never
// holds others back and never receives an older state after a newer one.
import { randomUUID } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import type { ModelResource } from '../../api/model.js';
import { resourceKey } from '../../api/model.js';
import type { DiscoveryRequest__Output } from '../../api/generated/ambit/v1/DiscoveryRequest.js';
import type { DiscoveryResponse } from '../../api/generated/ambit/v1/DiscoveryResponse.js';
import type { Logger } from '../../api/log.js';
import { encodeResource } from './codec.js';
import type { Delta, ResourceRemoval, Subscriber } from './publisher.js';

export interface SessionEvents {
  onAck(node: string, version: number): void;
  onNack(node: string, version: number, detail: string): void;
}

type Pending = { upsert: ModelResource } | { remove: ResourceRemoval };

export class DiscoverySession implements Subscriber {
  private readonly pending = new Map<string, Pending>();
  private pendingVersion = 0;
  private inFlight: { nonce: string; version: number } | undefined;
  private closed = false;
  lastAckedVersion = 0;
  lastNack: string | undefined;

  constructor(
    readonly node: string,
    private readonly stream: grpc.ServerDuplexStream<DiscoveryRequest__Output, DiscoveryResponse>,
    private readonly events: SessionEvents,
    private readonly log: Logger,
  ) {}

  sendSnapshot(snapshot: { version: number; resources: ModelResource[] }): void {
    this.send({ fullSnapshot: true, version: snapshot.version, resources: snapshot.resources.map(encodeResource), removed: [] }, snapshot.version);
  }

  enqueue(delta: Delta): void {
    if (this.closed) return;
    for (const r of delta.upserts) this.pending.set(resourceKey(r.kind, r.name), { upsert: r });
    for (const r of delta.removals) this.pending.set(resourceKey(r.kind, r.name), { remove: r });
    this.pendingVersion = delta.version;
    if (!this.inFlight) this.flush();
  }

  onRequest(req: DiscoveryRequest__Output): void {
    if (!this.inFlight || req.responseNonce !== this.inFlight.nonce) return; // initial or stale request
    const { version } = this.inFlight;
    this.inFlight = undefined;
    if (req.errorDetail) {
      this.lastNack = req.errorDetail;
      this.events.onNack(this.node, version, req.errorDetail);
    } else {
      this.lastAckedVersion = version;
      this.events.onAck(this.node, version);
    }
    if (this.pending.size > 0) this.flush();
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  private flush(): void {
    const resources = [];
    const removed = [];
    for (const p of this.pending.values()) {
      if ('upsert' in p) resources.push(encodeResource(p.upsert));
      else removed.push({ kind: p.remove.kind, name: p.remove.name });
    }
    this.pending.clear();
    this.send({ fullSnapshot: false, version: this.pendingVersion, resources, removed }, this.pendingVersion);
  }

  private send(msg: Omit<DiscoveryResponse, 'nonce' | 'version'> & { version: number }, version: number): void {
    if (this.closed) return;
    const nonce = randomUUID();
    this.inFlight = { nonce, version };
    this.log.debug({ node: this.node, version, resources: msg.resources?.length ?? 0, removed: msg.removed?.length ?? 0, full: msg.fullSnapshot }, 'push');
    this.stream.write({ ...msg, version: String(version), nonce });
  }
}
