// `ambit local apply|delete|label|get|exec|logs|proxy-config|metrics`: the CLI side of a
// running local cluster. Changes and `get` go through the runtime's API socket; `exec`
// runs the command itself in the pod's netns; `logs` reads the state dir; proxy-config
// and metrics ask the node daemon's admin socket.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { AmbitError } from '../../api/errors.js';
import { listConfigFiles, parseYamlDocuments, type LoadResult } from '../../controller/config/load-yaml.js';
import type { ConfigSection, LogTarget, PodTarget } from '../local/args.js';
import { CONFIG_SECTIONS } from '../local/args.js';
import { configSection, formatGet, formatOperation } from '../local/format.js';
import { SYSTEM_PATH, ipPath } from '../local/ip.js';
import { RuntimeClient, type GetKind, type LabelRequest, type OperationResult, type PodInfo } from '../local/runtime-api.js';
import { LOGS_DIR, clusterStateDir, daemonAdminSocket, daemonLogFile, readClusterInfo, runtimeLogFile, runtimeSocket } from '../local/state.js';
import { errorOf, unixRequest } from '../local/unix-http.js';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface ClusterRef {
  cluster: string;
  stateRoot: string;
}

function stateDirOf(c: ClusterRef): string {
  return clusterStateDir(c.cluster, c.stateRoot);
}

function clientOf(c: ClusterRef): RuntimeClient {
  return new RuntimeClient(runtimeSocket(stateDirOf(c)), c.cluster);
}

