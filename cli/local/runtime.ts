// The runtime of one local cluster: a long-lived process in the fabric netns that owns
// the controller (in-process, gRPC on the fabric gateway), one node daemon per node
// (DaemonSet semantics, daemon-set.ts) and the pods. It keeps the user's objects
// (desired.ts), and on every change re-materializes them with stable addresses, stops the
// pods that went away, creates the network of new pods and rewrites every pod's hosts
// file, publishes the model and waits until every daemon acknowledged it, then starts
// the new pods' processes and waits for them to run and listen. Operations are
// serialized. The HTTP API over them is runtime-server.ts; the decisions are pure
// modules (admission, pod-diff, readiness, topology-delta, materialize).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { AmbitError, isAmbitError, type ErrorCode } from '../../api/errors.js';
import { spiffeUri } from '../../api/identity.js';
import type { Logger } from '../../api/log.js';
import { tokenFile } from '../../controller/auth/bootstrap-tokens.js';
import { Controller } from '../../controller/controller.js';
import type { KubeObject } from '../../controller/config/resource.js';
import { groupKind, objectKey } from '../../controller/config/resource.js';
import { StaticSource } from '../../controller/sources/static-source.js';
import type { Finding } from '../../controller/validation/finding.js';
import { admit, withDefaultNamespace } from './admission.js';
import { DaemonSet } from './daemon-set.js';
import { DesiredState, labelEditProblem, objectRef, type ObjectChange } from './desired.js';
import { SYSTEM_PATH, systemIpRunner, type IpRunner } from './ip.js';
import { podLaunch, type ContainerSpec } from './launch.js';
import { addressesOf } from './materialize.js';
import { podEtcFiles } from './names.js';
import { diffPods, podKey, summarizePod } from './pod-diff.js';
import { listeningPorts } from './proc-net.js';
import { declaredTcpPorts, podReadiness, summarizeReadiness, type PodObservation } from './readiness.js';
import type {
  ApplyRequest, ContainerInfo, DeleteRequest, LabelRequest, NodeInfo, OperationResult, PodInfo, RuntimePhase, RuntimeProblem,
  RuntimeService, RuntimeStatus, ServiceInfo, WorkloadInfo,
} from './runtime-api.js';
import { SYSTEM_NAMESPACE, containerKey, controllerStateDir, rootCertFile } from './state.js';
import { Supervisor, findProgram, isRecordAlive, podStatus, processStatus, readProcessRecords, type ProcessRecord, type ProcessStatus } from './supervisor.js';
import { applyTopology, teardown } from './topology.js';
import { podDeltaOps } from './topology-delta.js';
import { FABRIC_GATEWAY, nodeIp, nodeLayout, planPodsOf, planTopology, podNetns } from './topology-plan.js';

export const CONTROLLER_GRPC_PORT = 15012;
export const DEFAULT_OPERATION_TIMEOUT_MS = 60_000;

export interface LocalRuntimeOptions {
  cluster: string;
  stateDir: string;
  nodes: readonly string[];
  /** The runtime's own log. */
  log: Logger;
  controllerLog: Logger;
  /** The node daemon's command line on `node`. */
  daemonArgv: (node: string) => string[];
  ip?: IpRunner;
  grpcPort?: number;
}

/** A pod whose network exists and whose processes were started. */
interface RunningPod {
  key: string;
  namespace: string;
  name: string;
  node: string;
  ip: string;
  netns: string;
  fingerprint: string;
  containers: string[];
  ports: number[];
  graceMs: number;
  /** Why a container could not be started. */
  startError?: string;
}

