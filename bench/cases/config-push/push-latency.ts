// One config change, timed to every node: from the StaticSource.set call (the change
// entering the controller) until each node's ProxyStateUpdater has applied the update
// that carries it (the daemons' clock mapped onto this one). The figure includes the
// controller's debounce (DEBOUNCE_MS).
import type { KubeObject } from '../../../controller/config/resource.js';
import type { Delta } from '../../../controller/discovery/publisher.js';
import { workloadUid } from '../../../controller/translate/workloads.js';
import { percentile } from '../../lib/stats.js';
import { withPodLabel } from './fixtures.js';
import type { PushMesh } from './push-mesh.js';

export const CHANGE_LABEL = 'bench.ambit.dev/revision';

export interface PushRound {
  /** Per node: ms from the change to the update applied, in node order. */
  latenciesMs: number[];
  p50: number;
  p90: number;
  max: number;
  min: number;
  /** ms the StaticSource.set call itself took (store replace: validate + compare every object). */
  setCallMs: number;
  /** ms from the change until the controller published the delta (set + debounce + build + diff). */
  publishedMs: number;
  deltaVersion: number;
  deltaUpserts: number;
}

/** Applies one change (a new label value on one pod) and times its arrival at every daemon. */
export async function pushOnce(mesh: PushMesh, nodes: readonly string[], current: readonly KubeObject[], podIndex: number, value: string, timeoutMs: number): Promise<{ round: PushRound; objects: KubeObject[] }> {
  const next = withPodLabel(current, podIndex, CHANGE_LABEL, value);
  const pod = next[podIndex]!;
  const uid = workloadUid(pod.metadata.namespace ?? 'default', pod.metadata.name);
  let published: Delta | undefined;
  let publishedAt = 0;
  const probe = { enqueue: (d: Delta): void => { published ??= d; publishedAt ||= performance.now(); } };

  const { arrived } = await mesh.fleet.watch(uid, CHANGE_LABEL, value, timeoutMs);
  mesh.controller.publisher.subscribe(probe);
  const t0 = performance.now();
  mesh.source.set(next);
  const setCallMs = performance.now() - t0;
  let times: Map<string, number>;
  try {
    times = await arrived;
  } finally {
    mesh.controller.publisher.unsubscribe(probe);
  }
  const latenciesMs = nodes.map((node) => times.get(node)! - t0);
  return {
    objects: next,
    round: {
      latenciesMs,
      p50: percentile(latenciesMs, 50),
      p90: percentile(latenciesMs, 90),
      max: Math.max(...latenciesMs),
      min: Math.min(...latenciesMs),
      setCallMs,
      publishedMs: publishedAt - t0,
      deltaVersion: published?.version ?? 0,
      deltaUpserts: published?.upserts.length ?? 0,
    },
  };
}
