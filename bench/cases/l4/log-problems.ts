// Warnings and errors in the pino logs of the processes a netns mesh runs (daemons,
// controller, waypoint), for the case's log and its raw figures. A waypoint at info
// writes one access-log line per request, so its log can be large: files are read in
// chunks, never whole.
import { closeSync, openSync, readSync } from 'node:fs';

const PINO_LEVELS: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };
const CHUNK_BYTES = 4 * 2 ** 20;

export interface LogProblems { count: number; first: string[] }

/** Warnings and errors in a pino log: how many, and the first few distinct messages. */
export function logProblems(text: string, max = 5): LogProblems {
  let count = 0;
  const first: string[] = [];
  for (const line of text.split('\n')) {
    const m = /"level":(\d+)/.exec(line);
    const level = m ? PINO_LEVELS[Number(m[1])] : undefined;
    if (!level) continue;
    count++;
    const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line.slice(0, 200);
    const err = /"err":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? /"err":\{[^}]*"message":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
    const text = `${level}: ${msg}${err ? ` (${err})` : ''}`;
    if (first.length < max && !first.includes(text)) first.push(text);
  }
  return { count, first };
}

/** logProblems of a file, read 4 MiB at a time. */
export function logProblemsOfFile(file: string, max = 5): LogProblems {
  const out: LogProblems = { count: 0, first: [] };
  const take = (text: string): void => {
    const p = logProblems(text, max);
    out.count += p.count;
    for (const f of p.first) if (out.first.length < max && !out.first.includes(f)) out.first.push(f);
  };
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK_BYTES);
    let rest = '';
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + buf.toString('utf8', 0, n);
      const cut = text.lastIndexOf('\n');
      take(text.slice(0, cut + 1));
      rest = text.slice(cut + 1);
    }
    take(rest);
  } finally {
    closeSync(fd);
  }
  return out;
}
