// B1, added latency: HTTP/1.1 keep-alive requests with 1 KB response bodies at 1000
// requests/s open loop (Istio's method: uniform spread over the connections, latency
// from the intended send time), over 4 and 64 connections. Ambit (client pod →
// daemon → HBONE → daemon → server pod, each daemon in its own process) is compared
// with direct (client → server) and the haproxy mTLS pair, measured in the same run,
// modes interleaved in every repetition. The figure is percentile(Ambit) −
// percentile(direct), medians over repetitions. See bench/cases/l4/mesh.ts.
//
// Then the latency picture: p50/p90/p99 of the three modes at several rates over 16
// connections (the sweep), returned as chart data in `raw.latencyVsRate` of the first
// sweep row; the runner draws it (bench/lib/latency-svg.ts) into bench/results/latency.svg.
import type { BenchResult } from '../result.js';
import type { LatencyChart, LatencySeries } from '../lib/latency-svg.js';
import { PCTS, caseLog, processFigures, rounded, spread, rotated, type Pct, type SeriesStyle } from './l4/figures.js';
import { startL4Mesh, warmHttp, type L4Mesh, type Mode } from './l4/mesh.js';
import type { LatencyRun, LatencySummary } from './l4/messages.js';
import { percentiles } from './l4/summary.js';
import { median, round } from '../lib/stats.js';

const ID = 'B1';
const CASE = 'L4 added latency';
const RATE = 1000;
const CONNECTIONS = [4, 64];
const GOAL_MS = { p90: 0.17, p99: 0.5 } as const;
const PLAN = {
  full: { repetitions: 3, meshWarmupMs: 5000, warmupMs: 3000, measureMs: 15_000 },
  quick: { repetitions: 1, meshWarmupMs: 2000, warmupMs: 1000, measureMs: 4000 },
};
const SWEEP_CONNECTIONS = 16;
const SWEEP = {
  full: { rates: [250, 500, 1000, 2000], repetitions: 3, warmupMs: 2000, measureMs: 8000 },
  quick: { rates: [250, 1000, 2000], repetitions: 1, warmupMs: 500, measureMs: 2000 },
};
const SERIES: SeriesStyle<Mode>[] = [
  { mode: 'direct', name: 'direct', color: '#4d4d4d' },
  { mode: 'haproxy', name: 'haproxy pair', color: '#e08214' },
  { mode: 'ambit', name: 'Ambit', color: '#1b7837' },
];
const log = caseLog(ID);


interface Measured {
  mode: Mode;
  connections: number;
  rate: number;
  repetition: number;
  /** Percentiles over completed requests plus unanswered ones counted as infinitely late. */
  ms: LatencySummary;
  run: Omit<LatencyRun, 'samplesMs'>;
  processes: ReturnType<typeof processFigures>;
}

interface Step { connections: number; rate: number; repetition: number; warmupMs: number; measureMs: number }

async function measure(mesh: L4Mesh, mode: Mode, step: Step, profile: boolean): Promise<{ m: Measured; profiles: string[] }> {
  const load = mesh.load(mode);
  const { connections, rate } = step;
  await load.call('httpOpen', { target: mesh.target(mode, 'http'), connections });
  try {
    await load.call('httpRun', { rate, durationMs: step.warmupMs }, step.warmupMs + 30_000);
    const timed = async (): Promise<{ run: LatencyRun; w: ReturnType<ReturnType<L4Mesh['window']>['close']> }> => {
      const window = mesh.window(mode);
      const run = await load.call('httpRun', { rate, durationMs: step.measureMs }, step.measureMs + 30_000);
      return { run, w: window.close() };
    };
    const { value: { run, w }, files } = profile ? await mesh.profileDaemons(`B1-${connections}c-${rate}rps`, timed) : { value: await timed(), files: [] };
    const { samplesMs, ...rest } = run;
    const m: Measured = { mode, connections, rate, repetition: step.repetition, ms: percentiles(samplesMs, run.unanswered), run: rest, processes: processFigures(w) };
    log(`${connections} conns @ ${rate} rps, ${mode}, rep ${step.repetition + 1}: p50 ${round(m.ms.p50, 3)} p90 ${round(m.ms.p90, 3)} p99 ${round(m.ms.p99, 3)} ms (${round(run.achievedRps)} rps, send lag p99 ${round(run.sendLagMs.p99, 3)} ms)`);
    return { m, profiles: files };
  } finally {
    await load.call('httpClose', undefined);
  }
}

function runsOf(all: readonly Measured[]): Record<string, unknown>[] {
  return all.map((m) => ({
    mode: m.mode, rep: m.repetition, ms: rounded(m.ms),
    achievedRps: round(m.run.achievedRps, 1), unanswered: m.run.unanswered,
    sendLagMs: rounded(m.run.sendLagMs), serviceMs: rounded(m.run.serviceMs), processes: m.processes,
  }));
}

