// Pod processes of the local runtime: each container runs as a real process inside its
// pod's network namespace (`ip netns exec <netns> argv…`, which also bind-mounts
// /etc/netns/<netns>/{hosts,resolv.conf} over /etc). The process leads its own process
// group (its own session), writes stdout and stderr to a log file in the state dir, and
// is recorded there (pid, kernel start time, then exit status) so that:
//   - `get pods` can say Running / Error(exit code …) / Completed, also from another
//     CLI invocation (readProcessRecords + processStatus);
//   - `down` stops every process group (SIGTERM, then SIGKILL after a grace period),
//     also after the supervisor itself crashed, and sweeps whatever is left inside
//     the recorded namespaces (`ip netns pids`).
// A pid is only signalled while its kernel start time matches the record (no pid reuse).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { AmbitError } from '../../api/errors.js';
import type { IpRunner } from './ip.js';
import { SYSTEM_PATH, ipPath, netnsPids } from './ip.js';
import { PROCESSES_DIR, containerKey, logFile, processFile, readJson, readJsonDir, writeJsonAtomic } from './state.js';

/** What to run for one container (launch.ts builds it from a Pod). */
export interface LaunchSpec {
  namespace: string;
  pod: string;
  container: string;
  netns: string;
  argv: readonly string[];
  /** The whole environment of the process (nothing is inherited from the CLI). */
  env: Readonly<Record<string, string>>;
  workingDir?: string;
  /**
   * Enter only the network namespace (`nsenter --net=/run/netns/<netns>`), keeping the
   * host's mounts: for node daemons, which need bpffs and cgroups that `ip netns exec`
   * hides by remounting /sys. Such a process does not get /etc/netns/<netns>/ files.
   */
  keepMounts?: boolean;
}

export interface ProcessExit {
  code: number | null;
  signal: string | null;
  finishedAt: string;
  /** Stopped by the runtime (down, delete), not a crash. */
  stopped: boolean;
  /** Why the process could not be started, when it could not. */
  error?: string;
}

export interface ProcessRecord {
  key: string;
  namespace: string;
  pod: string;
  container: string;
  netns: string;
  argv: string[];
  log: string;
  pid: number | null;
  /** Field 22 of /proc/<pid>/stat: identifies the process across pid reuse. */
  startTicks: number | null;
  startedAt: string | null;
  /** Set (before signalling) when the runtime stops the process, so its death is not reported as a crash. */
  stopRequestedAt?: string;
  exit: ProcessExit | null;
}

export type ProcessState = 'Pending' | 'Running' | 'Completed' | 'Error' | 'Terminated' | 'Unknown';

export interface ProcessStatus {
  state: ProcessState;
  exitCode?: number;
  signal?: string;
  /** For the STATUS column: Running, Completed, Error(exit code 3), Error(signal SIGKILL), Terminated, Unknown, Pending. */
  text: string;
}

interface ProcStat { state: string; pgrp: number; startTicks: number }

/** /proc/<pid>/stat of a live (non-zombie) process, or undefined. */
export function procStat(pid: number): ProcStat | undefined {
  const st = rawProcStat(pid);
  return st && st.state !== 'Z' && st.state !== 'X' ? st : undefined;
}

/** /proc/<pid>/stat, zombies included. */
function rawProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  const state = fields[0] ?? '';
  return { state, pgrp: Number(fields[2]), startTicks: Number(fields[19]) };
}

/** Whether the recorded process is still the live process it was. */
export function isRecordAlive(r: Pick<ProcessRecord, 'pid' | 'startTicks'>): boolean {
  if (r.pid === null) return false;
  const st = procStat(r.pid);
  return st !== undefined && st.startTicks === r.startTicks;
}

/** Live members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (st && st.pgrp === pgid) out.push(Number(name));
  }
  return out;
}

export function processStatus(r: ProcessRecord): ProcessStatus {
  if (r.exit) {
    if (r.exit.stopped) return { state: 'Terminated', text: 'Terminated', ...(r.exit.code !== null ? { exitCode: r.exit.code } : {}) };
    if (r.exit.code === 0) return { state: 'Completed', exitCode: 0, text: 'Completed' };
    if (r.exit.code !== null) return { state: 'Error', exitCode: r.exit.code, text: `Error(exit code ${r.exit.code})` };
    if (r.exit.signal !== null) return { state: 'Error', signal: r.exit.signal, text: `Error(signal ${r.exit.signal})` };
    return { state: 'Error', text: r.exit.error ? `Error(${r.exit.error})` : 'Error' };
  }
  if (r.pid === null) return { state: 'Pending', text: 'Pending' };
  if (isRecordAlive(r)) return { state: 'Running', text: 'Running' };
  return { state: 'Unknown', text: 'Unknown' }; // exited while no supervisor was watching
}

/** The status of a pod from its containers' records: any Error first, then Unknown, Pending, Running, Terminated; Completed when all completed. */
export function podStatus(records: readonly ProcessRecord[]): ProcessStatus {
  const statuses = records.map(processStatus);
  for (const state of ['Error', 'Unknown', 'Pending', 'Running', 'Terminated'] as const) {
    const s = statuses.find((x) => x.state === state);
    if (s) return s;
  }
  return statuses[0] ?? { state: 'Pending', text: 'Pending' };
}

