// CPU and memory of other processes from /proc (Linux): utime+stime deltas from
// /proc/<pid>/stat over a window (vCPU = CPU seconds / wall seconds) and VmRSS samples
// from /proc/<pid>/status taken while the window is open. Threads are included.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { median } from './stats.js';

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. */
export const CLK_TCK = clockTicks();

/** utime + stime of `pid` in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces and parentheses): state is field 3.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc/${pid}/stat`);
  return (utime + stime) / CLK_TCK;
}

/** VmRSS of `pid` in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

export interface ProcWindow {
  pid: number;
  /** CPU seconds (user + system) used during the window. */
  cpuSeconds: number;
  /** cpuSeconds / wall seconds. */
  vcpu: number;
  /** VmRSS while the window was open, MiB. */
  rssMaxMiB: number;
  rssMedianMiB: number;
  rssSamples: number;
}

export interface WindowResult {
  wallSeconds: number;
  byName: Record<string, ProcWindow>;
}

/**
 * Opens a measurement window over named processes: CPU at start and stop, RSS every
 * `rssIntervalMs` in between. A process that has gone away reports NaN.
 */
export function openWindow(pids: Record<string, number>, rssIntervalMs = 250): { close(): WindowResult } {
  const names = Object.keys(pids);
  const safe = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch {
      return fallback;
    }
  };
  const started = performance.now();
  const cpu0 = new Map(names.map((n) => [n, safe(() => cpuSeconds(pids[n]!), Number.NaN)]));
  const rss = new Map<string, number[]>(names.map((n) => [n, []]));
  const sampleRss = (): void => {
    for (const n of names) {
      const v = safe(() => rssBytes(pids[n]!), Number.NaN);
      if (Number.isFinite(v)) rss.get(n)!.push(v / 2 ** 20);
    }
  };
  sampleRss();
  const timer = setInterval(sampleRss, rssIntervalMs);
  return {
    close() {
      clearInterval(timer);
      sampleRss();
      const wallSeconds = (performance.now() - started) / 1000;
      const byName: Record<string, ProcWindow> = {};
      for (const n of names) {
        const used = safe(() => cpuSeconds(pids[n]!), Number.NaN) - cpu0.get(n)!;
        const samples = rss.get(n)!;
        byName[n] = {
          pid: pids[n]!,
          cpuSeconds: used,
          vcpu: used / wallSeconds,
          rssMaxMiB: samples.length > 0 ? Math.max(...samples) : Number.NaN,
          rssMedianMiB: median(samples),
          rssSamples: samples.length,
        };
      }
      return { wallSeconds, byName };
    },
  };
}
