// Runs one case in its own node process (dist/bench/case-child.js) and collects its
// results over IPC. A crash, a thrown error or a timeout becomes a failure result.
import { fork } from 'node:child_process';
import path from 'node:path';
import type { ChildMessage } from '../case-child.js';
import type { BenchCase } from '../cases/registry.js';
import type { BenchResult } from '../result.js';
import { failureResult } from './failure-result.js';

export interface IsolatedOptions {
  quick: boolean;
  childScript: string;   // absolute path of dist/bench/case-child.js
  timeoutMs: number;
  /** Directory for V8 CPU profiles (node --cpu-prof), or undefined. */
  cpuProfDir: string | undefined;
}

const STDERR_TAIL = 4000;

export function runIsolated(c: BenchCase, opts: IsolatedOptions): Promise<BenchResult[]> {
  const execArgv = ['--expose-gc', '--max-old-space-size=8192'];
  if (opts.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.cpuProfDir)}`, `--cpu-prof-name=${c.key}-${Date.now()}.cpuprofile`);
  const child = fork(opts.childScript, [c.key, ...(opts.quick ? ['--quick'] : [])], {
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced', // keeps NaN and Infinity in results
  });
  let tail = '';
  const forward = (chunk: Buffer): void => {
    process.stderr.write(chunk); // the runner's stdout carries only the table
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);

  return new Promise((resolve) => {
    let message: ChildMessage | undefined;
    let timedOut = false;
    const started = Date.now();
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('message', (m: ChildMessage) => { message = m; });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve([failureResult(c.id, c.name, `cannot start the case process: ${err.message}`)]);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      if (message?.ok) return resolve(message.results);
      const error = message && !message.ok ? message.error
        : timedOut ? `timed out after ${opts.timeoutMs / 1000} s`
          : `case process exited (code ${code ?? 'none'}, signal ${signal ?? 'none'}) without results`;
      resolve([failureResult(c.id, c.name, error, { exitCode: code, signal, seconds, outputTail: tail })]);
    });
  });
}
