// B6, the waypoint hop: what a waypoint adds to the mesh path for HTTP/1.1 with 1 KB
// responses over 16 keep-alive connections, on the netns topology (cases/l4/netns-mesh.ts
// with `waypoint`; cases/l4/netns-waypoint.ts places the waypoint and nginx):
//
//   waypoint   mesh/client → daemon node-1 → HBONE → waypoint → HBONE → daemon node-2 → mesh/server
//   ambit-vip  mesh/client → daemon node-1 → HBONE → daemon node-2 → mesh/server   (same pod, a VIP without waypoint)
//   nginx      plain/client → nginx (in the waypoint pod's netns) → plain/server
//   direct     plain/client → plain/server
//
// 1. Added latency at 1000 rps, open loop (B1's load generator and percentiles):
//    percentile(waypoint) − percentile(ambit-vip), medians over repetitions, modes
//    interleaved (order rotated per repetition).
// 2. The waypoint's vCPU per 1000 rps and peak RSS in those windows (/proc of its pid, as
//    B2 reads the daemons'), next to nginx's under the same load.
// 3. The highest rate each path sustains, stepped open loop: the rate grows by a factor
//    until a step fails (p99 over the limit, fewer responses than scheduled, a non-2xx
//    response, or a broken connection), then bisects between the last good and the first
//    failed step. Waypoint vs nginx is the goal; L4 and direct show the machine's ceiling.
// 4. The latency picture: p50/p90/p99 of the four paths against the rate
//    (bench/results/waypoint-latency.svg, from `raw.latencyVsRate` of the first sweep row).
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchResult } from '../result.js';
import type { LatencyChart, LatencySeries } from '../lib/latency-svg.js';
import { rssBytes } from '../lib/proc-stats.js';
import { median, round } from '../lib/stats.js';
import { PCTS, caseLog, processFigures, rounded, rotated, spread, type Pct, type SeriesStyle } from './l4/figures.js';
import { startL4Mesh, warmHttp, type L4Mesh, type Mode } from './l4/mesh.js';
import type { LatencyRun, LatencySummary, WaypointStats } from './l4/messages.js';
import { percentiles } from './l4/summary.js';

const ID = 'B6';
const CASE = 'Waypoint hop';
const RATE = 1000;
const CONNECTIONS = 16;
const GOAL = { p90Ms: 1, vcpu: 0.25, maxRateRatio: 0.5 };
/** Every path B6 measures, when available (nginx needs the Debian package). */
const MODES: readonly Mode[] = ['direct', 'ambit-vip', 'waypoint', 'nginx'];
const PLAN = {
  full: { repetitions: 3, meshWarmupMs: 5000, warmupMs: 3000, measureMs: 15_000 },
  quick: { repetitions: 1, meshWarmupMs: 2000, warmupMs: 1000, measureMs: 4000 },
};
/** The picture's other rates (its 1000 rps points are the measurement above). */
const SWEEP = {
  full: { rates: [250, 500, 1500, 2000, 3000], repetitions: 2, warmupMs: 2000, measureMs: 6000 },
  quick: { rates: [250, 2000], repetitions: 1, warmupMs: 500, measureMs: 2000 },
};
const MAX_RATE = {
  full: { start: 1000, factor: 1.5, bisections: 3, warmupMs: 1500, measureMs: 5000 },
  quick: { start: 1000, factor: 2, bisections: 2, warmupMs: 500, measureMs: 2000 },
};
/**
 * A step of the maximum-rate search passes with p99 at most this ("exploded": ten times
 * and more the p99 of every path at 1000 rps, and past what one scheduling hiccup costs;
 * an overloaded open loop queues without bound, hundreds of ms within a step), every
 * request answered with a 2xx, and ≥ 98 % of the rate achieved. A failed step is tried
 * once more (the machine's other tenants can spoil one), so it fails only twice in a row.
 */
const STEP_P99_LIMIT_MS = 50;
const STEP_MIN_ACHIEVED = 0.98;
/** No step above this (the load generator's own ceiling is below). */
const RATE_CAP = 40_000;
const RATE_GRAIN = 50;
const SERIES: SeriesStyle<Mode>[] = [
  { mode: 'direct', name: 'direct', color: '#4d4d4d' },
  { mode: 'nginx', name: 'nginx hop', color: '#2166ac' },
  { mode: 'ambit-vip', name: 'Ambit L4 (VIP)', color: '#1b7837' },
  { mode: 'waypoint', name: 'Ambit + waypoint', color: '#762a83' },
];
const log = caseLog(ID);

