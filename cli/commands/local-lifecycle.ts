// `ambit local up`, `down` and the hidden `runtime` (the long-lived process `up` starts).
//
// up: creates the fabric and node namespaces, starts the runtime in the fabric netns
// (recorded in the state dir like a pod process), waits until it reports the controller
// and every daemon ready, then applies the files. A failed start tears everything down.
// down: asks the runtime to stop (daemons first, so they detach, then pods, then the
// controller), then — whatever happened, also after a crash — stops every recorded
// process and deletes every recorded namespace, link and file, and the state dir.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AmbitError, isAmbitError } from '../../api/errors.js';
import { createLogger } from '../../api/log.js';
import { tokenFile } from '../../controller/auth/bootstrap-tokens.js';
import { nodeNames } from '../local/args.js';
import { SYSTEM_PATH, systemIpRunner } from '../local/ip.js';
import { CONTROLLER_GRPC_PORT, LocalRuntime } from '../local/runtime.js';
import { RuntimeClient } from '../local/runtime-api.js';
import { startRuntimeServer } from '../local/runtime-server.js';
import {
  RUNTIME_CONTAINER, RUNTIME_POD, SYSTEM_NAMESPACE, clusterStateDir, containerKey, controllerStateDir, daemonAdminSocket, processFile,
  readClusterInfo, readJson, rootCertFile, runtimeLogFile, runtimeSocket, writeClusterInfo,
} from '../local/state.js';
import { Supervisor, isRecordAlive, stopRecordedProcesses, type ProcessRecord } from '../local/supervisor.js';
import { applyTopology, teardown } from '../local/topology.js';
import { FABRIC_GATEWAY, SERVICE_CIDR, UPLINK, fabricNetns, nodeIp, nodeNetns, planTopology } from '../local/topology-plan.js';
import { loadInputs, printOperation, type Output } from './local-ops.js';

/** dist/cli/main.js, which the runtime and the daemons run. */
export const MAIN_JS = fileURLToPath(new URL('../main.js', import.meta.url));

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function runtimeRecord(stateDir: string): ProcessRecord | undefined {
  try {
    return readJson(processFile(stateDir, containerKey(SYSTEM_NAMESPACE, RUNTIME_POD, RUNTIME_CONTAINER))) as ProcessRecord | undefined;
  } catch {
    return undefined;
  }
}

/** The node daemon's command line (cli/commands/daemon.ts). */
export function daemonArgv(stateDir: string, node: string): string[] {
  return [
    process.execPath, MAIN_JS, 'daemon',
    '--node', node, '--node-ip', nodeIp(node),
    '--controller', `${FABRIC_GATEWAY}:${CONTROLLER_GRPC_PORT}`,
    '--root-cert', rootCertFile(stateDir),
    '--token-file', tokenFile(path.join(controllerStateDir(stateDir), 'tokens'), node),
    '--uplink', UPLINK,
    '--admin-socket', daemonAdminSocket(stateDir, node),
    // No kube-proxy here: the daemon also takes Service VIPs for pods outside the mesh.
    '--service-cidr', SERVICE_CIDR,
  ];
}

export interface UpOptions {
  cluster: string;
  stateRoot: string;
  nodes: number;
  files: string[];
  timeoutMs: number;
}

async function waitRuntimeReady(client: RuntimeClient, stateDir: string, deadline: number): Promise<void> {
  let problems: string[] = ['the runtime has not answered yet'];
  for (;;) {
    const record = runtimeRecord(stateDir);
    if (record && record.pid !== null && !isRecordAlive(record)) {
      throw new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `the runtime process exited during start; its log ends with:\n${logTail(runtimeLogFile(stateDir))}`);
    }
    try {
      const status = await client.status(2_000);
      if (status.phase === 'ready') return;
      problems = status.problems;
    } catch (err) {
      if (!isAmbitError(err, 'AMBIT_ERR_LOCAL_NO_CLUSTER') && !isAmbitError(err, 'AMBIT_ERR_LOCAL_RUNTIME')) throw err;
    }
    if (Date.now() >= deadline) {
      throw new AmbitError('AMBIT_ERR_LOCAL_NOT_READY', `the local cluster did not get ready in time:\n  ${problems.join('\n  ')}\nruntime log ends with:\n${logTail(runtimeLogFile(stateDir))}`);
    }
    await delay(250);
  }
}

