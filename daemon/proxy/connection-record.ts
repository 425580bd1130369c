// The bookkeeping of one proxied connection: opened/closed/failed metrics with Istio's
// labels, the access-log line, and (when a destination's policies apply) tracking for
// re-checks on policy changes.
import type { Duplex } from 'node:stream';
import type { Identity } from '../../api/identity.js';
import { spiffeUri } from '../../api/identity.js';
import type { Logger } from '../../api/log.js';
import type { Workload } from '../../api/model.js';
import { logConnection } from '../telemetry/access-log.js';
import { connectionLabels, type ConnectionLabels } from '../telemetry/connection-labels.js';
import type { DaemonMetrics } from '../telemetry/daemon-metrics.js';
import type { ConnectionTracker, TrackedConnection } from './connection-tracker.js';
import { abort, type RelayResult } from './relay.js';
import type { Address } from '../network/network.js';

export interface RecordDeps {
  metrics: DaemonMetrics;
  accessLog: Logger;
  tracker: ConnectionTracker;
}

export interface ConnectionFacts {
  direction: 'outbound' | 'inbound';
  src: Address;
  dst: Address;
  source?: Workload;
  srcIdentity?: Identity;
  destination?: Workload;
  /** False: the destination's policies do not decide this connection (a waypoint's peer); not re-checked. */
  recheck?: boolean;
  destinationService?: string;
  hboneAddr?: string;
  mtls: boolean;
}

export class ConnectionRecord {
  private readonly startedAt = performance.now();
  private labels: ConnectionLabels;
  private tracked: TrackedConnection | undefined;
  private finished = false;

  constructor(private readonly deps: RecordDeps, private facts: ConnectionFacts) {
    this.labels = this.labelsFor(facts);
  }

  private labelsFor(f: ConnectionFacts, responseFlags = '-'): ConnectionLabels {
    return connectionLabels({
      reporter: (f.direction === 'outbound' ? 'source' : 'destination'),
      source: f.source,
      sourcePrincipal: f.srcIdentity ? spiffeUri(f.srcIdentity) : undefined,
      destination: f.destination,
      destinationService: f.destinationService,
      mtls: f.mtls,
      responseFlags,
    });
  }

  /** The connection is established: count it and track it for policy re-checks. */
  opened(socket: Duplex, update: Partial<ConnectionFacts> = {}): void {
    this.facts = { ...this.facts, ...update };
    this.labels = this.labelsFor(this.facts);
    this.deps.metrics.opened.inc(this.labels);
    this.deps.metrics.activeConnections.inc({ direction: this.facts.direction });
    if (this.facts.destination && this.facts.recheck !== false) {
      this.tracked = this.deps.tracker.add({
        direction: this.facts.direction, src: this.facts.src, dst: this.facts.dst, srcIdentity: this.facts.srcIdentity,
        destination: this.facts.destination, startedAt: Date.now(),
        close: (reason) => {
          this.deps.accessLog.info({ 'src.addr': `${this.facts.src.ip}:${this.facts.src.port}`, 'dst.addr': `${this.facts.dst.ip}:${this.facts.dst.port}`, reason }, 'connection closed due to policy change');
          abort(socket);
        },
      });
    }
  }

  /** The relay ended (cleanly or not). */
  closed(result: RelayResult): void {
    if (this.finished) return;
    this.finished = true;
    if (this.tracked) this.deps.tracker.remove(this.tracked);
    this.deps.metrics.activeConnections.dec({ direction: this.facts.direction });
    this.deps.metrics.closed.inc(this.labels);
    this.deps.metrics.sent.inc(this.labels, result.sent);
    this.deps.metrics.received.inc(this.labels, result.received);
    this.log(result.sent, result.received, result.error?.message);
  }

  /** The connection never got through (denied, no route, upstream or TLS failure). */
  failed(flag: string, error: string): void {
    if (this.finished) return;
    this.finished = true;
    this.deps.metrics.failed.inc(this.labelsFor(this.facts, flag));
    this.log(0, 0, error);
  }

  private log(sent: number, recv: number, error: string | undefined): void {
    const f = this.facts;
    logConnection(this.deps.accessLog, {
      direction: f.direction, src: f.src, dst: f.dst, hboneAddr: f.hboneAddr, source: f.source,
      srcIdentity: f.srcIdentity ? spiffeUri(f.srcIdentity) : undefined, destination: f.destination,
      dstIdentity: f.destination && f.mtls ? `spiffe://${f.destination.trustDomain}/ns/${f.destination.namespace}/sa/${f.destination.serviceAccount}` : undefined,
      dstService: f.destinationService, bytesSent: sent, bytesRecv: recv, durationMs: performance.now() - this.startedAt, error,
    });
  }
}
