// Holds the latest published model, turns each new model into a delta against the
// previous one (upserts of changed resources, removals of vanished ones) with a
// monotonically increasing version, and hands deltas to every subscriber in order.
import type { ModelResource, ResourceKind } from '../../api/model.js';
import { resourceKey } from '../../api/model.js';

export interface ResourceRemoval { kind: ResourceKind; name: string }

export interface Delta {
  version: number;
  upserts: ModelResource[];
  removals: ResourceRemoval[];
}

export interface Subscriber {
  enqueue(delta: Delta): void;
}

interface Published { resource: ModelResource; json: string }

export class ModelPublisher {
  private current = new Map<string, Published>();
  private versionCounter = 0;
  private readonly subscribers = new Set<Subscriber>();

  get version(): number {
    return this.versionCounter;
  }

  get size(): number {
    return this.current.size;
  }

  /** Publishes a full model; returns the delta sent (undefined when nothing changed). */
  publish(resources: readonly ModelResource[]): Delta | undefined {
    const next = new Map<string, Published>();
    const upserts: ModelResource[] = [];
    for (const resource of resources) {
      const key = resourceKey(resource.kind, resource.name);
      const previous = this.current.get(key);
      // The translation reuses unchanged objects, so identity usually settles it without serializing.
      const json = previous?.resource.value === resource.value ? previous.json : JSON.stringify(resource.value);
      const entry = previous && previous.json === json ? previous : { resource, json };
      if (entry !== previous) upserts.push(resource);
      next.set(key, entry);
    }
    const removals: ResourceRemoval[] = [];
    for (const [key, { resource }] of this.current) {
      if (!next.has(key)) removals.push({ kind: resource.kind, name: resource.name });
    }
    this.current = next;
    if (upserts.length === 0 && removals.length === 0) return undefined;
    const delta: Delta = { version: ++this.versionCounter, upserts, removals };
    for (const s of this.subscribers) s.enqueue(delta);
    return delta;
  }

  snapshot(): { version: number; resources: ModelResource[] } {
    return { version: this.versionCounter, resources: [...this.current.values()].map((p) => p.resource) };
  }

  subscribe(s: Subscriber): void {
    this.subscribers.add(s);
  }

  unsubscribe(s: Subscriber): void {
    this.subscribers.delete(s);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
