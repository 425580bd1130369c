// Daemon memory per workload: the heap one ProxyState retains after applying a snapshot,
// decoded from protobuf bytes exactly as a DiscoveryClient does (so strings and objects
// are the daemon's own, not shared with the controller's model).
import type { ModelResource } from '../../../api/model.js';
import { loadProtos } from '../../../api/protos.js';
import { decodeResource, encodeResource } from '../../../controller/discovery/codec.js';
import { ProxyState } from '../../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../../daemon/state/proxy-state-updater.js';
import { settledHeapUsed } from '../../lib/heap.js';
import { median } from '../../lib/stats.js';

export interface DaemonHeap {
  resources: number;
  workloads: number;
  snapshotBytes: number;
  heapDeltaBytes: number;
  trialsBytes: number[];
  bytesPerWorkload: number;
}

/** Serializes the resources as one full-snapshot DiscoveryResponse (the wire bytes). */
export function snapshotBytes(resources: readonly ModelResource[]): Buffer {
  const method = loadProtos().discovery.ambit.v1.Discovery.service.Stream;
  return method.responseSerialize({ version: '1', nonce: 'bench', fullSnapshot: true, resources: resources.map(encodeResource), removed: [] });
}

function applySnapshot(bytes: Buffer, state: ProxyState): void {
  const res = loadProtos().discovery.ambit.v1.Discovery.service.Stream.responseDeserialize(bytes);
  const upserts: ModelResource[] = [];
  for (const r of res.resources) {
    const decoded = decodeResource(r);
    if (decoded) upserts.push(decoded);
  }
  const { rejected } = new ProxyStateUpdater(state).apply({ full: true, version: res.version, upserts, removals: [] });
  if (rejected.length > 0) throw new Error(`daemon rejected ${rejected.length} resources, e.g. ${rejected[0]!.reason}`);
}

/** Heap retained by one ProxyState holding `resources`, per workload among them (median of `trials`). */
export function measureDaemonHeap(resources: readonly ModelResource[], trials = 3): DaemonHeap {
  const bytes = snapshotBytes(resources);
  const workloads = resources.filter((r) => r.kind === 'WORKLOAD').length;
  applySnapshot(bytes, new ProxyState()); // warm-up: code and hidden classes, not counted
  const deltas: number[] = [];
  const held: ProxyState[] = []; // every state stays alive, so each delta is exactly one more state
  for (let i = 0; i < trials; i++) {
    const before = settledHeapUsed();
    const state = new ProxyState();
    held.push(state);
    applySnapshot(bytes, state);
    const after = settledHeapUsed();
    if (state.workloadsByUid.size !== workloads) throw new Error(`ProxyState holds ${state.workloadsByUid.size} workloads, expected ${workloads}`);
    deltas.push(after - before);
  }
  held.length = 0;
  const heapDeltaBytes = median(deltas);
  return { resources: resources.length, workloads, snapshotBytes: bytes.length, heapDeltaBytes, trialsBytes: deltas, bytesPerWorkload: heapDeltaBytes / workloads };
}
