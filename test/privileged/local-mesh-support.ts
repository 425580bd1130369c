// Helpers for test/privileged/local-mesh.test.ts: drive the real `ambit local` CLI as
// child processes (one cluster per test file, named and rooted through AMBIT_CLUSTER and
// AMBIT_STATE_ROOT), parse what it prints (pods, access-log lines, metrics), and look at
// the kernel side (tcx links held by a daemon, iptables/nft rules, leftovers).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PATH, ipPath } from '../../cli/local/ip.js';
import { ETC_NETNS_DIR, teardown } from '../../cli/local/topology.js';
import { clusterPrefix } from '../../cli/local/topology-plan.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (this file runs from dist/test/privileged). */
export const REPO = path.resolve(here, '..', '..', '..');
export const CLI = path.join(REPO, 'dist', 'cli', 'main.js');
export const FIXTURES = path.join(REPO, 'test', 'privileged', 'fixtures');

export interface Run { code: number; stdout: string; stderr: string; ms: number }

export function describeRun(r: Run): string {
  return `exit ${r.code} after ${r.ms} ms\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

/** Runs a program (no shell) with a bounded time; never rejects. */
export function run(file: string, args: readonly string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(file, [...args], {
      timeout: opts.timeoutMs ?? 15_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024,
      env: opts.env ?? { PATH: SYSTEM_PATH, LC_ALL: 'C' },
    }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
      const code = e ? (typeof e.code === 'number' ? e.code : e.killed ? -9 : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (e?.killed ? `\n(killed after ${opts.timeoutMs ?? 15_000} ms)` : ''), ms: Date.now() - started });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

export const ip = (args: readonly string[]): Promise<Run> => run(ipPath(), args);

/** `ambit local …` against one test cluster. */
export class Ambit {
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly cluster: string, readonly stateRoot: string) {
    this.env = { PATH: SYSTEM_PATH, LC_ALL: 'C', HOME: process.env.HOME ?? '/root', AMBIT_CLUSTER: cluster, AMBIT_STATE_ROOT: stateRoot };
  }

  get stateDir(): string {
    return path.join(this.stateRoot, this.cluster);
  }

  local(args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<Run> {
    return run(process.execPath, [CLI, 'local', ...args], { ...opts, env: this.env });
  }

  /** `ambit local exec POD -n NS -- argv…`. */
  exec(pod: Pod, argv: readonly string[], timeoutMs = 15_000): Promise<Run> {
    return this.local(['exec', pod.name, '-n', pod.namespace, '--', ...argv], { timeoutMs });
  }

  /** Starts `ambit local exec` without waiting (a traffic loop); `lines()` counts the output lines so far. */
  spawnExec(pod: Pod, argv: readonly string[], timeoutMs: number): { done: Promise<Run>; lines: () => number } {
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    const done = new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'local', 'exec', pod.name, '-n', pod.namespace, '--', ...argv], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const timer = setTimeout(() => { child.kill('SIGKILL'); stderr += `\n(killed after ${timeoutMs} ms)`; }, timeoutMs);
      child.once('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -9, stdout, stderr, ms: Date.now() - started }); });
    });
    return { done, lines: () => stdout.split('\n').length - 1 };
  }

  async pods(): Promise<Pod[]> {
    const r = await this.local(['get', 'pods', '-A', '-o', 'json']);
    if (r.code !== 0) throw new Error(`ambit local get pods -A -o json: ${describeRun(r)}`);
    return parsePods(r.stdout);
  }

  /** The daemon's JSON log lines of node `node` (`ambit local logs node/NAME`). */
  async nodeLog(node: string): Promise<LogLine[]> {
    const r = await this.local(['logs', `node/${node}`], { timeoutMs: 20_000 });
    if (r.code !== 0) throw new Error(`ambit local logs node/${node}: ${describeRun(r)}`);
    return parseLogLines(r.stdout);
  }

  async metrics(node: string): Promise<string> {
    const r = await this.local(['metrics', node]);
    if (r.code !== 0) throw new Error(`ambit local metrics ${node}: ${describeRun(r)}`);
    return r.stdout;
  }
}

// ---------------------------------------------------------------- pods

export interface Pod {
  name: string;
  namespace: string;
  node: string;
  ip: string;
  /** The Deployment that made it, if any. */
  deployment?: string;
  /** Running, Error(…), … (the STATUS column). */
  status?: string;
  /** The MESH column: yes / no. */
  mesh?: string;
  netns?: string;
  containers: { name: string; status?: string; pid?: number | null }[];
}

interface PodRow {
  name?: string; namespace?: string; node?: string; ip?: string; status?: string; mesh?: string; deployment?: string; netns?: string;
  containers?: { name: string; status?: string; pid?: number | null }[];
}

/** `get pods -o json`: an array of rows (namespace, name, node, ip, status, mesh, deployment, netns, containers). */
export function parsePods(text: string): Pod[] {
  const value = JSON.parse(text) as PodRow[] | { items?: PodRow[] };
  const rows = Array.isArray(value) ? value : value.items ?? [];
  return rows.map((p) => ({
    name: p.name ?? '', namespace: p.namespace ?? 'default', node: p.node ?? '', ip: p.ip ?? '',
    deployment: p.deployment, status: p.status, mesh: p.mesh, netns: p.netns, containers: p.containers ?? [],
  }));
}

export function spiffeId(namespace: string, sa: string): string {
  return `spiffe://cluster.local/ns/${namespace}/sa/${sa}`;
}

