// One node daemon per node, DaemonSet style: started in the node's network namespace
// (keeping the host's mounts, for bpffs and cgroups), restarted with a growing backoff
// when it exits unexpectedly, stopped with SIGTERM (the daemon then detaches its eBPF
// programs) before anything else on `down`. Readiness is the daemon's own
// GET /healthz/ready on its admin socket.
import { mkdirSync, rmSync } from 'node:fs';
import type { Logger } from '../../api/log.js';
import type { DaemonInfo } from './runtime-api.js';
import { DAEMON_CONTAINER, SYSTEM_NAMESPACE, containerKey, daemonAdminSocket, nodeStateDir } from './state.js';
import type { ProcessRecord, ProcessStatus, Supervisor } from './supervisor.js';
import { nodeNetns } from './topology-plan.js';
import { unixRequest } from './unix-http.js';

/** A daemon that ran at least this long before exiting starts a new backoff series. */
export const STABLE_RUN_MS = 60_000;
export const MAX_RESTART_DELAY_MS = 10_000;

/**
 * Delay before restart number `failures` (1, 2, …) of a series: the first at once (a
 * daemon that stopped after a long run — an upgrade, a SIGTERM — is back as fast as
 * possible: its pods' traffic is unproxied meanwhile), then 0.5 s, 1 s, 2 s, … up to 10 s.
 */
export function restartDelayMs(failures: number): number {
  if (failures <= 1) return 0;
  return Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** (failures - 2));
}

/** The failure count after an exit: a run of STABLE_RUN_MS or more resets the series. */
export function nextFailureCount(previous: number, ranMs: number): number {
  return ranMs >= STABLE_RUN_MS ? 1 : previous + 1;
}

export interface DaemonSetOptions {
  supervisor: Supervisor;
  stateDir: string;
  cluster: string;
  nodes: readonly string[];
  /** The daemon's command line on `node`. */
  argv: (node: string) => string[];
  env: Readonly<Record<string, string>>;
  log: Logger;
}

interface NodeDaemon {
  restarts: number;
  failures: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
  lastExit?: string;
  pid: number | null;
}

export function daemonKey(node: string): string {
  return containerKey(SYSTEM_NAMESPACE, node, DAEMON_CONTAINER);
}

export class DaemonSet {
  private readonly daemons = new Map<string, NodeDaemon>();
  private stopping = false;

  constructor(private readonly opts: DaemonSetOptions) {}

  startAll(): void {
    for (const node of this.opts.nodes) {
      this.daemons.set(node, { restarts: 0, failures: 0, startedAt: 0, pid: null });
      this.startOne(node);
    }
  }

  private startOne(node: string): void {
    const d = this.daemons.get(node);
    if (!d || this.stopping) return;
    d.timer = undefined;
    mkdirSync(nodeStateDir(this.opts.stateDir, node), { recursive: true, mode: 0o700 });
    rmSync(daemonAdminSocket(this.opts.stateDir, node), { force: true }); // a stale socket of a crashed run
    d.startedAt = Date.now();
    try {
      const record = this.opts.supervisor.start({
        namespace: SYSTEM_NAMESPACE, pod: node, container: DAEMON_CONTAINER, netns: nodeNetns(this.opts.cluster, node),
        keepMounts: true, argv: this.opts.argv(node), env: this.opts.env,
      });
      d.pid = record.pid;
      this.opts.log.info({ node, pid: record.pid }, 'node daemon started');
    } catch (err) {
      d.lastExit = `could not start: ${(err as Error).message}`;
      this.opts.log.error({ node, err: (err as Error).message }, 'node daemon could not be started');
      this.scheduleRestart(node, d);
    }
  }

  /** The supervisor's exit callback for daemon processes. */
  onExit(record: ProcessRecord, status: ProcessStatus): void {
    const d = this.daemons.get(record.pod);
    if (!d) return;
    d.pid = null;
    d.lastExit = status.text;
    if (this.stopping) return;
    this.scheduleRestart(record.pod, d);
  }

  private scheduleRestart(node: string, d: NodeDaemon): void {
    if (this.stopping) return;
    d.failures = nextFailureCount(d.failures, Date.now() - d.startedAt);
    const delay = restartDelayMs(d.failures);
    d.restarts++;
    this.opts.log.warn({ node, lastExit: d.lastExit, restarts: d.restarts, delayMs: delay }, `node daemon on ${node} exited (${d.lastExit ?? 'unknown'}); restarting in ${delay} ms`);
    d.timer = setTimeout(() => this.startOne(node), delay);
  }

  /** Whether the daemon answers 200 on /healthz/ready. */
  async ready(node: string): Promise<boolean> {
    try {
      const res = await unixRequest(daemonAdminSocket(this.opts.stateDir, node), '/healthz/ready', { timeoutMs: 2_000 });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async info(node: string): Promise<DaemonInfo> {
    const d = this.daemons.get(node);
    const ready = d?.pid != null && (await this.ready(node));
    let status: string;
    if (!d || this.stopping) status = 'Stopped';
    else if (d.timer) status = 'Restarting';
    else if (ready) status = 'Ready';
    else status = d.restarts === 0 && Date.now() - d.startedAt < 30_000 ? 'Starting' : 'NotReady';
    return { status, ready, pid: d?.pid ?? null, restarts: d?.restarts ?? 0, ...(d?.lastExit ? { lastExit: d.lastExit } : {}) };
  }

  /** SIGTERM every daemon (SIGKILL after graceMs); no more restarts. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const d of this.daemons.values()) if (d.timer) clearTimeout(d.timer);
    await Promise.all(this.opts.nodes.map((node) => this.opts.supervisor.stop(daemonKey(node), graceMs)));
  }
}
