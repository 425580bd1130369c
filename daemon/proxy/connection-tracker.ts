// Every connection the daemon carries, for /config_dump and for re-checking open
// connections when policies change (those no longer allowed are closed).
import type { Identity } from '../../api/identity.js';
import type { Workload } from '../../api/model.js';

export interface TrackedConnection {
  id: number;
  direction: 'outbound' | 'inbound';
  src: { ip: string; port: number };
  dst: { ip: string; port: number };
  srcIdentity?: Identity;
  /** The destination workload whose policies apply (inbound and same-node only). */
  destination?: Workload;
  startedAt: number;
  close(reason: string): void;
}

export class ConnectionTracker {
  private nextId = 1;
  private readonly open = new Map<number, TrackedConnection>();

  add(c: Omit<TrackedConnection, 'id'>): TrackedConnection {
    const tracked = { ...c, id: this.nextId++ };
    this.open.set(tracked.id, tracked);
    return tracked;
  }

  remove(c: TrackedConnection): void {
    this.open.delete(c.id);
  }

  get size(): number {
    return this.open.size;
  }

  list(): TrackedConnection[] {
    return [...this.open.values()];
  }

  /** Closes every connection `stillAllowed` refuses; returns how many were closed. */
  recheck(stillAllowed: (c: TrackedConnection) => { allowed: boolean; reason?: string }): number {
    let closed = 0;
    for (const c of [...this.open.values()]) {
      if (!c.destination) continue;
      const verdict = stillAllowed(c);
      if (!verdict.allowed) {
        closed++;
        this.open.delete(c.id);
        c.close(`connection closed due to policy change: ${verdict.reason ?? 'denied'}`);
      }
    }
    return closed;
  }
}
