// Object storage behind the fake Kubernetes API server (see fake-kube-apiserver.ts):
// objects per resource type, one global monotonically increasing resourceVersion, and
// an event history that watches replay from and that can be compacted.

export interface FakeKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface FakeMeta {
  name: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
  creationTimestamp?: string;
  [field: string]: unknown;
}

export interface FakeObject {
  apiVersion: string;
  kind: string;
  metadata: FakeMeta;
  [field: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  rv: number;
  kind: FakeKind;
  type: WatchEventType;
  object: FakeObject;
}

export function apiVersionOf(k: Pick<FakeKind, 'group' | 'version'>): string {
  return k.group === '' ? k.version : `${k.group}/${k.version}`;
}

function kindKey(group: string, plural: string): string {
  return `${group}|${plural}`;
}

function objKey(o: Pick<FakeObject, 'metadata'>): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

const clone = <T>(v: T): T => structuredClone(v);

export class FakeKubeStore {
  private rv = 100;
  /** Watches from a resourceVersion below this get 410 Gone. */
  private oldestWatchable = 0;
  private uidSeq = 0;
  private readonly kinds = new Map<string, FakeKind>();
  private readonly objects = new Map<string, Map<string, FakeObject>>();
  private history: StoredEvent[] = [];
  private readonly listeners = new Set<(ev: StoredEvent) => void>();

  get resourceVersion(): number {
    return this.rv;
  }

  get compactedBelow(): number {
    return this.oldestWatchable;
  }

  registerKind(k: FakeKind): void {
    const key = kindKey(k.group, k.plural);
    if (this.kinds.has(key)) return;
    this.kinds.set(key, { ...k });
    this.objects.set(key, new Map());
  }

  /** Removes a type (like deleting its CRD): its objects and history go with it. */
  unregisterKind(group: string, plural: string): void {
    const key = kindKey(group, plural);
    this.kinds.delete(key);
    this.objects.delete(key);
    this.history = this.history.filter((e) => kindKey(e.kind.group, e.kind.plural) !== key);
  }

  kindByPath(group: string, version: string, plural: string): FakeKind | undefined {
    const k = this.kinds.get(kindKey(group, plural));
    return k && k.version === version ? k : undefined;
  }

  kindOf(apiVersion: string, kind: string): FakeKind {
    for (const k of this.kinds.values()) {
      if (apiVersionOf(k) === apiVersion && k.kind === kind) return k;
    }
    throw new Error(`fake kube: no registered type ${apiVersion} ${kind}`);
  }

  onEvent(listener: (ev: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Current objects of a type (sorted like etcd keys: namespace, then name), copies. */
  list(k: FakeKind, namespace?: string): FakeObject[] {
    const all = [...(this.objects.get(kindKey(k.group, k.plural))?.values() ?? [])];
    return all
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) => objKey(a).localeCompare(objKey(b)))
      .map(clone);
  }

  get(k: FakeKind, name: string, namespace?: string): FakeObject | undefined {
    const o = this.objects.get(kindKey(k.group, k.plural))?.get(`${namespace ?? ''}/${name}`);
    return o ? clone(o) : undefined;
  }

  /** Events of a type after `rv` (exclusive), oldest first. */
  eventsSince(k: FakeKind, rv: number, namespace?: string): StoredEvent[] {
    const key = kindKey(k.group, k.plural);
    return this.history.filter(
      (e) => e.rv > rv && kindKey(e.kind.group, e.kind.plural) === key && (namespace === undefined || e.object.metadata.namespace === namespace),
    );
  }

  /** Creates or replaces an object (ADDED or MODIFIED); returns the stored copy. */
  put(input: FakeObject): { type: WatchEventType; object: FakeObject } {
    const k = this.kindOf(input.apiVersion, input.kind);
    const obj = clone(input);
    if (k.namespaced && !obj.metadata.namespace) obj.metadata.namespace = 'default';
    if (!k.namespaced) delete obj.metadata.namespace;
    const bucket = this.objects.get(kindKey(k.group, k.plural))!;
    const prev = bucket.get(objKey(obj));
    obj.metadata.uid = prev?.metadata.uid ?? obj.metadata.uid ?? `uid-${++this.uidSeq}`;
    obj.metadata.creationTimestamp = prev?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    obj.metadata.resourceVersion = String(++this.rv);
    bucket.set(objKey(obj), obj);
    const type: WatchEventType = prev ? 'MODIFIED' : 'ADDED';
    this.record({ rv: this.rv, kind: k, type, object: clone(obj) });
    return { type, object: clone(obj) };
  }

  /** Deletes an object (DELETED carries its last state with a new resourceVersion). */
  remove(apiVersion: string, kind: string, name: string, namespace?: string): FakeObject {
    const k = this.kindOf(apiVersion, kind);
    const bucket = this.objects.get(kindKey(k.group, k.plural))!;
    const key = `${k.namespaced ? (namespace ?? 'default') : ''}/${name}`;
    const prev = bucket.get(key);
    if (!prev) throw new Error(`fake kube: ${kind} ${key} does not exist`);
    bucket.delete(key);
    const obj = clone(prev);
    obj.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, kind: k, type: 'DELETED', object: obj });
    return clone(obj);
  }

  /** Advances the global resourceVersion without changing any object (other-type churn). */
  bump(): number {
    return ++this.rv;
  }

  /** Forgets the history: any watch from a resourceVersion before now gets 410 Gone. */
  compact(): void {
    this.history = [];
    this.oldestWatchable = this.rv;
  }

  private record(ev: StoredEvent): void {
    this.history.push(ev);
    for (const l of this.listeners) l(ev);
  }
}