function noCluster(c: ClusterRef): AmbitError {
  return new AmbitError('AMBIT_ERR_LOCAL_NO_CLUSTER', `no local cluster "${c.cluster}" (nothing under ${stateDirOf(c)}); start one with \`ambit local up\``);
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

/**
 * Reads -f arguments (files, directories, `-` for stdin) as kubectl does: a directory's
 * own YAML/JSON files, not its subdirectories. A path that cannot be read fails the whole command.
 */
export async function loadInputs(paths: readonly string[]): Promise<LoadResult> {
  const result: LoadResult = { objects: [], findings: [] };
  for (const p of paths) {
    let parsed: LoadResult[];
    if (p === '-') {
      parsed = [parseYamlDocuments(await readStdin(), '<stdin>')];
    } else {
      let files: string[];
      try {
        files = await listConfigFiles([p], { recursive: false });
      } catch (err) {
        throw new AmbitError('AMBIT_ERR_CONFIG', `cannot read ${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
      }
      parsed = files.map((f) => parseYamlDocuments(readFileSync(f, 'utf8'), f));
    }
    for (const r of parsed) {
      result.objects.push(...r.objects);
      result.findings.push(...r.findings);
    }
  }
  return result;
}

/** Prints an operation's result; returns the exit code. */
export function printOperation(result: OperationResult, io: Output): number {
  const f = formatOperation(result);
  if (f.stdout) io.out(f.stdout.trimEnd());
  if (f.stderr) io.err(f.stderr.trimEnd());
  return f.code;
}

export async function applyOrDeleteCommand(verb: 'apply' | 'delete', o: ClusterRef & { files: string[]; timeoutMs: number }, io: Output): Promise<number> {
  const inputs = await loadInputs(o.files);
  const client = clientOf(o);
  const req = { objects: inputs.objects, timeoutMs: o.timeoutMs };
  const result = verb === 'apply' ? await client.apply(req) : await client.delete(req);
  return printOperation({ ...result, findings: [...inputs.findings, ...result.findings] }, io);
}

export async function labelCommand(o: ClusterRef & Omit<LabelRequest, 'timeoutMs'> & { timeoutMs: number }, io: Output): Promise<number> {
  const result = await clientOf(o).label({ kind: o.kind, namespace: o.namespace, name: o.name, edit: o.edit, timeoutMs: o.timeoutMs });
  return printOperation(result, io);
}

export async function getCommand(o: ClusterRef & { what: GetKind; namespace: string | undefined; output: 'table' | 'json' }, io: Output): Promise<number> {
  const rows = await clientOf(o).get(o.what);
  const f = formatGet(o.what, rows, o.namespace, o.output);
  if (f.stdout) io.out(f.stdout.trimEnd());
  if (f.stderr) io.err(f.stderr.trimEnd());
  return 0;
}

/** The pod a target names: a pod by name, or a running (preferably ready) pod of the Deployment. */
export function pickPod(pods: readonly PodInfo[], target: PodTarget, namespace: string): PodInfo | undefined {
  if ('pod' in target) return pods.find((p) => p.namespace === namespace && p.name === target.pod);
  const candidates = pods.filter((p) => p.namespace === namespace && p.deployment === target.deployment);
  const rank = (p: PodInfo): number => (p.ready ? 0 : p.status === 'Running' ? 1 : 2);
  return [...candidates].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))[0];
}

async function resolvePod(o: ClusterRef, target: PodTarget, namespace: string): Promise<PodInfo> {
  const pods = await clientOf(o).get<PodInfo>('pods');
  const pod = pickPod(pods, target, namespace);
  if (!pod) {
    const what = 'pod' in target ? `pod ${target.pod}` : `pod of deployment ${target.deployment}`;
    throw new AmbitError('AMBIT_ERR_CONFIG', `no ${what} in namespace ${namespace}`);
  }
  return pod;
}

/** Runs argv in the pod's network namespace (with its hosts file), passing stdio and the exit code through. */
export async function execCommand(o: ClusterRef & { target: PodTarget; namespace: string; argv: string[] }): Promise<number> {
  const pod = await resolvePod(o, o.target, o.namespace);
  const env: Record<string, string> = { PATH: SYSTEM_PATH, HOME: '/root', HOSTNAME: pod.name };
  if (process.env.TERM) env.TERM = process.env.TERM;
  const child = spawn(ipPath(), ['netns', 'exec', pod.netns, ...o.argv], { stdio: 'inherit', env, cwd: '/' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      resolve(code ?? 128 + (signal ? (constants.signals as Record<string, number>)[signal] ?? 1 : 1));
    });
  });
}

function printFile(file: string, io: Output): void {
  const text = readFileSync(file, 'utf8');
  if (text !== '') io.out(text.endsWith('\n') ? text.slice(0, -1) : text);
}

export async function logsCommand(o: ClusterRef & { target: LogTarget; namespace: string }, io: Output): Promise<number> {
  const stateDir = stateDirOf(o);
  if (!existsSync(stateDir)) throw noCluster(o);
  const target = o.target;
  if ('controller' in target) {
    const file = runtimeLogFile(stateDir);
    if (!existsSync(file)) throw new AmbitError('AMBIT_ERR_LOCAL_NO_CLUSTER', `no controller log in ${stateDir}`);
    printFile(file, io);
    return 0;
  }
  if ('node' in target) {
    const file = daemonLogFile(stateDir, target.node);
    if (!existsSync(file)) throw new AmbitError('AMBIT_ERR_CONFIG', `no daemon log for ${target.node} (nodes: ${readClusterInfo(stateDir)?.nodes.join(', ') ?? 'unknown'})`);
    printFile(file, io);
    return 0;
  }
  const pod = 'pod' in target ? target.pod : (await resolvePod(o, target, o.namespace)).name;
  const prefix = `${o.namespace}_${pod}_`;
  const dir = path.join(stateDir, LOGS_DIR);
  const files = (existsSync(dir) ? readdirSync(dir) : []).filter((f) => f.startsWith(prefix) && f.endsWith('.log')).sort();
  if (files.length === 0) throw new AmbitError('AMBIT_ERR_CONFIG', `no logs of pod ${pod} in namespace ${o.namespace}`);
  for (const f of files) {
    if (files.length > 1) io.out(`==> container ${f.slice(prefix.length, -'.log'.length)} <==`);
    printFile(path.join(dir, f), io);
  }
  return 0;
}

async function adminGet(o: ClusterRef, node: string, urlPath: string): Promise<string> {
  const stateDir = stateDirOf(o);
  if (!existsSync(stateDir)) throw noCluster(o);
  const nodes = readClusterInfo(stateDir)?.nodes ?? [];
  if (nodes.length > 0 && !nodes.includes(node)) throw new AmbitError('AMBIT_ERR_CONFIG', `no node ${node} in local cluster "${o.cluster}" (nodes: ${nodes.join(', ')})`);
  const socket = daemonAdminSocket(stateDir, node);
  const res = await unixRequest(socket, urlPath, { timeoutMs: 10_000 }).catch((err: unknown) => {
    throw new AmbitError('AMBIT_ERR_LOCAL_NOT_READY', `the daemon of ${node} does not answer on ${socket}: ${(err as Error).message}`);
  });
  if (res.status !== 200) throw errorOf(res);
  return res.body;
}

export async function proxyConfigCommand(o: ClusterRef & { target: { node: string } | PodTarget; namespace: string; section: ConfigSection }, io: Output): Promise<number> {
  const what = 'node' in o.target ? o.target.node : await resolvePod(o, o.target, o.namespace);
  const dump = JSON.parse(typeof what === 'string' ? await adminGet(o, what, '/config_dump') : await podAdminGet(what, '/config_dump')) as unknown;
  const key = CONFIG_SECTIONS[o.section];
  const value = configSection(dump, key);
  const name = typeof what === 'string' ? what : `pod ${what.namespace}/${what.name}`;
  if (value === undefined) throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `the config dump of ${name} has no "${key}"`);
  io.out(JSON.stringify(value, null, 2));
  return 0;
}

/** GET on a proxy pod's admin port (a waypoint: 127.0.0.1:15000 inside its network namespace). */
function podAdminGet(pod: PodInfo, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ipPath(), ['netns', 'exec', pod.netns, 'curl', '-sS', '-f', '-m', '10', `http://127.0.0.1:15000${urlPath}`],
      { env: { PATH: SYSTEM_PATH }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(new AmbitError('AMBIT_ERR_LOCAL_NOT_READY', `pod ${pod.namespace}/${pod.name} does not answer on its admin port 127.0.0.1:15000 (is it a waypoint?): ${String(stderr).trim() || err.message}`));
        else resolve(String(stdout));
      });
  });
}

export async function metricsCommand(o: ClusterRef & { node: string }, io: Output): Promise<number> {
  io.out((await adminGet(o, o.node, '/metrics')).trimEnd());
  return 0;
}

