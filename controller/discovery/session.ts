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
import type { Delta, ResourceRemoval, Subscriber } from './publisher.js';
import type { ResponseEncoder } from './wire-response.js';

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
    private readonly encoder: ResponseEncoder,
  ) {}

  sendSnapshot(snapshot: { version: number; resources: ModelResource[] }): void {
    this.send(true, snapshot.version, snapshot.resources, []);
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
    const resources: ModelResource[] = [];
    const removed: ResourceRemoval[] = [];
    for (const p of this.pending.values()) {
      if ('upsert' in p) resources.push(p.upsert);
      else removed.push({ kind: p.remove.kind, name: p.remove.name });
    }
    this.pending.clear();
    this.send(false, this.pendingVersion, resources, removed);
  }

  private send(fullSnapshot: boolean, version: number, resources: readonly ModelResource[], removed: ResourceRemoval[]): void {
    if (this.closed) return;
    const nonce = randomUUID();
    this.inFlight = { nonce, version };
    this.log.debug({ node: this.node, version, resources: resources.length, removed: removed.length, full: fullSnapshot }, 'push');
    const bytes = this.encoder.encode({ fullSnapshot, version: String(version), nonce, removed }, resources);
    // Encoded already: the service's serializer passes bytes through (acceptingEncodedResponses).
    this.stream.write(bytes as unknown as DiscoveryResponse);
  }
}
