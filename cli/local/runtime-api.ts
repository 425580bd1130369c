// The runtime process's API, HTTP+JSON on <stateDir>/runtime.sock (root only):
//
//   GET  /status      RuntimeStatus (phase starting → ready → stopping; problems while starting)
//   GET  /nodes       NodeInfo[]        GET /pods      PodInfo[]   (every namespace)
//   GET  /services    ServiceInfo[]     GET /workloads WorkloadInfo[] (the controller's model)
//   GET  /objects?kind=GROUP/KIND…  KubeObject[]: the objects the controller has, of those
//                     kinds (`Namespace`, `Service`, `gateway.networking.k8s.io/Gateway`, …)
//   POST /apply       ApplyRequest  → OperationResult
//   POST /delete      DeleteRequest → OperationResult
//   POST /label       LabelRequest  → OperationResult
//   POST /stop        stops daemons, then pods, then the controller; answers, then exits
//
// apply/delete/label answer once the controller published the change and every node's
// daemon acknowledged that version, and (apply) the new pods are ready — or with
// `errors` saying what did not happen in time. Errors: status 4xx/5xx with {code, message}.
import { existsSync } from 'node:fs';
import { AmbitError, type ErrorCode } from '../../api/errors.js';
import type { LoadedObject } from '../../controller/config/load-yaml.js';
import type { KubeObject } from '../../controller/config/resource.js';
import type { Finding } from '../../controller/validation/finding.js';
import type { LabelEdit, ObjectChange } from './desired.js';
import { errorOf, unixRequest } from './unix-http.js';

export interface ApplyRequest {
  objects: LoadedObject[];
  timeoutMs?: number;
}

export type DeleteRequest = ApplyRequest;

export interface LabelRequest {
  kind: 'ns' | 'pod' | 'svc';
  /** The pod's or service's namespace (ignored for ns). */
  namespace: string;
  name: string;
  edit: LabelEdit;
  timeoutMs?: number;
}

export interface RuntimeProblem {
  code: ErrorCode;
  message: string;
}

export interface OperationResult {
  changes: ObjectChange[];
  /** Errors of rejected objects and warnings of accepted ones. */
  findings: Finding[];
  /** The model version published for this change. */
  version: number;
  /** What did not happen in time or failed (nodes that did not acknowledge, pods not ready). */
  errors: RuntimeProblem[];
}

export type RuntimePhase = 'starting' | 'ready' | 'stopping';

export interface RuntimeStatus {
  cluster: string;
  phase: RuntimePhase;
  pid: number;
  version: number;
  nodes: string[];
  /** Why the runtime is not ready yet. */
  problems: string[];
}

export interface DaemonInfo {
  /** Ready, NotReady, Starting, Restarting, Stopped. */
  status: string;
  ready: boolean;
  pid: number | null;
  restarts: number;
  /** How the last run ended, when it did. */
  lastExit?: string;
}

export interface NodeInfo {
  name: string;
  ip: string;
  podCidr: string;
  netns: string;
  daemon: DaemonInfo;
}

export interface ContainerInfo {
  name: string;
  status: string;
  pid: number | null;
}

export interface PodInfo {
  namespace: string;
  name: string;
  node: string;
  ip: string;
  /** Running, Completed, Error(exit code N), Error(signal …), Terminated, Unknown, Pending. */
  status: string;
  ready: boolean;
  /** yes / no from the controller's model (HBONE or not), - when the model does not list the pod. */
  mesh: 'yes' | 'no' | '-';
  deployment?: string;
  labels: Record<string, string>;
  serviceAccount: string;
  netns: string;
  containers: ContainerInfo[];
}

export interface ServicePortInfo {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol: string;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  type: string;
  clusterIP: string;
  ports: ServicePortInfo[];
}

export interface WorkloadInfo {
  namespace: string;
  name: string;
  ip: string;
  node: string;
  protocol: string;
  identity: string;
  serviceAccount: string;
}

export type GetKind = 'nodes' | 'pods' | 'services' | 'workloads';

/** What the API serves (LocalRuntime; a fake in tests). */
export interface RuntimeService {
  status(): RuntimeStatus;
  nodeInfos(): Promise<NodeInfo[]>;
  podInfos(): PodInfo[];
  serviceInfos(): ServiceInfo[];
  workloadInfos(): WorkloadInfo[];
  /** The materialized objects (what the controller has) of these group/kinds (resource.ts groupKind). */
  objectsOf(kinds: readonly string[]): KubeObject[];
  apply(req: ApplyRequest): Promise<OperationResult>;
  delete(req: DeleteRequest): Promise<OperationResult>;
  label(req: LabelRequest): Promise<OperationResult>;
  /** Stops everything; resolves when done. */
  stop(): Promise<void>;
}

/** The CLI's side of the API. */
export class RuntimeClient {
  constructor(readonly socketPath: string, readonly cluster: string) {}

  private async call<T>(path: string, body?: unknown, timeoutMs = 15_000): Promise<T> {
    if (!existsSync(this.socketPath)) {
      throw new AmbitError('AMBIT_ERR_LOCAL_NO_CLUSTER', `local cluster "${this.cluster}" is not running (no ${this.socketPath}); start it with \`ambit local up\``);
    }
    let res;
    try {
      res = await unixRequest(this.socketPath, path, { body, timeoutMs });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (/ECONNREFUSED|ENOENT/.test(reason)) {
        throw new AmbitError('AMBIT_ERR_LOCAL_NO_CLUSTER', `the runtime of local cluster "${this.cluster}" is not running (${reason}); \`ambit local down\` cleans up`, { cause: err });
      }
      throw err;
    }
    if (res.status !== 200) throw errorOf(res);
    return JSON.parse(res.body) as T;
  }

  status(timeoutMs?: number): Promise<RuntimeStatus> {
    return this.call('/status', undefined, timeoutMs);
  }

  get<T extends NodeInfo | PodInfo | ServiceInfo | WorkloadInfo>(kind: GetKind): Promise<T[]> {
    return this.call(`/${kind}`);
  }

  /** The cluster's objects of these group/kinds, e.g. ['Namespace', 'gateway.networking.k8s.io/Gateway']. */
  objects(kinds: readonly string[]): Promise<KubeObject[]> {
    return this.call(`/objects?${new URLSearchParams(kinds.map((k): [string, string] => ['kind', k])).toString()}`);
  }

  /** Long-running: the timeout covers the acknowledgement and readiness waits. */
  apply(req: ApplyRequest): Promise<OperationResult> {
    return this.call('/apply', req, (req.timeoutMs ?? 60_000) * 2 + 30_000);
  }

  delete(req: DeleteRequest): Promise<OperationResult> {
    return this.call('/delete', req, (req.timeoutMs ?? 60_000) * 2 + 30_000);
  }

  label(req: LabelRequest): Promise<OperationResult> {
    return this.call('/label', req, (req.timeoutMs ?? 60_000) + 30_000);
  }

  stop(timeoutMs = 90_000): Promise<{ stopped: boolean }> {
    return this.call('/stop', {}, timeoutMs);
  }
}
