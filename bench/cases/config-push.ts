// B8, config push: a real Controller (in this process, TLS gRPC on 127.0.0.1) with a
// StaticSource of 10,000 pods on 50 nodes and 1,000 Services, and 50 subscribed daemon
// DiscoveryClients (one per node, each with its own ProxyState, updater and connection,
// all in one child process, so their heap and CPU do not slow the controller). Once all are synced, one pod gets a new label; the figure is the
// time from StaticSource.set until each node's updater applied it (debounce included),
// over several repetitions. Also: controller and daemon heap per workload.
// Set BENCH_PROFILE_DIR to write a CPU profile of the timed repetitions there.
import path from 'node:path';
import type { BenchResult } from '../result.js';
import { profiled } from '../lib/cpu-profile.js';
import { gcAvailable, settledHeapUsed } from '../lib/heap.js';
import { median, percentile, round } from '../lib/stats.js';
import { measureControllerLoad, measureObjects } from './config-push/controller-heap.js';
import { measureDaemonHeap } from './config-push/daemon-heap.js';
import { buildFleet, type FleetSize } from './config-push/fixtures.js';
import { pushOnce, type PushRound } from './config-push/push-latency.js';
import { BENCH_CHANNEL_OPTIONS, DEBOUNCE_MAX_MS, DEBOUNCE_MS, startPushMesh } from './config-push/push-mesh.js';
import { measureStages } from './config-push/stage-timings.js';

const ID = 'B8';
const CASE = 'Config push';
const P90_GOAL_MS = 500;
const DAEMON_GOAL_KB = 1;

const SIZES: Record<'full' | 'quick', FleetSize & { repetitions: number }> = {
  full: { pods: 10_000, services: 1_000, nodes: 50, namespaces: 10, repetitions: 5 },
  quick: { pods: 2_000, services: 200, nodes: 10, namespaces: 10, repetitions: 1 },
};

function log(message: string): void {
  process.stderr.write(`  [B8] ${message}\n`);
}

