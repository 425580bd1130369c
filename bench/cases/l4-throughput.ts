// B3, single-stream bulk throughput: one TCP connection carries N bytes client → server
// (upload) and, separately, server → client (download). Through the mesh the stream
// goes client pod socket → daemon node-1 → HBONE (mTLS + HTTP/2) → daemon node-2 →
// server pod; compared with direct and the haproxy mTLS pair (goals: >= 0.40x direct,
// >= 1.0x the pair), same run, modes interleaved; MB/s = 10^6 bytes/s from the first
// byte written to the last byte (or the server's acknowledgement) received. Median over
// repetitions.
import type { BenchResult } from '../result.js';
import { median, round } from '../lib/stats.js';
import { caseLog, processFigures, spread, rotated } from './l4/figures.js';
import { startL4Mesh, type L4Mesh, type Mode } from './l4/mesh.js';
import type { BulkRun } from './l4/messages.js';

const ID = 'B3';
const CASE = 'L4 bulk throughput';
const GOAL_RATIO = 0.4;
const GOAL_VS_HAPROXY = 1.0;
const MIB = 2 ** 20;
const PLAN = {
  full: { repetitions: 3, bytes: 2048 * MIB, warmupBytes: 128 * MIB },
  quick: { repetitions: 1, bytes: 512 * MIB, warmupBytes: 64 * MIB },
};
const DIRECTIONS = ['upload', 'download'] as const;
type Direction = (typeof DIRECTIONS)[number];
const log = caseLog(ID);

interface Transfer {
  mode: Mode;
  direction: Direction;
  repetition: number;
  run: BulkRun;
  processes: ReturnType<typeof processFigures>;
}

async function transfer(mesh: L4Mesh, mode: Mode, direction: Direction, bytes: number): Promise<{ run: BulkRun; processes: ReturnType<typeof processFigures> }> {
  const window = mesh.window(mode);
  const run = await mesh.load(mode).call('bulk', { target: mesh.target(mode, 'bulk'), direction, bytes }, 600_000);
  return { run, processes: processFigures(window.close()) };
}

export async function runL4ThroughputBench(opts: { quick: boolean }): Promise<BenchResult[]> {
  const plan = PLAN[opts.quick ? 'quick' : 'full'];
  const mesh = await startL4Mesh({ haproxy: true, log });
  try {
    for (const mode of mesh.modes) for (const direction of DIRECTIONS) await transfer(mesh, mode, direction, plan.warmupBytes);
    const all: Transfer[] = [];
    const profiles: string[] = [];
    for (let rep = 0; rep < plan.repetitions; rep++) {
      for (const direction of DIRECTIONS) {
        for (const mode of rotated(mesh.modes, rep)) {
          const go = (): Promise<{ run: BulkRun; processes: ReturnType<typeof processFigures> }> => transfer(mesh, mode, direction, plan.bytes);
          const { value, files } = rep === 0 && mode === 'ambit' ? await mesh.profileDaemons(`B3-${direction}`, go) : { value: await go(), files: [] };
          profiles.push(...files);
          all.push({ mode, direction, repetition: rep, ...value });
          log(`${direction}, ${mode}, rep ${rep + 1}: ${round(value.run.mbPerSecond)} MB/s (${round(value.run.ms)} ms)`);
        }
      }
    }
    const rates = (mode: Mode, direction: Direction): number[] => all.filter((t) => t.mode === mode && t.direction === direction).map((t) => t.run.mbPerSecond);
    const haproxyNote = mesh.haproxy.available ? { version: mesh.haproxy.version } : { unavailable: mesh.haproxy.reason };
    const common = {
      bytesPerTransfer: plan.bytes, warmupBytes: plan.warmupBytes, repetitions: plan.repetitions, unit: 'MB/s = 10^6 bytes per second',
      setup: mesh.setup, haproxy: haproxyNote, daemonProfiles: profiles,
      transfers: all.map((t) => ({ mode: t.mode, direction: t.direction, rep: t.repetition, mbPerSecond: round(t.run.mbPerSecond, 1), ms: round(t.run.ms, 1), processes: t.processes })),
    };
    const results: BenchResult[] = [];
    for (const direction of DIRECTIONS) {
      const ambit = median(rates('ambit', direction));
      const direct = median(rates('direct', direction));
      const what = direction === 'upload' ? 'client -> server' : 'server -> client';
      results.push({
        id: ID, case: CASE, metric: `single-stream ${direction} (${what})`, unit: 'MB/s',
        ambit: round(ambit), baseline: round(direct), baselineName: 'direct',
        goal: `>= ${GOAL_RATIO.toFixed(2)}x direct (>= ${round(GOAL_RATIO * direct)} MB/s)`, met: ambit >= GOAL_RATIO * direct,
        raw: {
          ...(direction === 'upload' ? common : {}),
          ambit: spread(rates('ambit', direction), 1), direct: spread(rates('direct', direction), 1),
          haproxy: mesh.haproxy.available ? spread(rates('haproxy', direction), 1) : haproxyNote,
          ratioVsDirect: round(ambit / direct, 3),
          gbitPerSecond: { ambit: round((ambit * 8) / 1000, 2), direct: round((direct * 8) / 1000, 2) },
        },
      });
    }
    if (mesh.haproxy.available) {
      for (const direction of DIRECTIONS) {
        const ambit = median(rates('ambit', direction));
        const haproxy = median(rates('haproxy', direction));
        results.push({
          id: ID, case: CASE, metric: `single-stream ${direction} vs the haproxy mTLS pair`, unit: 'MB/s',
          ambit: round(ambit), baseline: round(haproxy), baselineName: 'haproxy pair',
          goal: `>= ${GOAL_VS_HAPROXY.toFixed(2)}x haproxy pair (>= ${round(GOAL_VS_HAPROXY * haproxy)} MB/s)`, met: ambit >= GOAL_VS_HAPROXY * haproxy,
          raw: { ambit: spread(rates('ambit', direction), 1), haproxy: spread(rates('haproxy', direction), 1), ratio: round(ambit / haproxy, 3) },
        });
      }
    }
    return results;
  } finally {
    await mesh.close();
  }
}
