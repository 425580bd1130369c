// Helper process of local-topology.test.ts: a supervisor that the test kills with
// SIGKILL, to prove that `teardown(stateDir)` stops pod processes whose supervisor
// crashed. Usage: node local-supervisor-child.js <specs.json> <stateDir>
// Prints one JSON line {"pids":[…]} once every process is started, then idles.
import { readFileSync } from 'node:fs';
import { Supervisor, type LaunchSpec } from '../../cli/local/supervisor.js';

const [specsFile, stateDir] = process.argv.slice(2);
if (!specsFile || !stateDir) {
  process.stderr.write('usage: local-supervisor-child.js <specs.json> <stateDir>\n');
  process.exit(2);
}
const specs = JSON.parse(readFileSync(specsFile, 'utf8')) as LaunchSpec[];
const supervisor = new Supervisor(stateDir);
const pids = specs.map((s) => supervisor.start(s).pid);
process.stdout.write(`${JSON.stringify({ pids })}\n`);
setInterval(() => undefined, 60_000);
