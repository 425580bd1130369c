// The user's objects as the runtime holds them (what `apply`, `delete` and `label`
// change), keyed by group/kind/namespace/name, plus label overrides for pods that are
// generated from Deployments (they are not user objects, yet `label pod` must reach the
// controller). The `default` and `istio-system` namespaces always exist. `materialize`
// turns the whole into what the controller and the pod runner get, keeping every address
// handed out before. No I/O.
import type { KubeObject } from '../../controller/config/resource.js';
import { groupKind, objectKey } from '../../controller/config/resource.js';
import { labelValue, qualifiedName } from '../../controller/validation/names.js';
import { podKey } from './pod-diff.js';
import { materialize, type AddressAssignments } from './materialize.js';
import { withDefaultNamespace } from './admission.js';

export const BUILTIN_NAMESPACES: readonly string[] = ['default', 'istio-system'];

export type ChangeAction = 'created' | 'configured' | 'unchanged' | 'deleted' | 'labeled' | 'not found';

export interface ObjectChange {
  /** e.g. "deployment.apps/httpbin" */
  ref: string;
  namespace?: string;
  action: ChangeAction;
}

/** Label edits: a value sets the label, null removes it. */
export type LabelEdit = Readonly<Record<string, string | null>>;

/** Why a label edit is invalid (Kubernetes label key and value rules), or undefined. */
export function labelEditProblem(edit: LabelEdit): string | undefined {
  const keys = Object.keys(edit);
  if (keys.length === 0) return 'no label given (key=value sets a label, key- removes it)';
  for (const [k, v] of Object.entries(edit)) {
    const keyErr = k === '' ? 'empty label key' : qualifiedName(k);
    if (keyErr) return `invalid label key "${k}": ${keyErr}`;
    const valueErr = v === null ? undefined : labelValue(v);
    if (valueErr) return `invalid value "${v ?? ''}" of label ${k}: ${valueErr}`;
  }
  return undefined;
}

/** kubectl's "<kind>.<group>/<name>" (core group: "<kind>/<name>"). */
export function objectRef(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const gk = groupKind(o);
  const slash = gk.indexOf('/');
  const kind = o.kind.toLowerCase();
  return `${slash < 0 ? kind : `${kind}.${gk.slice(0, slash)}`}/${o.metadata.name}`;
}

function namespaceObject(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

function applyLabels(labels: Readonly<Record<string, string>> | undefined, edit: LabelEdit): Record<string, string> {
  const out: Record<string, string> = { ...(labels ?? {}) };
  for (const [k, v] of Object.entries(edit)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

export class DesiredState {
  private readonly objects = new Map<string, KubeObject>();
  /** "<ns>/<pod>" → label edits of a generated pod. */
  private readonly podLabels = new Map<string, Record<string, string | null>>();

  constructor() {
    for (const ns of BUILTIN_NAMESPACES) this.objects.set(objectKey(namespaceObject(ns)), namespaceObject(ns));
  }

  list(): KubeObject[] {
    return [...this.objects.values()];
  }

  upsert(object: KubeObject): ObjectChange {
    const o = withDefaultNamespace(object);
    const key = objectKey(o);
    const before = this.objects.get(key);
    this.objects.set(key, o);
    const action: ChangeAction = !before ? 'created' : JSON.stringify(before) === JSON.stringify(o) ? 'unchanged' : 'configured';
    return { ref: objectRef(o), namespace: o.metadata.namespace, action };
  }

  /**
   * Deletes an object; a Namespace takes everything in it along. Builtin namespaces
   * cannot be deleted (undefined). `keys` are the objectKeys of everything deleted.
   */
  remove(object: KubeObject): { changes: ObjectChange[]; keys: string[] } | undefined {
    const o = withDefaultNamespace(object);
    const key = objectKey(o);
    if (groupKind(o) === 'Namespace' && BUILTIN_NAMESPACES.includes(o.metadata.name)) return undefined;
    if (!this.objects.delete(key)) return { changes: [{ ref: objectRef(o), namespace: o.metadata.namespace, action: 'not found' }], keys: [] };
    const changes: ObjectChange[] = [{ ref: objectRef(o), namespace: o.metadata.namespace, action: 'deleted' }];
    const keys = [key];
    if (groupKind(o) === 'Namespace') {
      for (const [k, child] of this.objects) {
        if (child.metadata.namespace !== o.metadata.name) continue;
        this.objects.delete(k);
        keys.push(k);
        changes.push({ ref: objectRef(child), namespace: child.metadata.namespace, action: 'deleted' });
      }
    }
    return { changes, keys };
  }

  labelNamespace(name: string, edit: LabelEdit): ObjectChange | undefined {
    const key = objectKey(namespaceObject(name));
    const ns = this.objects.get(key);
    if (!ns) return undefined;
    this.objects.set(key, { ...ns, metadata: { ...ns.metadata, labels: applyLabels(ns.metadata.labels, edit) } });
    return { ref: objectRef(ns), action: 'labeled' };
  }

  /** Labels a Service (a user object, like `kubectl label svc`). */
  labelService(namespace: string, name: string, edit: LabelEdit): ObjectChange | undefined {
    const key = objectKey({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace } });
    const svc = this.objects.get(key);
    if (!svc) return undefined;
    this.objects.set(key, { ...svc, metadata: { ...svc.metadata, labels: applyLabels(svc.metadata.labels, edit) } });
    return { ref: `service/${name}`, namespace, action: 'labeled' };
  }

  /**
   * Labels a pod: a user Pod object is changed itself; a pod generated from a Deployment
   * (one of `generated`, the last materialized objects) gets label edits kept beside it.
   */
  labelPod(namespace: string, name: string, edit: LabelEdit, generated: readonly KubeObject[]): ObjectChange | undefined {
    const key = objectKey({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } });
    const own = this.objects.get(key);
    if (own) {
      this.objects.set(key, { ...own, metadata: { ...own.metadata, labels: applyLabels(own.metadata.labels, edit) } });
      return { ref: `pod/${name}`, namespace, action: 'labeled' };
    }
    const pk = `${namespace}/${name}`;
    if (!generated.some((o) => groupKind(o) === 'Pod' && podKey(o) === pk)) return undefined;
    this.podLabels.set(pk, { ...(this.podLabels.get(pk) ?? {}), ...edit });
    return { ref: `pod/${name}`, namespace, action: 'labeled' };
  }

  /** Namespaces that exist. */
  namespaces(): string[] {
    return this.list().filter((o) => groupKind(o) === 'Namespace').map((o) => o.metadata.name).sort();
  }

  /**
   * Every object with Deployments expanded into Pods, addresses assigned (those of
   * `previous` kept) and pod label edits applied. Label edits of pods that no longer
   * exist are forgotten.
   */
  materialize(nodes: readonly string[], previous?: AddressAssignments): KubeObject[] {
    const objects = materialize(this.list(), { nodes, previous });
    const live = new Set<string>();
    const out = objects.map((o) => {
      if (groupKind(o) !== 'Pod') return o;
      const key = podKey(o);
      live.add(key);
      const edit = this.podLabels.get(key);
      return edit ? { ...o, metadata: { ...o.metadata, labels: applyLabels(o.metadata.labels, edit) } } : o;
    });
    for (const key of [...this.podLabels.keys()]) if (!live.has(key)) this.podLabels.delete(key);
    return out;
  }
}

