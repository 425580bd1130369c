// Runs a topology plan with `ip`, and tears down exactly what was created. Every
// resource (netns, link, /etc/netns dir) is recorded in the state dir BEFORE it is
// created, so teardown works after a crash at any point; resources already gone are
// skipped. Applying the same (or a larger) plan again is a no-op for what exists, and
// rewrites the hosts files in place (running processes see the new content).
import { existsSync, mkdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AmbitError } from '../../api/errors.js';
import type { IpRunner } from './ip.js';
import { linkExists, listNetns, systemIpRunner } from './ip.js';
import { readTopologyState, writeTopologyState, type TopologyState } from './state.js';
import { forgetProcesses, stopRecordedProcesses } from './supervisor.js';
import {
  NETNS_PREFIX, clusterPrefix, deleteOps, describeOp, ipArgs, resourceKey, resourceNetns, resourceOf,
  type DeleteOp, type Resource, type TopologyOp, type TopologyPlan,
} from './topology-plan.js';

export const ETC_NETNS_DIR = '/etc/netns';

export interface TopologyRunOptions {
  ip?: IpRunner;
  /** Where `ip netns exec` looks for per-netns files (tests point it elsewhere). */
  etcNetnsDir?: string;
  /** One line per operation run. */
  log?: (line: string) => void;
}

export interface ApplyResult {
  created: Resource[];
  /** Recorded resources that already existed. */
  existing: Resource[];
}

function isOurName(cluster: string, netns: string): boolean {
  return netns.startsWith(clusterPrefix(cluster)) && !netns.includes('/') && netns !== '.' && netns !== '..';
}

function etcDir(base: string, netns: string): string {
  if (!netns.startsWith(NETNS_PREFIX) || netns.includes('/') || netns.startsWith('.')) {
    throw new AmbitError('AMBIT_ERR_LOCAL_TOPOLOGY', `refusing to touch ${base}/${netns}: not a namespace of the local runtime`);
  }
  return path.join(base, netns);
}

/** Writes files over existing ones in place (same inode), so bind mounts made by `ip netns exec` see the update. */
function writeEtcFiles(dir: string, files: Readonly<Record<string, string>>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    if (name.includes('/') || name.startsWith('.')) throw new AmbitError('AMBIT_ERR_LOCAL_TOPOLOGY', `invalid /etc/netns file name "${name}"`);
    writeFileSync(path.join(dir, name), content, { flag: 'w', mode: 0o644 });
  }
}

/** Creates what the plan describes (idempotent). Throws AMBIT_ERR_LOCAL_TOPOLOGY when a name is taken by something not recorded. */
export async function applyTopology(plan: TopologyPlan, stateDir: string, opts: TopologyRunOptions = {}): Promise<ApplyResult> {
  const ip = opts.ip ?? systemIpRunner();
  const etcBase = opts.etcNetnsDir ?? ETC_NETNS_DIR;
  const state: TopologyState = readTopologyState(stateDir) ?? { version: 1, cluster: plan.cluster, resources: [] };
  if (state.cluster !== plan.cluster) {
    throw new AmbitError('AMBIT_ERR_LOCAL_TOPOLOGY', `state dir ${stateDir} belongs to cluster "${state.cluster}", not "${plan.cluster}"`);
  }
  const recorded = new Set(state.resources.map(resourceKey));
  const netns = await listNetns(ip);
  const result: ApplyResult = { created: [], existing: [] };

  const exists = async (r: Resource): Promise<boolean> => {
    switch (r.kind) {
      case 'netns': return netns.has(r.name);
      case 'etc': return false; // always (re)written
      default: return netns.has(r.netns) && (await linkExists(ip, r.netns, r.name));
    }
  };

  for (const op of plan.ops) {
    const resource = resourceOf(op);
    if (resource) {
      const ns = resourceNetns(resource);
      if (!isOurName(plan.cluster, ns)) throw new AmbitError('AMBIT_ERR_LOCAL_TOPOLOGY', `${resourceKey(resource)} is outside cluster "${plan.cluster}"`);
      const isRecorded = recorded.has(resourceKey(resource));
      if (await exists(resource)) {
        if (!isRecorded) {
          throw new AmbitError('AMBIT_ERR_LOCAL_TOPOLOGY', `${resourceKey(resource)} already exists but was not created by this runtime (state dir ${stateDir}); remove it or choose another cluster name`);
        }
        result.existing.push(resource);
        continue;
      }
      if (!isRecorded) {
        state.resources.push(resource);
        recorded.add(resourceKey(resource));
        writeTopologyState(stateDir, state);
      }
      result.created.push(resource);
    }
    await runOp(op, ip, etcBase, opts.log);
    if (op.op === 'netns-add') netns.add(op.netns);
  }
  return result;
}