export async function runConfigPushBench(opts: { quick: boolean }): Promise<BenchResult[]> {
  const size = SIZES[opts.quick ? 'quick' : 'full'];
  const shape = `${size.pods} pods, ${size.services} services, ${size.nodes} nodes`;

  const { fleet, bytes: objectBytes } = measureObjects(() => buildFleet(size));
  const namespaces = fleet.objects.filter((o) => o.kind === 'Namespace');
  const mesh = await startPushMesh(namespaces, fleet.nodes);
  try {
    const controllerHeap = measureControllerLoad(mesh.controller, mesh.source, fleet.objects, size.pods, objectBytes);
    log(`controller loaded: ${round(controllerHeap.controllerBytesPerPod / 1024, 2)} KB/pod`);
    const daemonHeap = measureDaemonHeap(mesh.controller.publisher.snapshot().resources);
    const workloadOnly = measureDaemonHeap(mesh.controller.publisher.snapshot().resources.filter((r) => r.kind === 'WORKLOAD'));
    log(`daemon state: ${round(daemonHeap.bytesPerWorkload / 1024, 2)} KB/workload; snapshot ${round(daemonHeap.snapshotBytes / 2 ** 20, 1)} MiB`);

    const sync = await mesh.connectAll();
    log(`${fleet.nodes.length} daemons synced in ${round(sync.ms / 1000, 1)} s (clock offset ${round(mesh.fleet.clock.offsetMs, 2)} ms, rtt ${round(mesh.fleet.clock.rttMs, 3)} ms)`);
    const controllerHeapSynced = settledHeapUsed();

    const podIndex = fleet.podIndexes[Math.floor(size.pods / 2)]!;
    let objects = fleet.objects;
    const warm = await pushOnce(mesh, fleet.nodes, objects, podIndex, 'warm-up', 60_000); // not counted: first run of the delta path
    objects = warm.objects;
    const rounds: PushRound[] = [];
    const profileDir = process.env.BENCH_PROFILE_DIR;
    const profileFile = profileDir ? path.resolve(profileDir, `config-push-${opts.quick ? 'quick' : 'full'}-${Date.now()}.cpuprofile`) : undefined;
    await profiled(profileFile, async () => {
      for (let i = 0; i < size.repetitions; i++) {
        settledHeapUsed(); // start each round without garbage owed (GC during the round still counts)
        await new Promise((r) => setTimeout(r, 200));
        const { round: r, objects: next } = await pushOnce(mesh, fleet.nodes, objects, podIndex, `r${i}`, 60_000);
        objects = next;
        rounds.push(r);
        log(`round ${i + 1}/${size.repetitions}: p50 ${round(r.p50)} ms, p90 ${round(r.p90)} ms, max ${round(r.max)} ms (set ${round(r.setCallMs)} ms, published at ${round(r.publishedMs)} ms)`);
      }
    });
    const stages = measureStages(mesh.controller, 3);

    const p90s = rounds.map((r) => r.p90);
    const p90 = median(p90s);
    const p50 = median(rounds.map((r) => r.p50));
    const max = Math.max(...rounds.map((r) => r.max));
    const allLatencies = rounds.flatMap((r) => r.latenciesMs);
    const pushRaw = {
      shape, ...size,
      clients: `${fleet.nodes.length} DiscoveryClients (own ProxyState, updater and TLS connection each) in ONE child process; the controller alone in this process`,
      clock: { ...mesh.fleet.clock, how: 'child performance.now() mapped with the offset of the best of 30 IPC ping/pongs' },
      debounceMs: DEBOUNCE_MS, debounceMaxMs: DEBOUNCE_MAX_MS,
      note: `latency = StaticSource.set call -> node's ProxyStateUpdater applied the update; includes the ${DEBOUNCE_MS} ms debounce`,
      change: 'one label added/changed on one pod (1 workload upsert); StaticSource.set replaces the whole object list',
      channelOptions: BENCH_CHANNEL_OPTIONS,
      p90sMs: p90s.map((v) => round(v, 2)), p90MinMs: round(Math.min(...p90s), 2), p90MaxMs: round(Math.max(...p90s), 2),
      pooled: { p50: round(percentile(allLatencies, 50), 2), p90: round(percentile(allLatencies, 90), 2), max: round(Math.max(...allLatencies), 2) },
      rounds: rounds.map((r) => ({ ...r, latenciesMs: r.latenciesMs.map((v) => round(v, 2)) })),
      warmUp: { ...warm.round, latenciesMs: undefined },
      controllerStagesMs: stages,
      initialSyncMs: round(sync.ms), snapshotBytes: daemonHeap.snapshotBytes,
      heapUsedMiB: { controllerProcessSynced: round(controllerHeapSynced / 2 ** 20), daemonProcessSynced: round(sync.heapUsed / 2 ** 20) },
      cpuProfile: profileFile ?? null,
    };
    const kb = (b: number): number => round(b / 1024, 3);
    return [
      { id: ID, case: CASE, metric: `push latency p90, 1 change -> ${size.nodes} nodes (${shape}), median of ${rounds.length}`, unit: 'ms', ambit: round(p90), goal: `< ${P90_GOAL_MS}`, met: p90 < P90_GOAL_MS, raw: pushRaw },
      { id: ID, case: CASE, metric: 'push latency p50 (median over rounds)', unit: 'ms', ambit: round(p50), goal: '', met: true, raw: { p50sMs: rounds.map((r) => round(r.p50, 2)) } },
      { id: ID, case: CASE, metric: 'push latency max (worst node, worst round)', unit: 'ms', ambit: round(max), goal: '', met: true, raw: { maxesMs: rounds.map((r) => round(r.max, 2)) } },
      {
        id: ID, case: CASE, metric: `controller heap per workload (store + model + publisher, ${size.pods} pods)`, unit: 'KB',
        ambit: kb(controllerHeap.controllerBytesPerPod), goal: '', met: true,
        raw: { ...controllerHeap, gc: gcAvailable(), includes: `${size.services} services too; the pod/service objects themselves are objectBytes`, withObjectsKBPerPod: kb((controllerHeap.controllerBytes + controllerHeap.objectBytes) / size.pods) },
      },
      {
        id: ID, case: CASE, metric: `daemon heap per workload (one ProxyState, ${size.pods} workloads + ${size.services} services)`, unit: 'KB',
        ambit: kb(daemonHeap.bytesPerWorkload), goal: `<= ${DAEMON_GOAL_KB}`, met: daemonHeap.bytesPerWorkload <= DAEMON_GOAL_KB * 1024,
        raw: { ...daemonHeap, gc: gcAvailable(), kb: 1024, workloadsOnly: workloadOnly, workloadsOnlyKB: kb(workloadOnly.bytesPerWorkload), method: 'full-snapshot DiscoveryResponse bytes -> responseDeserialize -> decodeResource -> ProxyStateUpdater.apply; heapUsed delta after gc' },
      },
    ];
  } finally {
    await mesh.close();
  }
}
