// The state dir of one local cluster: what exists so that `down` can remove it after
// any crash. Layout (default root /run/ambit, one directory per cluster):
//
//   <stateDir>/topology.json            namespaces, links and /etc/netns dirs, each
//                                       recorded before it is created
//   <stateDir>/processes/<ns>_<pod>_<container>.json   one pod process: argv, pid,
//                                       start time, exit status
//   <stateDir>/logs/<ns>_<pod>_<container>.log          its stdout and stderr
//   <stateDir>/cluster.json             the cluster's name and nodes (written by `up`)
//   <stateDir>/runtime.sock             the runtime process's API (runtime-api.ts)
//   <stateDir>/controller/              the controller's state: ca/, tokens/<node>.token,
//                                       root-cert.pem
//   <stateDir>/nodes/<node>/admin.sock  the node daemon's admin endpoint
//
// The runtime and the daemons are recorded like pod processes, in the reserved
// namespace `ambit-system` (pod `runtime` / pod `<node>`).
//
// Files are replaced atomically (write to a temporary file, then rename).
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import path from 'node:path';
import { AmbitError } from '../../api/errors.js';
import type { Resource } from './topology-plan.js';

export const DEFAULT_STATE_ROOT = '/run/ambit';
export const TOPOLOGY_FILE = 'topology.json';
export const PROCESSES_DIR = 'processes';
export const LOGS_DIR = 'logs';
export const CLUSTER_FILE = 'cluster.json';
/** Where the runtime's own processes are recorded; user objects may not use it. */
export const SYSTEM_NAMESPACE = 'ambit-system';
export const RUNTIME_POD = 'runtime';
export const RUNTIME_CONTAINER = 'runtime';
export const DAEMON_CONTAINER = 'daemon';

export interface TopologyState {
  version: 1;
  cluster: string;
  resources: Resource[];
}

/** The state dir of cluster `cluster` under `root`. */
export function clusterStateDir(cluster: string, root = DEFAULT_STATE_ROOT): string {
  return path.join(root, cluster);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeFileSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `cannot read state file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function readTopologyState(stateDir: string): TopologyState | undefined {
  const value = readJson(path.join(stateDir, TOPOLOGY_FILE)) as TopologyState | undefined;
  if (value === undefined) return undefined;
  if (value.version !== 1 || !Array.isArray(value.resources)) {
    throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `state file ${path.join(stateDir, TOPOLOGY_FILE)} has an unknown format`);
  }
  return value;
}

export function writeTopologyState(stateDir: string, state: TopologyState): void {
  writeJsonAtomic(path.join(stateDir, TOPOLOGY_FILE), state);
}

/** A file-name-safe key of a pod's container (Kubernetes names never contain '_'). */
export function containerKey(namespace: string, pod: string, container: string): string {
  return `${namespace}_${pod}_${container}`;
}

export function processFile(stateDir: string, key: string): string {
  return path.join(stateDir, PROCESSES_DIR, `${key}.json`);
}

export function logFile(stateDir: string, namespace: string, pod: string, container: string): string {
  return path.join(stateDir, LOGS_DIR, `${containerKey(namespace, pod, container)}.log`);
}

/** Every JSON file of a state subdirectory, parsed (missing directory: none). */
export function readJsonDir(dir: string): unknown[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => n.endsWith('.json')).sort().map((n) => readJson(path.join(dir, n))).filter((v) => v !== undefined);
}

export function runtimeSocket(stateDir: string): string {
  return path.join(stateDir, 'runtime.sock');
}

export function controllerStateDir(stateDir: string): string {
  return path.join(stateDir, 'controller');
}

export function rootCertFile(stateDir: string): string {
  return path.join(controllerStateDir(stateDir), 'root-cert.pem');
}

export function nodeStateDir(stateDir: string, node: string): string {
  return path.join(stateDir, 'nodes', node);
}

export function daemonAdminSocket(stateDir: string, node: string): string {
  return path.join(nodeStateDir(stateDir, node), 'admin.sock');
}

/** The log file of the runtime process (the controller logs there too). */
export function runtimeLogFile(stateDir: string): string {
  return logFile(stateDir, SYSTEM_NAMESPACE, RUNTIME_POD, RUNTIME_CONTAINER);
}

export function daemonLogFile(stateDir: string, node: string): string {
  return logFile(stateDir, SYSTEM_NAMESPACE, node, DAEMON_CONTAINER);
}

export interface ClusterInfo {
  version: 1;
  cluster: string;
  nodes: string[];
  createdAt: string;
}

export function readClusterInfo(stateDir: string): ClusterInfo | undefined {
  const value = readJson(path.join(stateDir, CLUSTER_FILE)) as ClusterInfo | undefined;
  if (value === undefined) return undefined;
  if (value.version !== 1 || !Array.isArray(value.nodes)) {
    throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `state file ${path.join(stateDir, CLUSTER_FILE)} has an unknown format`);
  }
  return value;
}

export function writeClusterInfo(stateDir: string, info: ClusterInfo): void {
  writeJsonAtomic(path.join(stateDir, CLUSTER_FILE), info);
}