async function runOp(op: TopologyOp, ip: IpRunner, etcBase: string, log?: (line: string) => void): Promise<void> {
  log?.(describeOp(op));
  if (op.op === 'etc-write') {
    writeEtcFiles(etcDir(etcBase, op.netns), op.files);
    return;
  }
  await ip(ipArgs(op)!);
}

export interface TeardownOptions extends TopologyRunOptions {
  /** Grace period between SIGTERM and SIGKILL for pod processes (default 5 s). */
  graceMs?: number;
  /** Only these namespaces (and their links, files and processes): deleting some pods. Default: everything. */
  onlyNetns?: ReadonlySet<string>;
  /** Keep the state dir (logs) after a full teardown. */
  keepStateDir?: boolean;
}

export interface TeardownResult {
  /** What was deleted, as `describeOp` lines. */
  deleted: string[];
  /** Recorded resources that were already gone. */
  alreadyGone: string[];
  /** Pids stopped. */
  stopped: number[];
}

/**
 * Deletes exactly the resources recorded in `stateDir`, after stopping every recorded
 * process and every process left inside the recorded namespaces. Works after a crash
 * and when some resources are already gone; the state is rewritten after each deletion
 * so an interrupted teardown can be resumed. A full teardown removes the state dir.
 */
export async function teardown(stateDir: string, opts: TeardownOptions = {}): Promise<TeardownResult> {
  const ip = opts.ip ?? systemIpRunner();
  const etcBase = opts.etcNetnsDir ?? ETC_NETNS_DIR;
  const state = readTopologyState(stateDir);
  const only = opts.onlyNetns;
  // A veth belongs to both namespaces it joins: deleting either netns destroys it.
  const selected = (r: Resource): boolean => !only || only.has(resourceNetns(r)) || (r.kind === 'veth' && only.has(r.peerNetns));
  const resources = (state?.resources ?? []).filter(selected);
  const namespaces = resources.filter((r) => r.kind === 'netns').map((r) => resourceNetns(r));
  const result: TeardownResult = { deleted: [], alreadyGone: [], stopped: [] };

  result.stopped = await stopRecordedProcesses(stateDir, { ip, graceMs: opts.graceMs, netns: namespaces, only: opts.onlyNetns });

  const errors: string[] = [];
  const existing = await listNetns(ip);
  const forget = (r: Resource): void => {
    if (!state) return;
    state.resources = state.resources.filter((x) => resourceKey(x) !== resourceKey(r));
    writeTopologyState(stateDir, state);
  };
  const reversed = [...resources].reverse();
  const ops = deleteOps(resources);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const resource = reversed[i]!;
    try {
      const done = await runDelete(op, ip, etcBase, existing, state?.cluster ?? '');
      (done ? result.deleted : result.alreadyGone).push(describeOp(op));
      opts.log?.(`${done ? '' : '(already gone) '}${describeOp(op)}`);
      forget(resource);
    } catch (err) {
      errors.push(`${describeOp(op)}: ${(err as Error).message}`);
    }
  }
  if (errors.length > 0) {
    throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `teardown of ${stateDir} incomplete (run it again):\n  ${errors.join('\n  ')}`);
  }
  if (opts.onlyNetns) {
    forgetProcesses(stateDir, opts.onlyNetns);
  } else if (!opts.keepStateDir) {
    rmSync(stateDir, { recursive: true, force: true });
  }
  if (resources.some((r) => r.kind === 'etc')) {
    try {
      rmdirSync(etcBase); // only when empty: /etc/netns did not exist before the runtime wrote to it, usually
    } catch {
      // not empty (someone else's namespaces) or already gone
    }
  }
  return result;
}

/** Runs one delete; resolves false when the resource was already gone. */
async function runDelete(op: DeleteOp, ip: IpRunner, etcBase: string, existing: Set<string>, cluster: string): Promise<boolean> {
  if (!isOurName(cluster, op.netns)) {
    throw new AmbitError('AMBIT_ERR_LOCAL_TOPOLOGY', `refusing to delete ${op.netns}: not a namespace of cluster "${cluster}"`);
  }
  switch (op.op) {
    case 'etc-remove': {
      const dir = etcDir(etcBase, op.netns);
      if (!existsSync(dir)) return false;
      rmSync(dir, { recursive: true, force: true });
      return true;
    }
    case 'netns-del':
      if (!existing.has(op.netns)) return false;
      await ip(['netns', 'del', op.netns]);
      existing.delete(op.netns);
      return true;
    case 'link-del':
      if (existing.has(op.netns) && (await linkExists(ip, op.netns, op.name))) {
        await ip(['-n', op.netns, 'link', 'del', op.name]);
        return true;
      }
      // Our end is gone; the peer can outlive it only if its own netns is ours and still there.
      if (op.peerNetns && op.peerName && isOurName(cluster, op.peerNetns) && existing.has(op.peerNetns) && (await linkExists(ip, op.peerNetns, op.peerName))) {
        await ip(['-n', op.peerNetns, 'link', 'del', op.peerName]);
        return true;
      }
      return false;
  }
}