// ---------------------------------------------------------------- logs and metrics

/** One daemon log line (pino JSON); access-log lines have msg "connection complete". */
export interface LogLine {
  msg?: string;
  level?: number;
  time?: number;
  direction?: 'inbound' | 'outbound';
  'src.addr'?: string;
  'src.workload'?: string;
  'src.namespace'?: string;
  'src.identity'?: string;
  'dst.addr'?: string;
  'dst.hbone_addr'?: string;
  'dst.service'?: string;
  'dst.workload'?: string;
  'dst.namespace'?: string;
  'dst.identity'?: string;
  bytes_sent?: number;
  bytes_recv?: number;
  error?: string;
  [key: string]: unknown;
}

export function parseLogLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s.startsWith('{')) continue;
    try {
      out.push(JSON.parse(s) as LogLine);
    } catch {
      // a partial line at the end, or not JSON
    }
  }
  return out;
}

export const accessLines = (lines: readonly LogLine[]): LogLine[] => lines.filter((l) => l.msg === 'connection complete');

/** Sum of a Prometheus counter over the series whose labels include all of `labels`. */
export function metricSum(text: string, name: string, labels: Readonly<Record<string, string>>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const have = new Map<string, string>();
    for (const pair of (m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) have.set(pair[1]!, pair[2]!);
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[2]);
  }
  return sum;
}

// ---------------------------------------------------------------- curl

export interface Curl { code: number; http: string; localPort: number; body: string; stderr: string; ms: number }

const MARK = '\n@@ambit-test@@';

/** curl from inside a pod (through `ambit local exec`), reporting exit code, status and the local port (to find the access-log line). */
export async function curl(ambit: Ambit, from: Pod, url: string, opts: { maxTime?: number; body?: boolean } = {}): Promise<Curl> {
  const r = await ambit.exec(from, ['curl', '-sS', '-m', String(opts.maxTime ?? 5), '-o', opts.body ? '-' : '/dev/null', '-w', `${MARK}%{http_code} %{local_port}`, url], 20_000);
  const at = r.stdout.lastIndexOf(MARK);
  const [http = '', port = '0'] = at >= 0 ? r.stdout.slice(at + MARK.length).trim().split(' ') : [];
  return { code: r.code, http, localPort: Number(port), body: at >= 0 ? r.stdout.slice(0, at) : r.stdout, stderr: r.stderr.trim(), ms: r.ms };
}

export function describeCurl(c: Curl): string {
  return `exit ${c.code}, HTTP ${c.http || '-'}, port ${c.localPort}, ${c.ms} ms${c.stderr ? `: ${c.stderr}` : ''}`;
}

// ---------------------------------------------------------------- waiting

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a value (not undefined), for at most `timeoutMs`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------- processes

interface ProcStat { state: string; startTicks: number }

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** A process identity that survives pid reuse. */
export interface ProcRef { pid: number; startTicks: number; what: string }

export function procRef(pid: number, what: string): ProcRef | undefined {
  const st = procStat(pid);
  return st && st.state !== 'Z' ? { pid, startTicks: st.startTicks, what } : undefined;
}

export function isAlive(p: ProcRef): boolean {
  const st = procStat(p.pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X' && st.startTicks === p.startTicks;
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function environ(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
}

export function allPids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Processes (other than this one) whose command line or environment names `needle`. */
export function processesMentioning(needles: readonly string[]): ProcRef[] {
  const out: ProcRef[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    const text = `${cmdline(pid)}\n${environ(pid)}`;
    if (!needles.some((n) => text.includes(n))) continue;
    const ref = procRef(pid, cmdline(pid));
    if (ref) out.push(ref);
  }
  return out;
}

/** Live processes inside netns `netns` (by inode of /run/netns/<netns>). */
export function processesInNetns(netns: string): ProcRef[] {
  let ino: string;
  try {
    ino = String(statSync(`/run/netns/${netns}`, { bigint: true }).ino);
  } catch {
    return [];
  }
  const out: ProcRef[] = [];
  for (const pid of allPids()) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) !== `net:[${ino}]`) continue;
    } catch {
      continue;
    }
    const ref = procRef(pid, cmdline(pid));
    if (ref) out.push(ref);
  }
  return out;
}

