// B2, daemon CPU and memory: each node daemon, alone in its own process, carries
// 1000 HTTP/1.1 requests/s (1 KB responses, open loop) over 16 keep-alive connections
// from the client pod to the server pod. vCPU = utime+stime delta (/proc/<pid>/stat)
// over the steady-state window (warm-up excluded) / wall time, scaled to 1000 rps;
// RSS = VmRSS (/proc/<pid>/status) sampled every 250 ms in that window, the peak
// reported. Baseline: the haproxy mTLS pair's A (client side) and B (server side)
// processes under the same load; the direct run gives the load generator's and the
// server's own cost. Median over repetitions.
import type { BenchResult } from '../result.js';
import { median, round } from '../lib/stats.js';
import { caseLog, processFigures, spread, rotated } from './l4/figures.js';
import { startL4Mesh, warmHttp, type L4Mesh, type Mode } from './l4/mesh.js';
import { CLIENT, SERVER } from './l4/objects.js';

const ID = 'B2';
const CASE = 'L4 daemon CPU and memory';
const RATE = 1000;
const CONNECTIONS = 16;
const GOAL = { vcpu: 0.06, rssMiB: 48 };
const PLAN = {
  full: { repetitions: 3, meshWarmupMs: 5000, warmupMs: 5000, measureMs: 20_000 },
  quick: { repetitions: 1, meshWarmupMs: 2000, warmupMs: 2000, measureMs: 6000 },
};
const log = caseLog(ID);

interface Sample {
  mode: Mode;
  repetition: number;
  achievedRps: number;
  p99Ms: number;
  processes: ReturnType<typeof processFigures>;
  wallSeconds: number;
}

async function measure(mesh: L4Mesh, mode: Mode, repetition: number, plan: typeof PLAN.full, profile: boolean): Promise<{ s: Sample; profiles: string[] }> {
  const load = mesh.load(mode);
  await load.call('httpOpen', { target: mesh.target(mode, 'http'), connections: CONNECTIONS });
  try {
    await load.call('httpRun', { rate: RATE, durationMs: plan.warmupMs }, plan.warmupMs + 30_000);
    const timed = async (): Promise<Sample> => {
      const window = mesh.window(mode);
      const run = await load.call('httpRun', { rate: RATE, durationMs: plan.measureMs }, plan.measureMs + 30_000);
      const w = window.close();
      return { mode, repetition, achievedRps: run.achievedRps, p99Ms: run.serviceMs.p99, processes: processFigures(w), wallSeconds: w.wallSeconds };
    };
    const { value: s, files } = profile ? await mesh.profileDaemons('B2', timed) : { value: await timed(), files: [] };
    log(`${mode}, rep ${repetition + 1}: ${Object.entries(s.processes).map(([n, p]) => `${n} ${p.vcpu} vCPU ${p.rssMaxMiB} MiB`).join(', ')}`);
    return { s, profiles: files };
  } finally {
    await load.call('httpClose', undefined);
  }
}

export async function runL4CpuBench(opts: { quick: boolean }): Promise<BenchResult[]> {
  const plan = PLAN[opts.quick ? 'quick' : 'full'];
  const mesh = await startL4Mesh({ haproxy: true, httpBodyBytes: 1024, log });
  try {
    await warmHttp(mesh, plan.meshWarmupMs);
    const samples: Sample[] = [];
    const profiles: string[] = [];
    for (let rep = 0; rep < plan.repetitions; rep++) {
      for (const mode of rotated(mesh.modes, rep)) {
        const { s, profiles: files } = await measure(mesh, mode, rep, plan, rep === 0 && mode === 'ambit');
        samples.push(s);
        profiles.push(...files);
      }
    }
    // Per 1000 rps: scaled by the rate actually achieved in that window.
    const per1000 = (mode: Mode, proc: string): number[] => samples.filter((s) => s.mode === mode).map((s) => (s.processes[proc]?.vcpu ?? Number.NaN) * (RATE / s.achievedRps));
    const rss = (mode: Mode, proc: string): number[] => samples.filter((s) => s.mode === mode).map((s) => s.processes[proc]?.rssMaxMiB ?? Number.NaN);
    const haproxyNote = mesh.haproxy.available ? { version: mesh.haproxy.version } : { unavailable: mesh.haproxy.reason };
    const common = {
      rateRps: RATE, connections: CONNECTIONS, bodyBytes: 1024, ...plan,
      method: 'vCPU = (utime+stime) delta from /proc/<pid>/stat over the measured window (warm-up excluded) / wall seconds, x 1000/achieved rps; RSS = VmRSS peak of 250 ms samples in the window (MB = MiB)',
      setup: mesh.setup, haproxy: haproxyNote, daemonProfiles: profiles,
      samples: samples.map((s) => ({ ...s, achievedRps: round(s.achievedRps, 1), p99Ms: round(s.p99Ms, 3) })),
    };
    const results: BenchResult[] = [];
    const sides = [
      { node: CLIENT.node, role: 'client side', haproxy: 'haproxy-a' },
      { node: SERVER.node, role: 'server side', haproxy: 'haproxy-b' },
    ];
    for (const side of sides) {
      const proc = `daemon-${side.node}`;
      const cpu = per1000('ambit', proc);
      const hCpu = mesh.haproxy.available ? per1000('haproxy', side.haproxy) : [];
      results.push({
        id: ID, case: CASE, metric: `daemon ${side.node} (${side.role}) CPU per 1000 rps, ${CONNECTIONS} conns`, unit: 'vCPU',
        ambit: round(median(cpu), 4), ...(hCpu.length > 0 ? { baseline: round(median(hCpu), 4), baselineName: `${side.haproxy}` } : {}),
        goal: `<= ${GOAL.vcpu}`, met: median(cpu) <= GOAL.vcpu,
        raw: { ...(side === sides[0] ? common : {}), ambit: spread(cpu, 4), haproxy: hCpu.length > 0 ? spread(hCpu, 4) : haproxyNote },
      });
    }
    for (const side of sides) {
      const proc = `daemon-${side.node}`;
      const mem = rss('ambit', proc);
      const hMem = mesh.haproxy.available ? rss('haproxy', side.haproxy) : [];
      results.push({
        id: ID, case: CASE, metric: `daemon ${side.node} (${side.role}) RSS at 1000 rps (peak)`, unit: 'MB',
        ambit: round(median(mem), 1), ...(hMem.length > 0 ? { baseline: round(median(hMem), 1), baselineName: `${side.haproxy}` } : {}),
        goal: `<= ${GOAL.rssMiB}`, met: median(mem) <= GOAL.rssMiB,
        raw: {
          ambit: spread(mem, 1), haproxy: hMem.length > 0 ? spread(hMem, 1) : haproxyNote,
          rssMedianMiB: spread(samples.filter((s) => s.mode === 'ambit').map((s) => s.processes[proc]?.rssMedianMiB ?? Number.NaN), 1),
          idleRssMiB: (mesh.setup.idleRssMiB as Record<string, number>)[proc],
        },
      });
    }
    for (const mode of mesh.modes) {
      const cpu = per1000(mode, 'load');
      results.push({
        id: ID, case: CASE, metric: `load generator CPU per 1000 rps (${mode})`, unit: 'vCPU',
        ambit: round(median(cpu), 4), goal: '', met: true,
        raw: { load: spread(cpu, 4), serverPod: spread(per1000(mode, 'pods'), 4), note: 'the load generator and the server pod run in their own processes; reported apart' },
      });
    }
    return results;
  } finally {
    await mesh.close();
  }
}
