// The one mutator of ProxyState: applies snapshots (replace everything) and deltas
// (upserts, removals), keeping every index consistent, and refuses bad resources one by one.
import type { ServiceL7Config } from '../../api/l7-model.js';
import type { ModelResource, Service, Workload } from '../../api/model.js';
import { policyKey, serviceKey } from '../../api/model.js';
import type { ProxyState } from './proxy-state.js';
import type { ResourceName, StateUpdate, StateUpdater, UpdateResult } from './discovery-client.js';
import { resourceProblem } from './resource-checks.js';
import { Interner, type InternerSize } from './interner.js';
import { compactAuthorization } from './compact-authorization.js';
import { parseL7Config } from './l7-config-check.js';

export interface ProxyStateUpdaterOptions {
  /**
   * A further check of each service's L7 configuration after the shape check (a waypoint
   * compiles it here): a reason refuses the resource, the last good version stays.
   */
  checkL7?: (cfg: ServiceL7Config) => string | undefined;
}

/** A resource that passed its checks, L7 configuration already parsed. */
type Checked = Exclude<ModelResource, { kind: 'L7_CONFIG' }> | { kind: 'L7_CONFIG'; name: string; config: ServiceL7Config };

export class ProxyStateUpdater implements StateUpdater {
  private readonly interner = new Interner();

  constructor(
    private readonly state: ProxyState,
    private readonly onApplied: (update: StateUpdate) => void = () => {},
    private readonly options: ProxyStateUpdaterOptions = {},
  ) {}

  /** Shared strings and records held for the workloads (for tests and diagnostics). */
  get internedSize(): InternerSize {
    return this.interner.size;
  }

  apply(update: StateUpdate): UpdateResult {
    const rejected: UpdateResult['rejected'] = [];
    // A snapshot replaces everything, but a refused L7 configuration keeps its last good
    // version (the routes a waypoint was applying) as it does in a delta.
    const lastL7 = update.full ? new Map(this.state.l7ByService) : undefined;
    if (update.full) {
      this.clear();
      this.interner.clear();
    }
    for (const r of update.removals) this.remove(r);
    for (const r of update.upserts) {
      const checked = this.check(r);
      if ('problem' in checked) {
        rejected.push({ ref: { kind: r.kind, name: r.name }, reason: checked.problem });
        const keep = r.kind === 'L7_CONFIG' ? lastL7?.get(r.name) : undefined;
        if (keep) this.state.l7ByService.set(r.name, keep);
        continue;
      }
      this.upsert(checked);
    }
    this.state.version = update.version;
    this.onApplied(update);
    return { rejected };
  }

  private check(r: ModelResource): Checked | { problem: string } {
    const problem = resourceProblem(r);
    if (problem) return { problem };
    if (r.kind !== 'L7_CONFIG') return r;
    const parsed = parseL7Config(r.name, r.value);
    if ('problem' in parsed) return parsed;
    let refused: string | undefined;
    try {
      refused = this.options.checkL7?.(parsed.config);
    } catch (err) {
      refused = `L7 config check failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    return refused ? { problem: refused } : { kind: 'L7_CONFIG', name: r.name, config: parsed.config };
  }

  private clear(): void {
    const s = this.state;
    s.workloadsByUid.clear(); s.workloadsByIp.clear();
    s.servicesByKey.clear(); s.servicesByVip.clear(); s.servicesByHostname.clear();
    s.policiesByKey.clear();
    s.endpointsByService.clear();
    s.l7ByService.clear();
  }

  private upsert(r: Checked): void {
    switch (r.kind) {
      case 'WORKLOAD': this.removeWorkload(r.name); this.addWorkload(this.interner.workload(r.value)); break;
      case 'SERVICE': this.removeService(r.name); this.addService(r.value); break;
      case 'AUTHORIZATION': this.state.policiesByKey.set(policyKey(r.value), compactAuthorization(r.value)); break;
      case 'MESH_CONFIG': this.state.mesh = r.value; break;
      case 'L7_CONFIG': this.state.l7ByService.set(r.name, r.config); break;
    }
  }

  private remove(r: ResourceName): void {
    switch (r.kind) {
      case 'WORKLOAD': this.removeWorkload(r.name); break;
      case 'SERVICE': this.removeService(r.name); break;
      case 'AUTHORIZATION': this.state.policiesByKey.delete(r.name); break;
      case 'MESH_CONFIG': break; // mesh settings are replaced, never removed
      case 'L7_CONFIG': this.state.l7ByService.delete(r.name); break;
    }
  }

  private addWorkload(w: Workload): void {
    this.state.workloadsByUid.set(w.uid, w);
    for (const ip of w.addresses) this.state.workloadsByIp.set(ip, w);
    for (const key of Object.keys(w.services)) {
      let set = this.state.endpointsByService.get(key);
      if (!set) this.state.endpointsByService.set(key, (set = new Set()));
      set.add(w);
    }
  }

  private removeWorkload(uid: string): void {
    const old = this.state.workloadsByUid.get(uid);
    if (!old) return;
    this.state.workloadsByUid.delete(uid);
    this.interner.release(old);
    for (const ip of old.addresses) if (this.state.workloadsByIp.get(ip) === old) this.state.workloadsByIp.delete(ip);
    for (const key of Object.keys(old.services)) {
      const set = this.state.endpointsByService.get(key);
      set?.delete(old);
      if (set?.size === 0) this.state.endpointsByService.delete(key);
    }
  }

  private addService(s: Service): void {
    const key = serviceKey(s);
    this.state.servicesByKey.set(key, s);
    for (const vip of s.addresses) this.state.servicesByVip.set(vip, s);
    const list = this.state.servicesByHostname.get(s.hostname) ?? [];
    list.push(s);
    this.state.servicesByHostname.set(s.hostname, list);
  }

  private removeService(key: string): void {
    const old = this.state.servicesByKey.get(key);
    if (!old) return;
    this.state.servicesByKey.delete(key);
    for (const vip of old.addresses) if (this.state.servicesByVip.get(vip) === old) this.state.servicesByVip.delete(vip);
    const rest = (this.state.servicesByHostname.get(old.hostname) ?? []).filter((s) => s !== old);
    if (rest.length > 0) this.state.servicesByHostname.set(old.hostname, rest);
    else this.state.servicesByHostname.delete(old.hostname);
  }
}
