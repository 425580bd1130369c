// B4, new TCP connections per second: CONCURRENCY client loops each connect, send
// "ping", read "pong" and the server's close, close, and start over. Through the mesh
// every connection is captured by daemon node-1 and becomes a new CONNECT stream on
// the pooled HBONE connection to daemon node-2, which opens a new connection to the
// server pod. Compared with direct and the haproxy mTLS pair (which opens one TLS
// connection per client connection), same run, modes interleaved. Median over
// repetitions; the pool is checked to have used one HBONE connection.
import type { BenchResult } from '../result.js';
import { median, round } from '../lib/stats.js';
import { caseLog, processFigures, rounded, spread, rotated } from './l4/figures.js';
import { startL4Mesh, type Mode } from './l4/mesh.js';
import type { ConnRateRun } from './l4/messages.js';

const ID = 'B4';
const CASE = 'L4 connection rate';
const GOAL_RATIO = 0.5;
const CONCURRENCY = 8;
const PLAN = {
  full: { repetitions: 3, warmupMs: 2000, measureMs: 10_000 },
  quick: { repetitions: 1, warmupMs: 1000, measureMs: 3000 },
};
const log = caseLog(ID);

interface Round {
  mode: Mode;
  repetition: number;
  run: ConnRateRun;
  processes: ReturnType<typeof processFigures>;
}

export async function runL4ConnRateBench(opts: { quick: boolean }): Promise<BenchResult[]> {
  const plan = PLAN[opts.quick ? 'quick' : 'full'];
  const mesh = await startL4Mesh({ haproxy: true, log });
  try {
    const rounds: Round[] = [];
    const profiles: string[] = [];
    for (let rep = 0; rep < plan.repetitions; rep++) {
      for (const mode of rotated(mesh.modes, rep)) {
        const go = async (): Promise<Omit<Round, 'mode' | 'repetition'>> => {
          const window = mesh.window(mode);
          const run = await mesh.load(mode).call('connRate', { target: mesh.target(mode, 'echo'), concurrency: CONCURRENCY, warmupMs: plan.warmupMs, durationMs: plan.measureMs }, plan.warmupMs + plan.measureMs + 60_000);
          // The window includes the warm-up: for CPU per connection see raw (cpu / connections is not exact).
          return { run, processes: processFigures(window.close()) };
        };
        const { value, files } = rep === 0 && mode === 'ambit' ? await mesh.profileDaemons('B4', go) : { value: await go(), files: [] };
        profiles.push(...files);
        rounds.push({ mode, repetition: rep, ...value });
        log(`${mode}, rep ${rep + 1}: ${round(value.run.perSecond)} conn/s (${value.run.errors} errors${value.run.firstError ? `, first: ${value.run.firstError}` : ''})`);
      }
    }
    const stats = await mesh.daemonStats();
    const rates = (mode: Mode): number[] => rounds.filter((r) => r.mode === mode).map((r) => r.run.perSecond);
    const haproxyNote = mesh.haproxy.available ? { version: mesh.haproxy.version } : { unavailable: mesh.haproxy.reason };
    const ambit = median(rates('ambit'));
    const direct = median(rates('direct'));
    const errors = rounds.reduce((n, r) => n + r.run.errors, 0);
    const results: BenchResult[] = [{
      id: ID, case: CASE, metric: `new connections/s (connect, 5 B each way, close; ${CONCURRENCY} concurrent)`, unit: '1/s',
      ambit: round(ambit), baseline: round(direct), baselineName: 'direct',
      goal: `>= ${GOAL_RATIO.toFixed(2)}x direct (>= ${round(GOAL_RATIO * direct)} 1/s)`, met: ambit >= GOAL_RATIO * direct && errors === 0,
      raw: {
        concurrency: CONCURRENCY, ...plan, errors,
        ambit: spread(rates('ambit'), 1), direct: spread(rates('direct'), 1),
        haproxy: mesh.haproxy.available ? spread(rates('haproxy'), 1) : haproxyNote,
        ratioVsDirect: round(ambit / direct, 3),
        hboneAfter: stats,
        note: 'the server closes first (TIME_WAIT on the server side); cpu windows in rounds include the warm-up',
        rounds: rounds.map((r) => ({ mode: r.mode, rep: r.repetition, perSecond: round(r.run.perSecond, 1), connections: r.run.connections, errors: r.run.errors, firstError: r.run.firstError, latencyMs: rounded(r.run.latencyMs), processes: r.processes })),
        setup: mesh.setup, daemonProfiles: profiles,
      },
    }];
    if (mesh.haproxy.available) {
      const haproxy = median(rates('haproxy'));
      results.push({
        id: ID, case: CASE, metric: 'new connections/s vs the haproxy mTLS pair', unit: '1/s',
        ambit: round(ambit), baseline: round(haproxy), baselineName: 'haproxy pair', goal: '', met: true,
        raw: { ratio: round(ambit / haproxy, 3), haproxy: spread(rates('haproxy'), 1), note: 'haproxy A opens one TLS connection (with session resumption) to B per client connection' },
      });
    }
    return results;
  } finally {
    await mesh.close();
  }
}