// ---------------------------------------------------------------- BPF

/** A tcx (or other) BPF link held open by a process, from /proc/PID/fdinfo. */
export interface HeldLink { pid: number; fd: number; linkType: string; linkId: number; progId: number; ifindex?: number; attachType?: string }

export function heldBpfLinks(pid: number): HeldLink[] {
  const out: HeldLink[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:bpf_link') continue;
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      const field = (k: string): string | undefined => new RegExp(`^${k}:\\s*(.+)$`, 'm').exec(info)?.[1]?.trim();
      out.push({
        pid, fd: Number(fd), linkType: field('link_type') ?? '?', linkId: Number(field('link_id') ?? -1), progId: Number(field('prog_id') ?? -1),
        ifindex: field('ifindex') !== undefined ? Number(field('ifindex')) : undefined, attachType: field('attach_type'),
      });
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

export interface BpfProg { id: number; type: string; name?: string }

export async function bpfProgs(): Promise<BpfProg[]> {
  const r = await run('bpftool', ['-j', 'prog', 'show']);
  if (r.code !== 0) throw new Error(`bpftool prog show: ${describeRun(r)}`);
  return JSON.parse(r.stdout) as BpfProg[];
}

export interface BpfLink { id: number; type: string | number; prog_id?: number; ifindex?: number }

/** `bpftool -j link show`, run inside a namespace when given (links are global objects; bpftool 7.1 prints tcx as type 11). */
export async function bpfLinks(netns?: string): Promise<BpfLink[]> {
  const r = netns ? await run('nsenter', [`--net=/run/netns/${netns}`, 'bpftool', '-j', 'link', 'show']) : await run('bpftool', ['-j', 'link', 'show']);
  if (r.code !== 0) throw new Error(`bpftool link show: ${describeRun(r)}`);
  return JSON.parse(r.stdout || '[]') as BpfLink[];
}

export interface LinkInfo { ifindex: number; ifname: string }

export async function linksIn(netns: string): Promise<LinkInfo[]> {
  const r = await ip(['-n', netns, '-j', 'link', 'show']);
  if (r.code !== 0) throw new Error(`ip -n ${netns} link show: ${describeRun(r)}`);
  return JSON.parse(r.stdout) as LinkInfo[];
}


// ---------------------------------------------------------------- cleanup

/** Last resort when `down` and teardown() failed: only names with this run's unique cluster prefix. */
export async function sweepCluster(cluster: string, stateRoot: string, log: (line: string) => void): Promise<void> {
  const prefix = clusterPrefix(cluster);
  const names = (await ip(['netns', 'list'])).stdout.split('\n').map((l) => l.split(/\s+/)[0] ?? '').filter((n) => n.startsWith(prefix));
  const procs = [...names.flatMap((n) => processesInNetns(n)), ...(stateRoot ? processesMentioning([stateRoot]) : [])];
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
      log(`sweep: killed ${p.pid} ${p.what}`);
    } catch {
      // gone
    }
  }
  for (const n of names) {
    await ip(['netns', 'del', n]);
    log(`sweep: deleted netns ${n}`);
  }
  for (const n of existsSync(ETC_NETNS_DIR) ? readdirSync(ETC_NETNS_DIR) : []) {
    if (n.startsWith(prefix)) rmSync(path.join(ETC_NETNS_DIR, n), { recursive: true, force: true });
  }
}

/** After a suite: `down` (when it brought a cluster up), teardown() from the state dir, a sweep, then the state root goes. */
export async function cleanUpCluster(ambit: Ambit, opts: { down: boolean; log: (line: string) => void }): Promise<void> {
  if (opts.down) {
    const r = await ambit.local(['down'], { timeoutMs: 90_000 });
    if (r.code !== 0) opts.log(`cleanup: ambit local down failed: ${describeRun(r)}`);
  }
  if (existsSync(ambit.stateDir)) {
    try {
      await teardown(ambit.stateDir, { graceMs: 1_000 });
    } catch (err) {
      opts.log(`cleanup: teardown: ${(err as Error).message}`);
    }
  }
  await sweepCluster(ambit.cluster, ambit.stateRoot, opts.log);
  rmSync(ambit.stateRoot, { recursive: true, force: true });
}
