// Shares equal strings and equal small maps between workloads: replicas of one
// Deployment repeat the same namespace, node, service account, labels and service
// ports, and a decoded message gives each its own copies. Keeps the daemon's memory per
// workload low at 10k+ workloads.
import type { Workload } from '../../api/model.js';

const EMPTY: readonly string[] = Object.freeze([]);

export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly records = new Map<string, object>();

  str(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  /** One shared, frozen instance per distinct content. */
  record<T extends object>(value: T): T {
    const key = JSON.stringify(value);
    const known = this.records.get(key);
    if (known) return known as T;
    const frozen = Object.freeze(value);
    this.records.set(key, frozen);
    return frozen;
  }

  clear(): void {
    this.strings.clear();
    this.records.clear();
  }

  workload(w: Workload): Workload {
    return {
      ...w,
      namespace: this.str(w.namespace),
      node: this.str(w.node),
      serviceAccount: this.str(w.serviceAccount),
      trustDomain: this.str(w.trustDomain),
      canonicalName: this.str(w.canonicalName),
      canonicalRevision: this.str(w.canonicalRevision),
      workloadName: this.str(w.workloadName),
      services: this.record(w.services),
      labels: this.record(w.labels),
      authorizationPolicies: w.authorizationPolicies.length === 0 ? (EMPTY as string[]) : this.record(w.authorizationPolicies),
    };
  }
}
