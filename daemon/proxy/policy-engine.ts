// The daemon's authorization: policies compiled once per change of the state (not per
// connection), then a pure decision per connection. On every change, open connections
// are re-checked and those no longer allowed are closed.
import type { Workload } from '../../api/model.js';
import { authorize, compilePolicies, type CompiledPolicies, type Connection, type Decision } from '../rbac/index.js';
import type { ProxyState } from '../state/proxy-state.js';
import type { ConnectionTracker } from './connection-tracker.js';

export class PolicyEngine {
  private compiled: CompiledPolicies;

  constructor(private readonly state: ProxyState) {
    this.compiled = compilePolicies(state.policiesByKey.values(), state.mesh.rootNamespace);
  }

  /** Recompiles after a state update (unchanged policy objects are reused). */
  refresh(): void {
    this.compiled = compilePolicies(this.state.policiesByKey.values(), this.state.mesh.rootNamespace, this.compiled);
  }

  get problems(): readonly string[] {
    return this.compiled.problems;
  }

  check(conn: Connection, destination: Workload | undefined): Decision {
    return authorize(conn, destination, this.compiled);
  }

  /** Closes tracked connections the current policies no longer allow; returns how many. */
  recheck(tracker: ConnectionTracker): number {
    return tracker.recheck((c) => {
      // The destination may have changed (e.g. its policy list): use the current version.
      const current = c.destination ? this.state.workloadsByUid.get(c.destination.uid) ?? c.destination : undefined;
      const d = this.check({ srcIp: c.src.ip, srcPort: c.src.port, dstIp: c.dst.ip, dstPort: c.dst.port, srcIdentity: c.srcIdentity }, current);
      return d.allowed ? { allowed: true } : { allowed: false, reason: d.reason };
    });
  }
}