function problem(code: ErrorCode, message: string): RuntimeProblem {
  return { code, message };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A string field of an object, or the fallback. */
function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

function isPod(o: KubeObject): boolean {
  return groupKind(o) === 'Pod';
}

/** The Deployment of a generated pod: its ReplicaSet's name without the template hash. */
function deploymentOf(pod: KubeObject): string | undefined {
  const rs = pod.metadata.ownerReferences?.find((r) => r.kind === 'ReplicaSet')?.name;
  return rs?.replace(/-[0-9a-f]{10}$/, '');
}

export class LocalRuntime implements RuntimeService {
  phase: RuntimePhase = 'starting';
  private problems: string[] = ['the controller is starting'];
  readonly controller: Controller;
  private readonly source: StaticSource;
  private readonly desired = new DesiredState();
  private readonly supervisor: Supervisor;
  private readonly daemons: DaemonSet;
  private readonly ip: IpRunner;
  private readonly log: Logger;
  /** The last materialized objects: what the controller has. */
  private objects: KubeObject[];
  private readonly pods = new Map<string, RunningPod>();
  private queue: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: LocalRuntimeOptions) {
    this.log = opts.log;
    this.ip = opts.ip ?? systemIpRunner();
    this.objects = this.desired.materialize(opts.nodes);
    this.source = new StaticSource(this.objects, 'ambit-local');
    this.controller = new Controller({
      stateDir: controllerStateDir(opts.stateDir), sources: [this.source], log: opts.controllerLog,
      grpcHost: FABRIC_GATEWAY, grpcPort: opts.grpcPort ?? CONTROLLER_GRPC_PORT, httpPort: -1,
      serverIps: [FABRIC_GATEWAY], nodes: [...opts.nodes],
    });
    this.supervisor = new Supervisor(opts.stateDir, { onExit: (r, s) => this.onProcessExit(r, s) });
    this.daemons = new DaemonSet({
      supervisor: this.supervisor, stateDir: opts.stateDir, cluster: opts.cluster, nodes: opts.nodes, argv: opts.daemonArgv,
      env: { PATH: SYSTEM_PATH, HOME: '/root', AMBIT_LOG_LEVEL: process.env.AMBIT_LOG_LEVEL ?? 'info' }, log: opts.log,
    });
  }

  get nodes(): readonly string[] {
    return this.opts.nodes;
  }

  /** Starts the controller and the daemons; the phase turns `ready` once every daemon is ready and synced. */
  async start(): Promise<void> {
    await this.controller.start();
    writeFileSync(rootCertFile(this.opts.stateDir), this.controller.rootCertPem, { mode: 0o644 });
    this.log.info({ grpc: `${FABRIC_GATEWAY}:${this.controller.grpcPort}` }, 'controller started');
    this.daemons.startAll();
    void this.watchStartup();
  }

  private async watchStartup(): Promise<void> {
    while (this.phase === 'starting') {
      const problems: string[] = [];
      const version = this.controller.publisher.version;
      for (const node of this.opts.nodes) {
        const info = await this.daemons.info(node);
        if (!info.ready) problems.push(`${node}: daemon ${info.status}${info.lastExit ? ` (last exit: ${info.lastExit})` : ''}`);
        else if (this.ackedVersion(node) < version) problems.push(`${node}: daemon has not acknowledged model version ${version}`);
      }
      if (this.phase !== 'starting') return;
      this.problems = problems;
      if (problems.length === 0) {
        this.phase = 'ready';
        this.log.info({ nodes: this.opts.nodes }, 'local cluster ready');
        return;
      }
      await delay(250);
    }
  }

  status(): RuntimeStatus {
    return {
      cluster: this.opts.cluster, phase: this.phase, pid: process.pid, version: this.controller.publisher.version,
      nodes: [...this.opts.nodes], problems: this.phase === 'starting' ? this.problems : [],
    };
  }

  private onProcessExit(record: ProcessRecord, status: ProcessStatus): void {
    if (record.namespace === SYSTEM_NAMESPACE) {
      this.daemons.onExit(record, status);
      return;
    }
    const level = status.state === 'Error' || status.state === 'Unknown' ? 'warn' : 'info';
    this.log[level]({ pod: `${record.namespace}/${record.pod}`, container: record.container, status: status.text }, 'pod process exited');
  }

  /** Runs operations one at a time. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    if (this.stopping) return Promise.reject(new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', 'the local cluster is shutting down'));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  apply(req: ApplyRequest): Promise<OperationResult> {
    return this.serialize(async () => {
      const admitted = admit({
        incoming: req.objects, existing: this.desired.list(), nodes: this.opts.nodes,
        programExists: (program, pathVar) => findProgram(program, pathVar) !== undefined,
      });
      const changes = admitted.accepted.map((lo) => this.desired.upsert(lo.object));
      for (const f of admitted.findings) if (f.severity === 'error') this.log.warn({ code: 'AMBIT_ERR_INVALID_RESOURCE', kind: f.kind, name: f.name, path: f.path }, `rejected: ${f.message}`);
      return { ...(await this.reconcileReporting(req.timeoutMs)), changes, findings: admitted.findings };
    });
  }

  delete(req: DeleteRequest): Promise<OperationResult> {
    return this.serialize(async () => {
      const changes: ObjectChange[] = [];
      const findings: Finding[] = [];
      const deleted = new Set<string>(); // also what a deleted Namespace took along
      for (const { object, file } of req.objects) {
        const o = withDefaultNamespace(object);
        const name = o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
        const result = this.desired.remove(o);
        if (!result) {
          findings.push({ severity: 'error', kind: o.kind, name, path: 'metadata.name', message: `namespace ${o.metadata.name} always exists and cannot be deleted`, file });
          continue;
        }
        for (const k of result.keys) deleted.add(k);
        if (result.keys.length === 0 && !deleted.has(objectKey(o))) {
          findings.push({ severity: 'error', kind: o.kind, name, path: 'metadata.name', message: `${objectRef(o)} not found`, file });
        }
        changes.push(...result.changes.filter((c) => c.action !== 'not found'));
      }
      return { ...(await this.reconcileReporting(req.timeoutMs)), changes, findings };
    });
  }

  label(req: LabelRequest): Promise<OperationResult> {
    return this.serialize(async () => {
      const bad = labelEditProblem(req.edit);
      if (bad) throw new AmbitError('AMBIT_ERR_CONFIG', bad);
      const change = req.kind === 'ns' ? this.desired.labelNamespace(req.name, req.edit)
        : req.kind === 'svc' ? this.desired.labelService(req.namespace, req.name, req.edit)
          : this.desired.labelPod(req.namespace, req.name, req.edit, this.objects);
      if (!change) {
        const what = req.kind === 'ns' ? `namespace ${req.name}` : `${req.kind === 'svc' ? 'service' : 'pod'} ${req.namespace}/${req.name}`;
        throw new AmbitError('AMBIT_ERR_CONFIG', `${what} not found`);
      }
      return { ...(await this.reconcileReporting(req.timeoutMs)), changes: [change], findings: [] };
    });
  }

  private async reconcileReporting(timeoutMs = DEFAULT_OPERATION_TIMEOUT_MS): Promise<{ version: number; errors: RuntimeProblem[] }> {
    try {
      const errors = await this.reconcile(Date.now() + timeoutMs);
      return { version: this.controller.publisher.version, errors };
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'reconcile failed');
      const code = isAmbitError(err) ? err.code : 'AMBIT_ERR_LOCAL_RUNTIME';
      return { version: this.controller.publisher.version, errors: [problem(code, (err as Error).message)] };
    }
  }

  /** Makes pods, network, hosts files and the controller's model match the desired objects. */
  private async reconcile(deadline: number): Promise<RuntimeProblem[]> {
    const errors: RuntimeProblem[] = [];
    const next = this.desired.materialize(this.opts.nodes, addressesOf(this.objects));
    const desiredPods = new Map(next.filter(isPod).map((p) => [podKey(p), p]));
    const diff = diffPods([...desiredPods.values()].map(summarizePod), [...this.pods.values()].map((p) => ({ key: p.key, fingerprint: p.fingerprint })));
    const leaving = diff.stop.map((k) => this.pods.get(k)).filter((p): p is RunningPod => p !== undefined);

    if (leaving.length > 0) {
      await Promise.all(leaving.map((p) => this.stopPod(p)));
      // Daemons let go of the pods before their links vanish: publish without them first.
      const keep = new Set(diff.keep);
      errors.push(...(await this.publish(next.filter((o) => !isPod(o) || keep.has(podKey(o))), deadline)));
      await teardown(this.opts.stateDir, { ip: this.ip, onlyNetns: new Set(leaving.map((p) => p.netns)), graceMs: 2_000 });
      for (const p of leaving) this.pods.delete(p.key);
      this.log.info({ pods: leaving.map((p) => p.key) }, 'pods removed');
    }

    const plan = planTopology({ cluster: this.opts.cluster, nodes: this.opts.nodes, pods: planPodsOf(next, (p) => podEtcFiles(p, next)) });
    await applyTopology({ ...plan, ops: podDeltaOps(plan, new Set(diff.start)) }, this.opts.stateDir, { ip: this.ip });
    this.objects = next;
    // A second wait for the same deadline only reports nodes once.
    const acks = await this.publish(next, errors.length > 0 ? Date.now() : deadline);
    if (errors.length === 0) errors.push(...acks);

    const started = diff.start.map((k) => this.startPod(desiredPods.get(k)!));
    for (const p of started) if (p.startError) errors.push(problem('AMBIT_ERR_LOCAL_RUNTIME', `pod ${p.key}: ${p.startError}`));
    if (started.length > 0) this.log.info({ pods: started.map((p) => `${p.key} ${p.ip} on ${p.node}`) }, 'pods started');
    errors.push(...(await this.waitPodsReady(started.filter((p) => !p.startError), deadline)));
    return errors;
  }

  /** The highest model version a daemon of `node` acknowledged. */
  private ackedVersion(node: string): number {
    let v = -1;
    for (const s of this.controller.sessions) if (s.node === node) v = Math.max(v, s.lastAckedVersion);
    return v;
  }

  /** Hands the objects to the controller, rebuilds now, and waits until every node acknowledged that version. */
  private async publish(objects: readonly KubeObject[], deadline: number): Promise<RuntimeProblem[]> {
    const nacksBefore = new Map([...this.controller.sessions].map((s) => [s, s.lastNack]));
    this.source.set(objects);
    this.controller.flush();
    const version = this.controller.publisher.version;
    for (const f of this.controller.store.rejectedFindings()) this.log.warn({ kind: f.kind, name: f.name, path: f.path }, `controller rejected: ${f.message}`);
    for (;;) {
      const pending = this.opts.nodes.filter((n) => this.ackedVersion(n) < version);
      if (pending.length === 0) return [];
      const nacked = [...this.controller.sessions].filter((s) => pending.includes(s.node) && s.lastNack !== undefined && s.lastNack !== nacksBefore.get(s));
      if (nacked.length > 0) {
        return nacked.map((s) => problem('AMBIT_ERR_NACK', `${s.node} rejected model version ${version}: ${s.lastNack ?? ''}`));
      }
      if (Date.now() >= deadline) {
        return [problem('AMBIT_ERR_LOCAL_NOT_READY', `${pending.map((n) => {
          const acked = this.ackedVersion(n);
          return `${n} (${acked < 0 ? 'no daemon connected' : `last acknowledged version ${acked}`})`;
        }).join(', ')} did not acknowledge model version ${version} in time`)];
      }
      await delay(25);
    }
  }

  private startPod(pod: KubeObject): RunningPod {
    const namespace = pod.metadata.namespace ?? 'default';
    const spec = (pod.spec ?? {}) as { nodeName?: string; containers?: ContainerSpec[]; terminationGracePeriodSeconds?: number };
    const node = spec.nodeName ?? this.opts.nodes[0] ?? '';
    const grace = spec.terminationGracePeriodSeconds ?? 30;
    const rp: RunningPod = {
      key: podKey(pod), namespace, name: pod.metadata.name, node,
      ip: str((pod.status as { podIP?: unknown } | undefined)?.podIP),
      netns: podNetns(this.opts.cluster, namespace, pod.metadata.name), fingerprint: summarizePod(pod).fingerprint,
      containers: [], ports: declaredTcpPorts(spec.containers ?? []), graceMs: Math.min(Math.max(grace, 0.5), 10) * 1000,
    };
    this.pods.set(rp.key, rp);
    try {
      const ambitEnv = {
        AMBIT_CONTROLLER: `${FABRIC_GATEWAY}:${this.controller.grpcPort}`,
        AMBIT_ROOT_CERT: rootCertFile(this.opts.stateDir),
        AMBIT_TOKEN_FILE: tokenFile(path.join(controllerStateDir(this.opts.stateDir), 'tokens'), node),
      };
      const launch = podLaunch(pod, { netns: rp.netns, nodeIp: nodeIp(node), ambitEnv });
      for (const w of launch.warnings) this.log.warn({ pod: rp.key }, w);
      for (const s of launch.specs) {
        this.supervisor.start(s);
        rp.containers.push(s.container);
      }
    } catch (err) {
      rp.startError = (err as Error).message;
      this.log.error({ pod: rp.key, err: rp.startError }, 'pod could not be started');
    }
    return rp;
  }

  private async stopPod(p: RunningPod): Promise<void> {
    await Promise.all(p.containers.map((c) => this.supervisor.stop(containerKey(p.namespace, p.name, c), p.graceMs)));
  }

  private podRecords(): Map<string, ProcessRecord[]> {
    const out = new Map<string, ProcessRecord[]>();
    for (const r of readProcessRecords(this.opts.stateDir)) {
      if (r.namespace === SYSTEM_NAMESPACE) continue;
      const key = `${r.namespace}/${r.pod}`;
      out.set(key, [...(out.get(key) ?? []), r]);
    }
    return out;
  }

  private observe(p: RunningPod, records: readonly ProcessRecord[]): PodObservation {
    const status: ProcessStatus = p.startError ? { state: 'Error', text: 'RunContainerError' } : records.length === 0 ? { state: 'Pending', text: 'Pending' } : podStatus(records);
    const live = records.find((r) => r.exit === null && isRecordAlive(r));
    return { key: p.key, status, ports: p.ports, listening: live?.pid != null ? listeningPorts(live.pid) : undefined };
  }

  private async waitPodsReady(pods: readonly RunningPod[], deadline: number): Promise<RuntimeProblem[]> {
    if (pods.length === 0) return [];
    for (;;) {
      const records = this.podRecords();
      const summary = summarizeReadiness(pods.map((p) => podReadiness(this.observe(p, records.get(p.key) ?? []))));
      const late = Date.now() >= deadline;
      if (summary.settled || late) {
        return summary.problems.map((m) => problem('AMBIT_ERR_LOCAL_NOT_READY', late && !summary.settled ? `${m} (not ready in time)` : m));
      }
      await delay(200);
    }
  }

  // ---- what `get` shows ----

  async nodeInfos(): Promise<NodeInfo[]> {
    return Promise.all(this.opts.nodes.map(async (node) => {
      const l = nodeLayout(this.opts.cluster, node);
      return { name: node, ip: l.ip, podCidr: l.podCidr, netns: l.netns, daemon: await this.daemons.info(node) };
    }));
  }

  podInfos(): PodInfo[] {
    const records = this.podRecords();
    const workloads = new Map((this.controller.model?.workloads ?? []).map((w) => [`${w.namespace}/${w.name}`, w]));
    return this.objects.filter(isPod).map((pod): PodInfo => {
      const key = podKey(pod);
      const namespace = pod.metadata.namespace ?? 'default';
      const running = this.pods.get(key);
      const recs = records.get(key) ?? [];
      const observation = running ? this.observe(running, recs) : undefined;
      const workload = workloads.get(key);
      const containers = ((pod.spec as { containers?: ContainerSpec[] } | undefined)?.containers ?? []).map((c): ContainerInfo => {
        const r = recs.find((x) => x.container === c.name);
        return { name: c.name, status: r ? processStatus(r).text : running?.startError ? 'RunContainerError' : 'Pending', pid: r && !r.exit ? r.pid : null };
      });
      return {
        namespace, name: pod.metadata.name,
        node: str((pod.spec as { nodeName?: unknown } | undefined)?.nodeName),
        ip: str((pod.status as { podIP?: unknown } | undefined)?.podIP),
        status: observation?.status.text ?? 'Pending',
        ready: observation ? podReadiness(observation).state === 'ready' && observation.status.state === 'Running' : false,
        mesh: workload ? (workload.tunnelProtocol === 'HBONE' ? 'yes' : 'no') : '-',
        ...(deploymentOf(pod) ? { deployment: deploymentOf(pod) } : {}),
        labels: { ...(pod.metadata.labels ?? {}) },
        serviceAccount: str((pod.spec as { serviceAccountName?: unknown } | undefined)?.serviceAccountName, 'default'),
        netns: podNetns(this.opts.cluster, namespace, pod.metadata.name),
        containers,
      };
    });
  }

  serviceInfos(): ServiceInfo[] {
    return this.objects.filter((o) => groupKind(o) === 'Service').map((s) => {
      const spec = (s.spec ?? {}) as { type?: string; clusterIP?: string; ports?: { name?: string; port?: number; targetPort?: number | string; protocol?: string }[] };
      return {
        namespace: s.metadata.namespace ?? 'default', name: s.metadata.name, type: spec.type ?? 'ClusterIP', clusterIP: spec.clusterIP ?? '',
        ports: (spec.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: Number(p.port), ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}), protocol: p.protocol ?? 'TCP' })),
      };
    });
  }

  workloadInfos(): WorkloadInfo[] {
    return (this.controller.model?.workloads ?? []).map((w) => ({
      namespace: w.namespace, name: w.name, ip: w.addresses[0] ?? '', node: w.node, protocol: w.tunnelProtocol,
      identity: spiffeUri({ trustDomain: w.trustDomain, namespace: w.namespace, serviceAccount: w.serviceAccount }), serviceAccount: w.serviceAccount,
    }));
  }

  objectsOf(kinds: readonly string[]): KubeObject[] {
    const wanted = new Set(kinds);
    return this.objects.filter((o) => wanted.has(groupKind(o)));
  }

  /** Stops the daemons (they detach from the pods' links), then the pods, then the controller. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.phase = 'stopping';
    this.log.info('stopping: node daemons first, then pods, then the controller');
    await this.daemons.stop(10_000);
    await this.supervisor.stopAll(5_000);
    await this.controller.stop();
    this.log.info('stopped');
  }
}