export async function runL4LatencyBench(opts: { quick: boolean }): Promise<BenchResult[]> {
  const plan = PLAN[opts.quick ? 'quick' : 'full'];
  const sweep = SWEEP[opts.quick ? 'quick' : 'full'];
  const mesh = await startL4Mesh({ haproxy: true, httpBodyBytes: 1024, log });
  try {
    await warmHttp(mesh, plan.meshWarmupMs);
    const all: Measured[] = [];
    const profiles: string[] = [];
    const run = async (step: Step, profile: boolean): Promise<void> => {
      for (const mode of rotated(mesh.modes, step.repetition)) {
        const { m, profiles: files } = await measure(mesh, mode, step, profile && step.repetition === 0 && mode === 'ambit');
        all.push(m);
        profiles.push(...files);
      }
    };
    for (const connections of CONNECTIONS) {
      for (let repetition = 0; repetition < plan.repetitions; repetition++) {
        await run({ connections, rate: RATE, repetition, warmupMs: plan.warmupMs, measureMs: plan.measureMs }, true);
      }
    }
    for (let repetition = 0; repetition < sweep.repetitions; repetition++) {
      for (const rate of sweep.rates) await run({ connections: SWEEP_CONNECTIONS, rate, repetition, warmupMs: sweep.warmupMs, measureMs: sweep.measureMs }, false);
    }
    const haproxyNote = mesh.haproxy.available ? { version: mesh.haproxy.version } : { unavailable: mesh.haproxy.reason };
    const common = {
      rateRps: RATE, bodyBytes: 1024, protocol: 'HTTP/1.1 keep-alive, GET, 1 KB response', ...plan,
      method: 'open loop: request k due at start + k/rate on connection k mod N; latency from the intended send time (queueing behind a busy connection included); unanswered requests count as infinitely late; a ticker thread (Atomics.wait) paces the sends',
      aggregate: 'median over repetitions of each percentile; diff = median(ambit) - median(direct)',
      topology: mesh.topology, setup: mesh.setup, haproxy: haproxyNote, daemonProfiles: profiles,
    };
    const pick = (mode: Mode, connections: number, p: Pct, rate = RATE): number[] =>
      all.filter((m) => m.mode === mode && m.connections === connections && m.rate === rate).map((m) => m.ms[p]);
    const results: BenchResult[] = [];
    for (const connections of CONNECTIONS) {
      const runs = runsOf(all.filter((m) => m.connections === connections && m.rate === RATE));
      for (const p of PCTS) {
        const ambit = median(pick('ambit', connections, p));
        const direct = median(pick('direct', connections, p));
        const diffs = pick('ambit', connections, p).map((a, i) => a - pick('direct', connections, p)[i]!);
        const goal = p === 'p50' ? undefined : GOAL_MS[p];
        const haproxy = mesh.haproxy.available ? spread(pick('haproxy', connections, p)) : haproxyNote;
        results.push({
          id: ID, case: CASE, metric: `${p} latency, ${connections} conns @ ${RATE} rps (diff vs direct)`, unit: 'ms',
          ambit: round(ambit, 3), baseline: round(direct, 3), baselineName: 'direct',
          goal: goal === undefined ? '' : `diff <= +${goal} ms`, met: goal === undefined ? true : ambit - direct <= goal,
          raw: {
            ...(p === 'p90' && connections === CONNECTIONS[0] ? common : {}),
            ambit: spread(pick('ambit', connections, p)), direct: spread(pick('direct', connections, p)), haproxy,
            diffPerRepetition: spread(diffs), ...(p === 'p99' ? { runs } : {}),
          },
        });
      }
      if (mesh.haproxy.available) {
        for (const p of ['p90', 'p99'] as const) {
          const h = median(pick('haproxy', connections, p));
          const direct = median(pick('direct', connections, p));
          results.push({
            id: ID, case: CASE, metric: `haproxy pair ${p}, ${connections} conns (diff vs direct)`, unit: 'ms',
            ambit: round(h, 3), baseline: round(direct, 3), baselineName: 'direct', goal: '', met: true,
            raw: { note: 'baseline for reference: the "Ambit" column holds the haproxy pair here', haproxy: spread(pick('haproxy', connections, p)), ambit: spread(pick('ambit', connections, p)) },
          });
        }
      }
    }

    // The sweep: one informational row per rate (p99, Ambit vs direct), the chart data on the first.
    const c = SWEEP_CONNECTIONS;
    const series: LatencySeries[] = SERIES.filter((s) => mesh.modes.includes(s.mode)).map(({ mode, name, color }) => ({
      name, color,
      points: sweep.rates.map((rate) => ({ rate, p50: median(pick(mode, c, 'p50', rate)), p90: median(pick(mode, c, 'p90', rate)), p99: median(pick(mode, c, 'p99', rate)) })),
    }));
    const chart: LatencyChart = {
      title: 'L4 latency vs request rate: direct, haproxy mTLS pair, Ambit',
      subtitle: `HTTP/1.1, 1 KB responses, ${c} connections, open loop; ${mesh.topology} topology; median of ${sweep.repetitions} x ${sweep.measureMs / 1000} s`,
      series,
    };
    sweep.rates.forEach((rate, i) => {
      const ambit = median(pick('ambit', c, 'p99', rate));
      const direct = median(pick('direct', c, 'p99', rate));
      results.push({
        id: ID, case: CASE, metric: `p99 latency, ${c} conns @ ${rate} rps (diff vs direct; latency.svg)`, unit: 'ms',
        ambit: round(ambit, 3), baseline: round(direct, 3), baselineName: 'direct', goal: '', met: true,
        raw: {
          ...(i === 0 ? { latencyVsRate: chart, sweep: { connections: c, ...sweep } } : {}),
          ...Object.fromEntries(mesh.modes.map((mode) => [mode, Object.fromEntries(PCTS.map((p) => [p, spread(pick(mode, c, p, rate))]))])),
          runs: runsOf(all.filter((m) => m.connections === c && m.rate === rate)),
        },
      });
    });
    return results;
  } finally {
    await mesh.close();
  }
}