export async function upCommand(o: UpOptions, io: Output): Promise<number> {
  const stateDir = clusterStateDir(o.cluster, o.stateRoot);
  const client = new RuntimeClient(runtimeSocket(stateDir), o.cluster);
  if (existsSync(stateDir)) {
    const running = await client.status(3_000).then(() => true, () => false);
    throw new AmbitError('AMBIT_ERR_CONFIG', running
      ? `local cluster "${o.cluster}" is already up: use \`ambit local apply\`, or \`ambit local down\` first`
      : `local cluster "${o.cluster}" was not shut down (state dir ${stateDir} exists, no runtime answers): run \`ambit local down\` first`);
  }
  const inputs = await loadInputs(o.files); // unreadable files fail here, before anything is created
  const deadline = Date.now() + o.timeoutMs;
  const nodes = nodeNames(o.nodes);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeClusterInfo(stateDir, { version: 1, cluster: o.cluster, nodes, createdAt: new Date().toISOString() });
  try {
    await applyTopology(planTopology({ cluster: o.cluster, nodes, pods: [] }), stateDir);
    new Supervisor(stateDir).start({
      namespace: SYSTEM_NAMESPACE, pod: RUNTIME_POD, container: RUNTIME_CONTAINER, netns: fabricNetns(o.cluster), keepMounts: true,
      argv: [process.execPath, MAIN_JS, 'local', 'runtime', '--cluster', o.cluster, '--state-root', o.stateRoot, '--nodes', String(o.nodes)],
      env: { PATH: SYSTEM_PATH, HOME: '/root', AMBIT_LOG_LEVEL: process.env.AMBIT_LOG_LEVEL ?? 'info' },
    });
    await waitRuntimeReady(client, stateDir, deadline);
  } catch (err) {
    io.err(`ambit local up: ${(err as Error).message}`);
    io.err('removing what was created…');
    await downCommand({ cluster: o.cluster, stateRoot: o.stateRoot }, { out: () => undefined, err: io.err });
    throw err;
  }
  io.out(`local cluster "${o.cluster}" is up: ${nodes.join(', ')} (controller ${FABRIC_GATEWAY}:${CONTROLLER_GRPC_PORT}, state ${stateDir})`);
  if (inputs.objects.length === 0 && inputs.findings.length === 0) return 0;
  const result = await client.apply({ objects: inputs.objects, timeoutMs: Math.max(10_000, deadline - Date.now()) });
  return printOperation({ ...result, findings: [...inputs.findings, ...result.findings] }, io);
}

export async function downCommand(o: { cluster: string; stateRoot: string }, io: Output): Promise<number> {
  const stateDir = clusterStateDir(o.cluster, o.stateRoot);
  if (!existsSync(stateDir)) {
    io.out(`no local cluster "${o.cluster}" (nothing under ${stateDir})`);
    return 0;
  }
  const client = new RuntimeClient(runtimeSocket(stateDir), o.cluster);
  try {
    await client.stop(90_000);
  } catch (err) {
    if (!isAmbitError(err, 'AMBIT_ERR_LOCAL_NO_CLUSTER')) io.err(`the runtime did not stop cleanly (${(err as Error).message}); cleaning up from the state dir`);
  }
  const record = runtimeRecord(stateDir);
  for (let i = 0; i < 50 && record && isRecordAlive(record); i++) await delay(100);
  // After a runtime crash the daemons may still run: they go first (SIGTERM: they detach), then the rest.
  const nodes = readClusterInfo(stateDir)?.nodes ?? [];
  const daemons = new Set(nodes.map((n) => nodeNetns(o.cluster, n)));
  const stoppedDaemons = daemons.size > 0 ? await stopRecordedProcesses(stateDir, { ip: systemIpRunner(), graceMs: 10_000, only: daemons }) : [];
  const result = await teardown(stateDir, { graceMs: 5_000 });
  result.stopped.push(...stoppedDaemons);
  rmSync(stateDir, { recursive: true, force: true });
  io.out(`local cluster "${o.cluster}" deleted (${result.deleted.length} namespaces, links and files removed${result.stopped.length > 0 ? `, ${result.stopped.length} leftover processes stopped` : ''})`);
  return 0;
}

/** The runtime process (started by `up` inside the fabric netns); runs until POST /stop or SIGTERM. */
export async function runtimeCommand(o: { cluster: string; stateRoot: string; nodes: number }): Promise<number> {
  const stateDir = clusterStateDir(o.cluster, o.stateRoot);
  const log = createLogger('local-runtime');
  const runtime = new LocalRuntime({
    cluster: o.cluster, stateDir, nodes: nodeNames(o.nodes), log, controllerLog: createLogger('controller'),
    daemonArgv: (node) => daemonArgv(stateDir, node),
  });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const server = await startRuntimeServer(runtime, runtimeSocket(stateDir), log, () => finish());
  const onSignal = (signal: string): void => {
    log.info({ signal }, 'signal received');
    void runtime.stop().then(finish, finish);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let code = 0;
  try {
    await runtime.start();
    await finished;
  } catch (err) {
    log.error({ err: (err as Error).message, code: isAmbitError(err) ? err.code : undefined }, 'the local runtime failed');
    await runtime.stop().catch(() => undefined);
    code = 1;
  }
  await server.close();
  log.info('local runtime exiting');
  setTimeout(() => process.exit(code), 1_000).unref(); // nothing of ours should keep it, but never linger
  return code;
}
