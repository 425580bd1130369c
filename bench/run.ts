// `make bench`: runs every case (each in its own node process), prints one table, and
// writes bench/results/latest.json and bench/results/<start time>.json (and the latency
// pictures: latency.svg when B1 ran, waypoint-latency.svg when B6 ran, each also as
// <start time>-<name>.svg). Unmet goals are
// reported, not failed: the exit code is non-zero only when the runner itself breaks.
//   node dist/bench/run.js [--quick] [--only B7,B8] [--cpu-prof]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectCases } from './cases/registry.js';
import { parseArgs } from './lib/args.js';
import { machineInfo } from './lib/machine.js';
import { runIsolated } from './lib/run-isolated.js';
import { formatTable } from './lib/table.js';
import { writeLatencySvg } from './lib/write-latency-svg.js';
import { writeResults } from './lib/write-results.js';
import type { BenchResult } from './result.js';

const here = path.dirname(fileURLToPath(import.meta.url));                     // dist/bench
const repoRoot = path.resolve(here, '../..');
const RESULTS_DIR = path.join(repoRoot, 'bench', 'results');
const CASE_TIMEOUT_MS = { quick: 5 * 60_000, full: 30 * 60_000 };

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cases = selectCases(args.only);
  const startedAt = new Date();
  const results: BenchResult[] = [];
  for (const c of cases) {
    process.stderr.write(`bench: ${c.id} ${c.name}${args.quick ? ' (quick)' : ''}...\n`);
    const began = Date.now();
    const got = await runIsolated(c, {
      quick: args.quick,
      childScript: path.join(here, 'case-child.js'),
      timeoutMs: args.quick ? CASE_TIMEOUT_MS.quick : CASE_TIMEOUT_MS.full,
      cpuProfDir: args.cpuProf ? path.join(RESULTS_DIR, 'profiles') : undefined,
    });
    process.stderr.write(`bench: ${c.id} done in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
    results.push(...got);
  }
  const finishedAt = new Date();
  const files = writeResults(RESULTS_DIR, {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    quick: args.quick,
    machine: machineInfo(),
    results,
  });
  files.push(...writeLatencySvg(RESULTS_DIR, startedAt.toISOString(), results));
  process.stdout.write(`\n${formatTable(results)}\n\n`);
  const unmet = results.filter((r) => r.goal !== '' && !r.met).length;
  process.stdout.write(`${results.length} figures, ${unmet} goal(s) not met; written to ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench runner failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
