// A ConfigSink that records every call, folds them into a per-origin view, and lets a
// test wait (without timers) until the recorded calls satisfy a condition.
import type { KubeObject } from '../../../controller/config/resource.js';
import { objectKey } from '../../../controller/config/resource.js';
import type { ConfigEvent, ConfigSink } from '../../../controller/sources/source.js';
import { ConditionWaiters } from '../../support/condition-waiters.js';

export type SinkCall =
  | { op: 'apply'; origin: string; events: ConfigEvent[] }
  | { op: 'replace'; origin: string; objects: KubeObject[] };

export class RecordingSink implements ConfigSink {
  readonly calls: SinkCall[] = [];
  private readonly views = new Map<string, Map<string, KubeObject>>();
  private readonly waiters = new ConditionWaiters();

  apply(events: readonly ConfigEvent[], origin: string): void {
    this.calls.push({ op: 'apply', origin, events: [...events] });
    const view = this.viewOf(origin);
    for (const e of events) {
      if (e.type === 'upsert') view.set(objectKey(e.object), e.object);
      else view.delete(objectKey(e.object));
    }
    this.notify();
  }

  replace(objects: readonly KubeObject[], origin: string): void {
    this.calls.push({ op: 'replace', origin, objects: [...objects] });
    this.views.set(origin, new Map(objects.map((o) => [objectKey(o), o])));
    this.notify();
  }

  callsFor(origin: string): SinkCall[] {
    return this.calls.filter((c) => c.origin === origin);
  }

  replacesFor(origin: string): KubeObject[][] {
    return this.callsFor(origin).flatMap((c) => (c.op === 'replace' ? [c.objects] : []));
  }

  /** Every watch event applied for an origin, flattened in order. */
  eventsFor(origin: string): ConfigEvent[] {
    return this.callsFor(origin).flatMap((c) => (c.op === 'apply' ? c.events : []));
  }

  /** Names ("ns/name" or "name") currently held for an origin, sorted. */
  names(origin: string): string[] {
    return [...(this.views.get(origin)?.values() ?? [])]
      .map((o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name))
      .sort();
  }

  waitFor<T>(check: () => T | undefined | false | null | 0): Promise<T> {
    return this.waiters.waitFor(check);
  }

  private viewOf(origin: string): Map<string, KubeObject> {
    let v = this.views.get(origin);
    if (!v) {
      v = new Map();
      this.views.set(origin, v);
    }
    return v;
  }

  private notify(): void {
    this.waiters.notify();
  }
}
