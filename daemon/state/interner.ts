// Shares equal strings and equal small maps between workloads: replicas of one
// Deployment repeat the same namespace, node, service account, labels and service
// ports, and a decoded message gives each its own copies. Keeps the daemon's memory per
// workload low at 10k+ workloads.
//
// Entries are counted: every workload that holds a shared value holds one reference,
// given back by release() when the workload leaves the state. An entry goes when its
// last holder does, so label maps of old ReplicaSets, policy lists of removed policies
// and names of deleted workloads do not pile up between snapshots.
import type { Workload } from '../../api/model.js';

const EMPTY: readonly string[] = Object.freeze([]);

interface Entry<T> {
  readonly value: T;
  refs: number;
}

export interface InternerSize {
  strings: number;
  records: number;
}

export class Interner {
  private readonly strings = new Map<string, Entry<string>>();
  private readonly records = new Map<string, Entry<object>>();
  /** The content key of every shared record, to find its entry again on release. */
  private readonly recordKeys = new WeakMap<object, string>();

  /** The shared copy of `s` (one more reference to it). */
  str(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) {
      known.refs++;
      return known.value;
    }
    this.strings.set(s, { value: s, refs: 1 });
    return s;
  }

  /** One shared, frozen instance per distinct content (one more reference to it). */
  record<T extends object>(value: T): T {
    const key = JSON.stringify(value);
    const known = this.records.get(key);
    if (known) {
      known.refs++;
      return known.value as T;
    }
    const frozen = Object.freeze(value);
    this.records.set(key, { value: frozen, refs: 1 });
    this.recordKeys.set(frozen, key);
    return frozen;
  }

  clear(): void {
    this.strings.clear();
    this.records.clear();
  }

  get size(): InternerSize {
    return { strings: this.strings.size, records: this.records.size };
  }

  /** `w` with its repeated parts shared; give it back with release() when it leaves the state. */
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

  /** Gives back the references a workload returned by workload() holds. */
  release(w: Workload): void {
    for (const s of [w.namespace, w.node, w.serviceAccount, w.trustDomain, w.canonicalName, w.canonicalRevision, w.workloadName]) {
      this.releaseString(s);
    }
    this.releaseRecord(w.services);
    this.releaseRecord(w.labels);
    if (w.authorizationPolicies !== EMPTY) this.releaseRecord(w.authorizationPolicies);
  }

  private releaseString(s: string): void {
    const entry = this.strings.get(s);
    if (entry !== undefined && --entry.refs === 0) this.strings.delete(s);
  }

  private releaseRecord(value: object): void {
    const key = this.recordKeys.get(value);
    if (key === undefined) return; // not ours (a snapshot cleared the interner since)
    const entry = this.records.get(key);
    if (entry === undefined || entry.value !== value) return;
    if (--entry.refs === 0) this.records.delete(key);
  }
}