type Processes = ReturnType<typeof processFigures>;

interface Measured {
  mode: Mode;
  rate: number;
  repetition: number;
  /** Percentiles over completed requests plus unanswered ones counted as infinitely late. */
  ms: LatencySummary;
  run: Omit<LatencyRun, 'samplesMs'>;
  processes: Processes;
}

interface Step { rate: number; repetition: number; warmupMs: number; measureMs: number }

async function measure(mesh: L4Mesh, mode: Mode, step: Step): Promise<Measured> {
  const load = mesh.load(mode);
  await load.call('httpOpen', { target: mesh.target(mode, 'http'), connections: CONNECTIONS });
  try {
    await load.call('httpRun', { rate: step.rate, durationMs: step.warmupMs }, step.warmupMs + 30_000);
    const window = mesh.window(mode);
    const run = await load.call('httpRun', { rate: step.rate, durationMs: step.measureMs }, step.measureMs + 30_000);
    const processes = processFigures(window.close());
    const { samplesMs, ...rest } = run;
    return { mode, rate: step.rate, repetition: step.repetition, ms: percentiles(samplesMs, run.unanswered), run: rest, processes };
  } finally {
    await load.call('httpClose', undefined);
  }
}

function describe(m: Measured): string {
  const bad = m.run.non2xx > 0 ? `, ${m.run.non2xx} non-2xx (${m.run.firstNon2xx ?? ''})` : '';
  const lost = m.run.unanswered > 0 ? `, ${m.run.unanswered} unanswered` : '';
  const wp = m.processes.waypoint ? `, waypoint ${m.processes.waypoint.vcpu} vCPU ${m.processes.waypoint.rssMaxMiB} MiB` : '';
  return `p50 ${round(m.ms.p50, 3)} p90 ${round(m.ms.p90, 3)} p99 ${round(m.ms.p99, 3)} ms, ${round(m.run.achievedRps)} rps${bad}${lost}${wp}`;
}

function runsOf(all: readonly Measured[]): Record<string, unknown>[] {
  return all.map((m) => ({
    mode: m.mode, rate: m.rate, rep: m.repetition, ms: rounded(m.ms),
    achievedRps: round(m.run.achievedRps, 1), unanswered: m.run.unanswered, non2xx: m.run.non2xx, ...(m.run.firstNon2xx ? { firstNon2xx: m.run.firstNon2xx } : {}),
    sendLagMs: rounded(m.run.sendLagMs), serviceMs: rounded(m.run.serviceMs), processes: m.processes,
  }));
}

/** One step of the maximum-rate search. */
interface Probe {
  mode: Mode;
  rate: number;
  ok: boolean;
  why: string;
  ms?: LatencySummary;
  achievedRps?: number;
  non2xx?: number;
  unanswered?: number;
  processes?: Processes;
}

