// The controller's configuration store: the one place source events land. Every object
// is validated on the way in; an invalid object is rejected (logged, counted, listed)
// and never removes or changes the valid version already stored under its name.
import type { Logger } from '../../api/log.js';
import type { ConfigEvent, ConfigSink } from '../sources/source.js';
import type { ConfigView } from './kinds.js';
import type { KubeObject } from './resource.js';
import { groupKind, objectKey } from './resource.js';
import type { Finding } from '../validation/finding.js';
import { formatFinding } from '../validation/finding.js';

export interface StoreHooks {
  validate(obj: KubeObject): Finding[];
  isKnownKind(obj: KubeObject): boolean;
  /** Called once per batch that changed the valid configuration. */
  onChange(): void;
  onRejected?(obj: KubeObject, errors: Finding[]): void;
}

interface Entry { object: KubeObject; origin: string; fingerprint: string }

export class ConfigStore implements ConfigSink, ConfigView {
  private readonly byKind = new Map<string, Map<string, Entry>>(); // groupKind → "ns/name" → entry
  private readonly listCache = new Map<string, readonly KubeObject[]>();
  private readonly rejected = new Map<string, { origin: string; findings: Finding[] }>(); // objectKey → findings
  private readonly warnedKinds = new Set<string>();
  private readonly warnings = new Map<string, Finding[]>(); // objectKey → warnings of the stored version

  constructor(private readonly hooks: StoreHooks, private readonly log: Logger) {}

  apply(events: readonly ConfigEvent[], origin: string): void {
    let changed = false;
    for (const ev of events) {
      changed = (ev.type === 'upsert' ? this.upsert(ev.object, origin) : this.remove(ev.object)) || changed;
    }
    if (changed) this.hooks.onChange();
  }

  replace(objects: readonly KubeObject[], origin: string): void {
    const keep = new Set(objects.map(objectKey));
    let changed = false;
    for (const [kind, entries] of this.byKind) {
      for (const [name, entry] of entries) {
        if (entry.origin === origin && !keep.has(objectKey(entry.object))) {
          entries.delete(name);
          this.listCache.delete(kind);
          this.warnings.delete(objectKey(entry.object));
          changed = true;
        }
      }
    }
    for (const [key, r] of this.rejected) if (r.origin === origin && !keep.has(key)) this.rejected.delete(key);
    for (const obj of objects) changed = this.upsert(obj, origin) || changed;
    if (changed) this.hooks.onChange();
  }

  list(kind: string): readonly KubeObject[] {
    let cached = this.listCache.get(kind);
    if (!cached) {
      cached = [...(this.byKind.get(kind)?.values() ?? [])].map((e) => e.object);
      this.listCache.set(kind, cached);
    }
    return cached;
  }

  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.byKind.get(kind)?.get(`${namespace}/${name}`)?.object;
  }

  /** Findings of every currently rejected resource. */
  rejectedFindings(): Finding[] {
    return [...this.rejected.values()].flatMap((r) => r.findings);
  }

  /** Warnings of the stored (accepted) resources. */
  acceptedWarnings(): Finding[] {
    return [...this.warnings.values()].flat();
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [kind, entries] of this.byKind) out[kind] = entries.size;
    return out;
  }

  private upsert(obj: KubeObject, origin: string): boolean {
    if (!this.hooks.isKnownKind(obj)) {
      const gk = groupKind(obj);
      if (!this.warnedKinds.has(gk)) {
        this.warnedKinds.add(gk);
        this.log.warn({ code: 'AMBIT_ERR_UNKNOWN_KIND', kind: gk, apiVersion: obj.apiVersion }, `unknown kind ${gk} ignored`);
      }
      return false;
    }
    const kind = groupKind(obj);
    const name = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    let entries = this.byKind.get(kind);
    const previous = entries?.get(name);
    // Unchanged objects (a full re-list, or a file saved again) cost neither validation nor a rebuild.
    const key = objectKey(obj);
    const fingerprint = previous && previous.object === obj ? previous.fingerprint : contentFingerprint(obj);
    if (previous && previous.fingerprint === fingerprint) {
      previous.origin = origin;
      this.rejected.delete(key); // back to the content already in force
      return false;
    }
    const findings = this.hooks.validate(obj);
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      this.rejected.set(key, { origin, findings: errors });
      for (const e of errors) this.log.error({ code: 'AMBIT_ERR_INVALID_RESOURCE', kind: e.kind, name: e.name, path: e.path }, `rejected: ${formatFinding(e)}`);
      this.hooks.onRejected?.(obj, errors);
      return false;
    }
    this.rejected.delete(key);
    const warnings = findings.filter((f) => f.severity === 'warning');
    if (warnings.length > 0) this.warnings.set(key, warnings);
    else this.warnings.delete(key);
    if (!entries) {
      entries = new Map();
      this.byKind.set(kind, entries);
    }
    entries.set(name, { object: obj, origin, fingerprint });
    this.listCache.delete(kind);
    return true;
  }

  private remove(obj: KubeObject): boolean {
    const key = objectKey(obj);
    this.rejected.delete(key);
    this.warnings.delete(key);
    const kind = groupKind(obj);
    const removed = this.byKind.get(kind)?.delete(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`) ?? false;
    if (removed) this.listCache.delete(kind);
    return removed;
  }
}

/** The object's content apart from bookkeeping metadata (resourceVersion, managedFields). */
function contentFingerprint(o: KubeObject): string {
  return JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
}