export function readProcessRecords(stateDir: string): ProcessRecord[] {
  return readJsonDir(path.join(stateDir, PROCESSES_DIR)) as ProcessRecord[];
}

function readRecord(stateDir: string, key: string): ProcessRecord | undefined {
  try {
    return readJson(processFile(stateDir, key)) as ProcessRecord | undefined;
  } catch {
    return undefined;
  }
}

/** Writes a record unless the state dir is gone (a late exit after teardown must not recreate it). */
function saveRecord(stateDir: string, r: ProcessRecord, create: boolean): void {
  if (!create && !existsSync(path.join(stateDir, PROCESSES_DIR))) return;
  try {
    writeJsonAtomic(processFile(stateDir, r.key), r);
  } catch (err) {
    if (create) throw err;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The program argv[0] names, looked up like execvp does with the process's PATH. */
export function findProgram(program: string, pathVar: string): string | undefined {
  if (program.includes('/')) return isExecutable(program) ? program : undefined;
  for (const dir of pathVar.split(':')) {
    const candidate = path.join(dir || '.', program);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface SupervisorOptions {
  /** The `ip` binary (tests substitute a fake). */
  ipBinary?: string;
  /** The `nsenter` binary, for keepMounts (tests substitute a fake). */
  nsenterBinary?: string;
  /** Called once when a process exits (crash, completion or stop). */
  onExit?: (record: ProcessRecord, status: ProcessStatus) => void;
}

interface Running { child: ChildProcess; record: ProcessRecord; exited: Promise<void>; stopping: boolean }

export class Supervisor {
  readonly stateDir: string;
  readonly #ipBinary: string;
  readonly #nsenterBinary: string;
  readonly #onExit: SupervisorOptions['onExit'];
  readonly #running = new Map<string, Running>();

  constructor(stateDir: string, opts: SupervisorOptions = {}) {
    this.stateDir = stateDir;
    this.#ipBinary = opts.ipBinary ?? ipPath();
    this.#nsenterBinary = opts.nsenterBinary ?? (existsSync('/usr/bin/nsenter') ? '/usr/bin/nsenter' : 'nsenter');
    this.#onExit = opts.onExit;
  }

  /** Starts one container's process; throws AMBIT_ERR_LOCAL_RUNTIME when it cannot be started. */
  start(spec: LaunchSpec): ProcessRecord {
    const key = containerKey(spec.namespace, spec.pod, spec.container);
    const who = `pod ${spec.namespace}/${spec.pod} container "${spec.container}"`;
    if (this.#running.has(key)) throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `${who} is already running`);
    const program = spec.argv[0];
    if (program === undefined || program === '') throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `${who}: empty command`);
    const pathVar = spec.env.PATH ?? SYSTEM_PATH;
    if (!findProgram(program, pathVar)) {
      throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `${who}: command "${program}" is not installed on this host (PATH=${pathVar}); pods run host programs`);
    }
    if (spec.keepMounts && (spec.netns.includes('/') || spec.netns.startsWith('.'))) throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `${who}: invalid netns "${spec.netns}"`);
    const cwd = spec.workingDir ?? '/';
    if (!existsSync(cwd)) throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `${who}: workingDir "${cwd}" does not exist on this host`);

    const log = logFile(this.stateDir, spec.namespace, spec.pod, spec.container);
    const record: ProcessRecord = {
      key, namespace: spec.namespace, pod: spec.pod, container: spec.container, netns: spec.netns,
      argv: [...spec.argv], log, pid: null, startTicks: null, startedAt: null, exit: null,
    };
    saveRecord(this.stateDir, record, true); // recorded before it exists: down sweeps its netns even if we die now
    mkdirSync(path.dirname(log), { recursive: true });
    const fd = openSync(log, 'a', 0o600);
    let child: ChildProcess;
    try {
      const [file, args] = spec.keepMounts
        ? [this.#nsenterBinary, [`--net=/run/netns/${spec.netns}`, '--', ...spec.argv]]
        : [this.#ipBinary, ['netns', 'exec', spec.netns, ...spec.argv]];
      child = spawn(file, args, {
        detached: true, // own session and process group: signalled as a group, survives our crash
        stdio: ['ignore', fd, fd],
        env: { ...spec.env },
        cwd,
      });
    } finally {
      closeSync(fd);
    }
    const running: Running = { child, record, stopping: false, exited: Promise.resolve() };
    running.exited = new Promise<void>((resolve) => {
      const finish = (exit: ProcessExit): void => {
        if (record.exit) return;
        // A stop requested by another invocation (down) is recorded on disk, not in our memory.
        const requested = readRecord(this.stateDir, key)?.stopRequestedAt;
        if (requested) record.stopRequestedAt = requested;
        record.exit = { ...exit, stopped: exit.stopped || requested !== undefined };
        this.#running.delete(key);
        saveRecord(this.stateDir, record, false);
        this.#onExit?.(record, processStatus(record));
        resolve();
      };
      child.once('error', (err) => finish({ code: null, signal: null, finishedAt: new Date().toISOString(), stopped: running.stopping, error: err.message }));
      child.once('exit', (code, signal) => finish({ code, signal, finishedAt: new Date().toISOString(), stopped: running.stopping }));
    });
    if (child.pid !== undefined) {
      record.pid = child.pid;
      record.startTicks = rawProcStat(child.pid)?.startTicks ?? null; // our child: a zombie at worst, never reused yet
      record.startedAt = new Date().toISOString();
      saveRecord(this.stateDir, record, false);
    }
    child.unref(); // the CLI may exit and leave the pod running; `down` finds it in the state dir
    this.#running.set(key, running);
    return record;
  }

  /** Records of the processes this supervisor started and that still run. */
  running(): ProcessRecord[] {
    return [...this.#running.values()].map((r) => r.record);
  }

  /** Resolves when the process exits (at once when it is not running). */
  async waitExit(key: string): Promise<ProcessRecord | undefined> {
    const r = this.#running.get(key);
    if (!r) return undefined;
    await r.exited;
    return r.record;
  }

  /** Stops one process group: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(key: string, graceMs = 5_000): Promise<void> {
    const r = this.#running.get(key);
    if (!r || r.record.pid === null) return;
    r.stopping = true;
    r.record.stopRequestedAt = new Date().toISOString();
    saveRecord(this.stateDir, r.record, false);
    await stopGroups([r.record.pid], graceMs);
    await Promise.race([r.exited, delay(1_000)]);
  }

  async stopAll(graceMs = 5_000): Promise<void> {
    await Promise.all([...this.#running.keys()].map((k) => this.stop(k, graceMs)));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // already gone (ESRCH)
  }
}

/** SIGTERM every group, wait up to graceMs for them to go, then SIGKILL what is left. Resolves with the pids seen. */
async function stopGroups(pgids: readonly number[], graceMs: number, extraPids: () => Promise<number[]> = () => Promise.resolve([])): Promise<number[]> {
  const seen = new Set<number>();
  const live = async (): Promise<number[]> => {
    const pids = [...pgids.flatMap(groupMembers), ...(await extraPids())];
    for (const p of pids) seen.add(p);
    return [...new Set(pids)];
  };
  let pids = await live();
  for (const g of pgids) signal(-g, 'SIGTERM');
  for (const p of pids) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.length > 0 && Date.now() < deadline) {
    await delay(50);
    pids = await live();
  }
  for (let round = 0; pids.length > 0 && round < 20; round++) {
    for (const g of pgids) signal(-g, 'SIGKILL');
    for (const p of pids) signal(p, 'SIGKILL');
    await delay(50);
    pids = await live();
  }
  if (pids.length > 0) throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `processes ${pids.join(', ')} survived SIGKILL`);
  return [...seen].sort((a, b) => a - b);
}

export interface StopRecordedOptions {
  ip: IpRunner;
  graceMs?: number;
  /** Network namespaces to sweep: every process inside them is stopped too. */
  netns?: readonly string[];
  /** Only the records of these namespaces (default: all). */
  only?: ReadonlySet<string>;
}

/**
 * Stops every recorded process (also after the supervisor crashed) and every process
 * left inside the given namespaces; marks their records stopped. Resolves with the pids stopped.
 */
export async function stopRecordedProcesses(stateDir: string, opts: StopRecordedOptions): Promise<number[]> {
  const records = readProcessRecords(stateDir).filter((r) => !opts.only || opts.only.has(r.netns));
  const groups: number[] = [];
  for (const r of records) {
    if (r.exit) continue;
    r.stopRequestedAt = new Date().toISOString();
    saveRecord(stateDir, r, false);
    if (r.pid === null) continue;
    const leader = procStat(r.pid);
    // A live leader must be the very process we started; a dead leader's group can only still
    // exist (and its id stay unused by new processes) while our orphans are in it.
    if (leader ? leader.startTicks === r.startTicks : groupMembers(r.pid).length > 0) groups.push(r.pid);
  }
  const sweep = [...new Set([...(opts.netns ?? []), ...records.map((r) => r.netns)])];
  const inNetns = async (): Promise<number[]> => (await Promise.all(sweep.map((n) => netnsPids(opts.ip, n)))).flat().filter((p) => p !== process.pid);
  const stopped = await stopGroups(groups, opts.graceMs ?? 5_000, inNetns);
  for (const r of records) {
    const current = readRecord(stateDir, r.key) ?? r;
    if (current.exit) continue; // reported by a live supervisor meanwhile
    current.exit = { code: null, signal: null, finishedAt: new Date().toISOString(), stopped: true };
    saveRecord(stateDir, current, false);
  }
  return stopped;
}

/** Removes the records and logs of the given namespaces' processes (after a pod was deleted). */
export function forgetProcesses(stateDir: string, netns: ReadonlySet<string>): void {
  for (const r of readProcessRecords(stateDir)) {
    if (!netns.has(r.netns)) continue;
    rmSync(processFile(stateDir, r.key), { force: true });
    rmSync(logFile(stateDir, r.namespace, r.pod, r.container), { force: true });
  }
}
