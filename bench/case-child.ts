// Child-process entry of one bench case: `node --expose-gc dist/bench/case-child.js <key> [--quick]`.
// Runs the case alone in a fresh process (so its CPU and heap figures are its own) and
// hands the results, or the error, to the runner over the IPC channel.
import { CASES } from './cases/registry.js';
import type { BenchResult } from './result.js';

export type ChildMessage = { ok: true; results: BenchResult[] } | { ok: false; error: string };

function reply(message: ChildMessage): void {
  if (!process.send) {
    process.stdout.write(`${JSON.stringify(message, null, 2)}\n`); // run by hand, without a runner
    process.exit(message.ok ? 0 : 1);
  }
  // Exit once the message is out: a case may leave handles (sockets, timers) behind.
  process.send(message, undefined, {}, () => process.exit(message.ok ? 0 : 1));
}

async function main(): Promise<void> {
  const [key, ...flags] = process.argv.slice(2);
  const entry = CASES.find((c) => c.key === key);
  if (!entry) throw new Error(`unknown case key ${JSON.stringify(key)}`);
  const run = await entry.load();
  const results = await run({ quick: flags.includes('--quick') });
  reply({ ok: true, results });
}

main().catch((err: unknown) => {
  reply({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
});
