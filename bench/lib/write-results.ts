// Writes a run's report to bench/results/latest.json and bench/results/<start time>.json
// (ISO 8601 with ':' and '.' replaced by '-', so the name is valid on every file system).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchResult } from '../result.js';
import type { MachineInfo } from './machine.js';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: MachineInfo;
  results: BenchResult[];
}

/** Returns the paths written. */
export function writeResults(dir: string, report: BenchReport): string[] {
  mkdirSync(dir, { recursive: true });
  // NaN (a failed case's figure) becomes null in JSON.
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const files = [path.join(dir, 'latest.json'), path.join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`)];
  for (const f of files) writeFileSync(f, text);
  return files;
}
