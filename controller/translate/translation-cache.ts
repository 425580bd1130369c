// Memoizes per-object translations between model builds. The store hands out the same
// list array for a kind until that kind changes, so a translation stays valid while the
// object itself and every list it depends on are the same arrays as last time. Reusing
// results also lets the publisher see unchanged resources by identity.
import type { Service, Workload } from '../../api/model.js';
import type { KubeObject } from '../config/resource.js';
import type { ConversionResult } from './authorization-policy.js';

export class Memo<T> {
  private deps: readonly unknown[] = [];
  private results = new WeakMap<KubeObject, T>();

  /** Returns the memoized result for `obj`, computing it if any dependency changed. */
  get(obj: KubeObject, deps: readonly unknown[], compute: () => T): T {
    if (deps.length !== this.deps.length || deps.some((d, i) => d !== this.deps[i])) {
      this.results = new WeakMap();
      this.deps = deps;
    }
    if (this.results.has(obj)) return this.results.get(obj) as T;
    const value = compute();
    this.results.set(obj, value);
    return value;
  }
}

export class TranslationCache {
  readonly workloads = new Memo<Workload | undefined>();
  readonly services = new Memo<Service | undefined>();
  readonly serviceEntries = new Memo<Service[]>();
  readonly policies = new Memo<ConversionResult>();
}