async function probe(mesh: L4Mesh, mode: Mode, rate: number, plan: typeof MAX_RATE.full): Promise<Probe> {
  let m: Measured;
  try {
    m = await measure(mesh, mode, { rate, repetition: 0, warmupMs: plan.warmupMs, measureMs: plan.measureMs });
  } catch (err) {
    const why = `error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    log(`max rate, ${mode} @ ${rate} rps: failed (${why})`);
    return { mode, rate, ok: false, why };
  }
  const reasons: string[] = [];
  if (m.run.unanswered > 0) reasons.push(`${m.run.unanswered} unanswered`);
  if (m.run.non2xx > 0) reasons.push(`${m.run.non2xx} non-2xx (${m.run.firstNon2xx ?? ''})`);
  if (m.run.achievedRps < STEP_MIN_ACHIEVED * rate) reasons.push(`achieved ${round(m.run.achievedRps)} rps`);
  if (!(m.ms.p99 <= STEP_P99_LIMIT_MS)) reasons.push(`p99 ${round(m.ms.p99, 1)} ms > ${STEP_P99_LIMIT_MS} ms`);
  const ok = reasons.length === 0;
  log(`max rate, ${mode} @ ${rate} rps: ${ok ? 'ok' : reasons.join(', ')}; ${describe(m)}`);
  return { mode, rate, ok, why: ok ? 'ok' : reasons.join(', '), ms: m.ms, achievedRps: m.run.achievedRps, non2xx: m.run.non2xx, unanswered: m.run.unanswered, processes: m.processes };
}

/** Stepped open loop: grow by `factor` until a step fails, then bisect (to RATE_GRAIN) between the last good and the first failed rate. */
async function maxRate(mesh: L4Mesh, mode: Mode, plan: typeof MAX_RATE.full): Promise<{ max: number; best?: Probe; probes: Probe[] }> {
  const probes: Probe[] = [];
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  let best: Probe | undefined;
  const tryRate = async (rate: number): Promise<boolean> => {
    let p = await probe(mesh, mode, rate, plan);
    probes.push(p);
    if (!p.ok) {
      await sleep(1000); // let the backlog of an overloaded step drain first
      p = await probe(mesh, mode, rate, plan);
      probes.push(p);
    }
    if (p.ok) {
      lo = rate;
      best = p;
    } else {
      hi = rate;
      await sleep(1000); // let the backlog of an overloaded step drain before the next
    }
    return p.ok;
  };
  for (let rate = plan.start; rate <= RATE_CAP; rate = Math.round((rate * plan.factor) / RATE_GRAIN) * RATE_GRAIN) {
    if (!(await tryRate(rate))) break;
  }
  for (let i = 0; i < plan.bisections && Number.isFinite(hi); i++) {
    const mid = Math.round((lo + hi) / 2 / RATE_GRAIN) * RATE_GRAIN;
    if (mid <= lo || mid >= hi) break;
    await tryRate(mid);
  }
  return { max: lo, best, probes };
}

function statsDelta(before: WaypointStats | undefined, after: WaypointStats | undefined): Record<string, number> {
  if (!after) return {};
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.requests)) {
    const d = v - (before?.requests[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

export async function runWaypointHopBench(opts: { quick: boolean }): Promise<BenchResult[]> {
  const plan = PLAN[opts.quick ? 'quick' : 'full'];
  const sweep = SWEEP[opts.quick ? 'quick' : 'full'];
  const maxPlan = MAX_RATE[opts.quick ? 'quick' : 'full'];
  const mesh = await startL4Mesh({ haproxy: false, httpBodyBytes: 1024, waypoint: true, log });
  try {
    const wp = mesh.waypoint;
    if (!wp) throw new Error('the mesh came up without the waypoint hop');
    const modes = MODES.filter((m) => mesh.modes.includes(m));
    const statsAtStart = await wp.stats();
    const loadAverage: Record<string, number[]> = { start: loadavg().map((v) => round(v, 2)) };
    const rssTimeline: { after: string; waypointMiB: number; nginxMiB?: number }[] = [];
    const noteRss = (after: string): void => {
      rssTimeline.push({
        after, waypointMiB: round(rssBytes(wp.pid) / 2 ** 20, 1),
        ...(mesh.pids.nginx !== undefined ? { nginxMiB: round(rssBytes(mesh.pids.nginx) / 2 ** 20, 1) } : {}),
      });
    };
    noteRss('start');
    await warmHttp(mesh, plan.meshWarmupMs);
    noteRss('warm-up');

    // 1 and 2: 1000 rps, modes interleaved.
    const all: Measured[] = [];
    const run = async (step: Step): Promise<void> => {
      for (const mode of rotated(modes, step.repetition)) {
        const m = await measure(mesh, mode, step);
        log(`${CONNECTIONS} conns @ ${step.rate} rps, ${mode}, rep ${step.repetition + 1}: ${describe(m)}`);
        all.push(m);
      }
    };
    for (let repetition = 0; repetition < plan.repetitions; repetition++) {
      await run({ rate: RATE, repetition, warmupMs: plan.warmupMs, measureMs: plan.measureMs });
    }
    noteRss(`${RATE} rps`);
    // 4: the picture's other rates.
    for (let repetition = 0; repetition < sweep.repetitions; repetition++) {
      for (const rate of sweep.rates) await run({ rate, repetition, warmupMs: sweep.warmupMs, measureMs: sweep.measureMs });
    }
    noteRss('sweep');
    const statsAfterLatency = await wp.stats();
    // 3: the highest sustained rate of each path.
    const searches = new Map<Mode, Awaited<ReturnType<typeof maxRate>>>();
    for (const mode of ['waypoint', 'nginx', 'ambit-vip', 'direct'] as const) {
      if (!modes.includes(mode)) continue;
      const s = await maxRate(mesh, mode, maxPlan);
      searches.set(mode, s);
      log(`max rate, ${mode}: ${s.max} rps`);
      if (mode === 'waypoint') noteRss('waypoint max rate');
    }
    // Leak check: every client connection is closed now; the waypoint's streams should be gone.
    await sleep(2000);
    noteRss('end (2 s idle)');
    const statsAtEnd = await wp.stats();
    loadAverage.end = loadavg().map((v) => round(v, 2));
    const logProblems = wp.logProblems();
    if (logProblems.count > 0) log(`waypoint logged ${logProblems.count} warning(s)/error(s); first: ${logProblems.first.join(' | ')}`);

    const pick = (mode: Mode, p: Pct, rate = RATE): number[] => all.filter((m) => m.mode === mode && m.rate === rate).map((m) => m.ms[p]);
    const at = (mode: Mode, rate = RATE): Measured[] => all.filter((m) => m.mode === mode && m.rate === rate);
    const errorsOf = (mode: Mode): number => all.filter((m) => m.mode === mode).reduce((n, m) => n + m.run.non2xx + m.run.unanswered, 0);
    const nginxOk = modes.includes('nginx');
    const nginxNote = mesh.waypoint?.nginx.available ? { version: mesh.waypoint.nginx.version } : { unavailable: mesh.waypoint?.nginx.available === false ? mesh.waypoint.nginx.reason : 'not started' };
    const common = {
      rateRps: RATE, connections: CONNECTIONS, bodyBytes: 1024, protocol: 'HTTP/1.1 keep-alive, GET, 1 KB response', ...plan,
      method: 'open loop (B1\'s load generator): request k due at start + k/rate on connection k mod N; latency from the intended send time (queueing included); unanswered requests count as infinitely late; non-2xx responses counted (runs[].non2xx)',
      aggregate: 'median over repetitions of each percentile; diff = median(waypoint) - median(ambit-vip)',
      topology: mesh.topology, setup: mesh.setup, nginx: nginxNote,
      loadAverage: { ...loadAverage, note: '1, 5 and 15 min load averages of the machine (os.loadavg) when the measurements began and ended: anything above the case\'s own processes colours the figures' },
      waypointState: {
        requestsByCode: { latencyPhase: statsDelta(statsAtStart, statsAfterLatency), maxRatePhase: statsDelta(statsAfterLatency, statsAtEnd) },
        hboneAtEnd: statsAtEnd.hbone, upstreamsAtEnd: statsAtEnd.upstreams, rssTimeline, logProblems,
      },
    };

    const results: BenchResult[] = [];
    const wpErrors = errorsOf('waypoint');
    for (const p of PCTS) {
      const waypoint = median(pick('waypoint', p));
      const l4 = median(pick('ambit-vip', p));
      const diffs = pick('waypoint', p).map((w, i) => w - pick('ambit-vip', p)[i]!);
      results.push({
        id: ID, case: CASE, metric: `${p} latency, ${CONNECTIONS} conns @ ${RATE} rps (waypoint hop vs L4)`, unit: 'ms',
        ambit: round(waypoint, 3), baseline: round(l4, 3), baselineName: 'Ambit L4 (VIP)',
        goal: p === 'p90' ? `diff <= +${GOAL.p90Ms} ms` : '', met: p === 'p90' ? waypoint - l4 <= GOAL.p90Ms && wpErrors === 0 : true,
        raw: {
          ...(p === 'p90' ? common : {}),
          waypoint: spread(pick('waypoint', p)), ambitVip: spread(pick('ambit-vip', p)), direct: spread(pick('direct', p)),
          nginx: nginxOk ? spread(pick('nginx', p)) : nginxNote, diffPerRepetition: spread(diffs), waypointErrors: wpErrors,
          ...(p === 'p99' ? { runs: runsOf(all.filter((m) => m.rate === RATE)) } : {}),
        },
      });
    }
    if (nginxOk) {
      for (const p of ['p90', 'p99'] as const) {
        results.push({
          id: ID, case: CASE, metric: `nginx hop ${p}, ${CONNECTIONS} conns @ ${RATE} rps (vs direct)`, unit: 'ms',
          ambit: round(median(pick('nginx', p)), 3), baseline: round(median(pick('direct', p)), 3), baselineName: 'direct', goal: '', met: true,
          raw: { note: 'for reference: the "Ambit" column holds the nginx hop here (plain HTTP, no mesh)', nginx: spread(pick('nginx', p)), direct: spread(pick('direct', p)) },
        });
      }
    }

    // CPU and memory at 1000 rps, from the same windows.
    const per1000 = (mode: Mode, proc: string): number[] => at(mode).map((m) => (m.processes[proc]?.vcpu ?? Number.NaN) * (RATE / m.run.achievedRps));
    const rss = (mode: Mode, proc: string): number[] => at(mode).map((m) => m.processes[proc]?.rssMaxMiB ?? Number.NaN);
    const wpCpu = per1000('waypoint', 'waypoint');
    const ngCpu = nginxOk ? per1000('nginx', 'nginx') : [];
    results.push({
      id: ID, case: CASE, metric: `waypoint CPU per 1000 rps, ${CONNECTIONS} conns`, unit: 'vCPU',
      ambit: round(median(wpCpu), 4), ...(nginxOk ? { baseline: round(median(ngCpu), 4), baselineName: 'nginx' } : {}),
      goal: `<= ${GOAL.vcpu}`, met: median(wpCpu) <= GOAL.vcpu,
      raw: {
        method: 'vCPU = (utime+stime) delta of the waypoint\'s pid (/proc/<pid>/stat) over the measured window (warm-up excluded) / wall seconds, x 1000/achieved rps',
        waypoint: spread(wpCpu, 4), nginx: nginxOk ? spread(ngCpu, 4) : nginxNote,
        daemonsWithWaypoint: { 'node-1': spread(per1000('waypoint', 'daemon-node-1'), 4), 'node-2': spread(per1000('waypoint', 'daemon-node-2'), 4) },
        daemonsL4: { 'node-1': spread(per1000('ambit-vip', 'daemon-node-1'), 4), 'node-2': spread(per1000('ambit-vip', 'daemon-node-2'), 4) },
        loadGenerator: spread(per1000('waypoint', 'load'), 4),
      },
    });
    const wpRss = rss('waypoint', 'waypoint');
    const ngRss = nginxOk ? rss('nginx', 'nginx') : [];
    results.push({
      id: ID, case: CASE, metric: `waypoint RSS at ${RATE} rps (peak)`, unit: 'MB',
      ambit: round(median(wpRss), 1), ...(nginxOk ? { baseline: round(median(ngRss), 1), baselineName: 'nginx' } : {}), goal: '', met: true,
      raw: {
        waypoint: spread(wpRss, 1), nginx: nginxOk ? spread(ngRss, 1) : nginxNote,
        rssMedianMiB: spread(at('waypoint').map((m) => m.processes.waypoint?.rssMedianMiB ?? Number.NaN), 1),
        idleRssMiB: (mesh.setup.idleRssMiB as Record<string, number>).waypoint, rssTimeline,
      },
    });

    // The highest sustained rates.
    const searchRaw = (mode: Mode): Record<string, unknown> => {
      const s = searches.get(mode);
      if (!s) return { unavailable: true };
      return {
        max: s.max,
        atMax: s.best ? { ms: s.best.ms ? rounded(s.best.ms) : undefined, achievedRps: round(s.best.achievedRps ?? Number.NaN, 1), processes: s.best.processes } : undefined,
        probes: s.probes.map((p) => ({ rate: p.rate, ok: p.ok, why: p.why, ...(p.ms ? { ms: rounded(p.ms) } : {}), ...(p.achievedRps !== undefined ? { achievedRps: round(p.achievedRps, 1) } : {}), ...(p.processes ? { processes: p.processes } : {}) })),
      };
    };
    const wpMax = searches.get('waypoint')?.max ?? Number.NaN;
    const ngMax = searches.get('nginx')?.max ?? Number.NaN;
    const criterion = `stepped open loop, ${CONNECTIONS} connections: from ${maxPlan.start} rps, x${maxPlan.factor} per step until one fails, then ${maxPlan.bisections} bisections (${RATE_GRAIN} rps grain); a step (${maxPlan.warmupMs / 1000} s warm-up, ${maxPlan.measureMs / 1000} s measured) passes with p99 <= ${STEP_P99_LIMIT_MS} ms, >= ${STEP_MIN_ACHIEVED * 100} % of the rate achieved, every request answered with a 2xx and no broken connection; a failed step is tried once more and fails only twice in a row`;
    results.push({
      id: ID, case: CASE, metric: `max sustained rate, ${CONNECTIONS} conns (waypoint vs nginx hop)`, unit: '1/s',
      ambit: wpMax, ...(nginxOk ? { baseline: ngMax, baselineName: 'nginx' } : {}),
      goal: nginxOk ? `>= ${GOAL.maxRateRatio.toFixed(2)}x nginx (>= ${round(GOAL.maxRateRatio * ngMax)} 1/s)` : `>= ${GOAL.maxRateRatio.toFixed(2)}x nginx (nginx unavailable)`,
      met: nginxOk && wpMax >= GOAL.maxRateRatio * ngMax,
      raw: {
        criterion, ratio: round(wpMax / ngMax, 3),
        note: 'every path shares the machine\'s CPUs with its load generator, server and (mesh paths) both daemons; processes[] at the highest passing step show which one ran out',
        waypoint: searchRaw('waypoint'), nginx: nginxOk ? searchRaw('nginx') : nginxNote,
      },
    });
    if (searches.has('ambit-vip') && searches.has('direct')) {
      results.push({
        id: ID, case: CASE, metric: `max sustained rate, ${CONNECTIONS} conns (Ambit L4 via VIP vs direct; context)`, unit: '1/s',
        ambit: searches.get('ambit-vip')!.max, baseline: searches.get('direct')!.max, baselineName: 'direct', goal: '', met: true,
        raw: { criterion, ambitVip: searchRaw('ambit-vip'), direct: searchRaw('direct') },
      });
    }

    // The picture: every rate of the sweep plus the 1000 rps measurement.
    const rates = [...new Set([...sweep.rates, RATE])].sort((a, b) => a - b);
    const series: LatencySeries[] = SERIES.filter((s) => modes.includes(s.mode)).map(({ mode, name, color }) => ({
      name, color,
      points: rates.map((rate) => ({ rate, p50: median(pick(mode, 'p50', rate)), p90: median(pick(mode, 'p90', rate)), p99: median(pick(mode, 'p99', rate)) })),
    }));
    const chart: LatencyChart = {
      title: 'Waypoint hop: latency vs request rate',
      subtitle: `HTTP/1.1, 1 KB responses, ${CONNECTIONS} connections, open loop; ${mesh.topology} topology; median of ${plan.repetitions} x ${plan.measureMs / 1000} s at ${RATE} rps, ${sweep.repetitions} x ${sweep.measureMs / 1000} s elsewhere`,
      series,
    };
    rates.forEach((rate, i) => {
      results.push({
        id: ID, case: CASE, metric: `p99 latency, ${CONNECTIONS} conns @ ${rate} rps (waypoint vs L4; waypoint-latency.svg)`, unit: 'ms',
        ambit: round(median(pick('waypoint', 'p99', rate)), 3), baseline: round(median(pick('ambit-vip', 'p99', rate)), 3), baselineName: 'Ambit L4 (VIP)', goal: '', met: true,
        raw: {
          ...(i === 0 ? { latencyVsRate: chart, latencyChartName: 'waypoint-latency', sweep: { connections: CONNECTIONS, ...sweep, rate1000: 'the 1000 rps points are the measurement above' } } : {}),
          ...Object.fromEntries(modes.map((mode) => [mode, Object.fromEntries(PCTS.map((p) => [p, spread(pick(mode, p, rate))]))])),
          ...(rate !== RATE ? { runs: runsOf(all.filter((m) => m.rate === rate)) } : {}),
        },
      });
    });
    return results;
  } finally {
    await mesh.close();
  }
}
