// Which topology carries the L4 cases: the netns topology (netns-mesh.ts: real network
// namespaces, eBPF capture, `ambit daemon`) when it can run here (root, native addon and
// BPF object built), else the loopback mesh (l4-mesh.ts). BENCH_L4_TOPOLOGY=netns or
// loopback forces one (netns then fails loudly when it cannot run). The choice and its
// reason are recorded in every result's setup (`setup.topology`, `setup.topologyReason`).
import { startLoopbackL4Mesh } from './l4-mesh.js';
import type { L4Mesh, L4MeshOptions, Topology } from './mesh-types.js';
import { netnsAvailability, startNetnsL4Mesh } from './netns-mesh.js';

export type { L4Mesh, L4MeshOptions, MeshCluster, MeshPod, Mode, Service, Topology } from './mesh-types.js';

export function chooseTopology(env: NodeJS.ProcessEnv = process.env): { topology: Topology; reason: string } {
  const wanted = (env.BENCH_L4_TOPOLOGY ?? 'auto').toLowerCase();
  if (wanted === 'loopback') return { topology: 'loopback', reason: 'BENCH_L4_TOPOLOGY=loopback' };
  if (wanted !== 'netns' && wanted !== 'auto') throw new Error(`BENCH_L4_TOPOLOGY must be netns, loopback or auto, not ${JSON.stringify(env.BENCH_L4_TOPOLOGY)}`);
  const available = netnsAvailability();
  if (available.ok) return { topology: 'netns', reason: wanted === 'netns' ? 'BENCH_L4_TOPOLOGY=netns' : 'root, native addon and BPF object built' };
  if (wanted === 'netns') throw new Error(`BENCH_L4_TOPOLOGY=netns, but the netns topology cannot run here: ${available.reason}`);
  return { topology: 'loopback', reason: `netns topology unavailable: ${available.reason}` };
}

export async function startL4Mesh(opts: L4MeshOptions): Promise<L4Mesh> {
  const choice = chooseTopology();
  opts.log(`topology: ${choice.topology} (${choice.reason})`);
  const mesh = choice.topology === 'netns' ? await startNetnsL4Mesh(opts) : await startLoopbackL4Mesh(opts);
  mesh.setup.topologyReason = choice.reason;
  return mesh;
}

/**
 * Runs HTTP load at 1000 rps over 16 connections for `ms` through every mode, Ambit first
 * (not measured): the daemons' code is optimized before any figure is taken, and in the
 * netns topology every mode's own load generator and server pod process is warm too.
 */
export async function warmHttp(mesh: L4Mesh, ms: number): Promise<void> {
  for (const mode of ['ambit', ...mesh.modes.filter((m) => m !== 'ambit')] as const) {
    const load = mesh.load(mode);
    await load.call('httpOpen', { target: mesh.target(mode, 'http'), connections: 16 });
    try {
      await load.call('httpRun', { rate: 1000, durationMs: mode === 'ambit' ? ms : ms / 2 }, ms + 30_000);
    } finally {
      await load.call('httpClose', undefined);
    }
  }
}
