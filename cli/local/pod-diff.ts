// What to do with pod processes when the desired pods change: start new pods, stop
// vanished ones, replace the ones whose spec (or address) changed, leave the rest alone.
// Labels and annotations are not part of a pod's fingerprint: relabelling never restarts
// a pod. (A Deployment whose template changed gets new pod names, as in Kubernetes, so its
// pods show up here as removed + added.) Pure.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../controller/config/resource.js';

/** A pod as far as its processes and network are concerned. */
export interface PodSummary {
  /** "<namespace>/<name>" */
  key: string;
  /** Changes exactly when the pod must be recreated (spec, node or IP changed). */
  fingerprint: string;
}

export interface PodDiff {
  /** New pods, and replacements of changed ones, sorted. */
  start: string[];
  /** Vanished pods, and the old version of changed ones, sorted. */
  stop: string[];
  /** Pods that keep running untouched, sorted. */
  keep: string[];
}

export function podKey(pod: Pick<KubeObject, 'metadata'>): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

/** The fingerprint of a materialized pod: its spec (with nodeName) and its IP; not its metadata. */
export function podFingerprint(pod: KubeObject): string {
  const ip = (pod.status as { podIP?: unknown } | undefined)?.podIP;
  return createHash('sha256').update(JSON.stringify({ spec: pod.spec ?? {}, ip: typeof ip === 'string' ? ip : '' })).digest('hex').slice(0, 16);
}

export function summarizePod(pod: KubeObject): PodSummary {
  return { key: podKey(pod), fingerprint: podFingerprint(pod) };
}

export function diffPods(desired: readonly PodSummary[], running: readonly PodSummary[]): PodDiff {
  const want = new Map(desired.map((p) => [p.key, p.fingerprint]));
  const have = new Map(running.map((p) => [p.key, p.fingerprint]));
  const start: string[] = [];
  const stop: string[] = [];
  const keep: string[] = [];
  for (const [key, fingerprint] of want) {
    const current = have.get(key);
    if (current === fingerprint) keep.push(key);
    else start.push(key);
    if (current !== undefined && current !== fingerprint) stop.push(key);
  }
  for (const key of have.keys()) if (!want.has(key)) stop.push(key);
  const sort = (a: string[]): string[] => a.sort();
  return { start: sort(start), stop: sort(stop), keep: sort(keep) };
}
