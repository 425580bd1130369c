// Child-process entry: removes the temp dirs it was given when it is stopped, and also
// when its parent goes away without stopping it (a case killed on timeout), so a temp
// dir made by the case process itself never outlives the case.
import { rmSync } from 'node:fs';
import { serveRpc } from './ipc-rpc.js';

export type JanitorApi = {
  adopt: { params: { dir: string }; result: void };
};

const dirs = new Set<string>();

serveRpc<JanitorApi>({
  adopt({ dir }) {
    dirs.add(dir);
  },
}, () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
