// Child-process entry: removes what it was given when it is stopped, and also when its
// parent goes away without stopping it (a case killed on timeout, or by a signal), so
// nothing made by the case process outlives the case: temp dirs, and local network
// topologies (cli/local/topology.ts teardown: every process left in the recorded
// namespaces is stopped, then the links and namespaces are deleted). Fork it with
// `detached: true`, so a Ctrl-C of the terminal does not kill it with the case.
import { rmSync } from 'node:fs';
import { teardown } from '../../cli/local/topology.js';
import { serveRpc } from './ipc-rpc.js';

export type JanitorApi = {
  adopt: { params: { dir: string }; result: void };
  /** A topology state dir (cli/local/topology.ts): torn down before the dirs are removed. */
  adoptTopology: { params: { stateDir: string }; result: void };
};

const dirs = new Set<string>();
const topologies = new Set<string>();

serveRpc<JanitorApi>({
  adopt({ dir }) {
    dirs.add(dir);
  },
  adoptTopology({ stateDir }) {
    topologies.add(stateDir);
  },
}, async () => {
  const failed: string[] = [];
  for (const stateDir of topologies) {
    try {
      await teardown(stateDir, { graceMs: 3000 });
    } catch (err) {
      failed.push(stateDir);
      process.stderr.write(`janitor: teardown of ${stateDir} failed (run it again: the state is kept): ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  // A dir holding the state of a failed teardown stays, so the teardown can be re-run.
  for (const dir of dirs) {
    if (!failed.some((f) => f === dir || f.startsWith(`${dir}/`))) rmSync(dir, { recursive: true, force: true });
  }
});
