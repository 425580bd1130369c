// A fake local runtime behind the real API server, for `ambit waypoint apply|list`: it
// records apply and label requests and serves fixed objects and pods.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../../api/log.js';
import { groupKind, type KubeObject } from '../../../controller/config/resource.js';
import type { Finding } from '../../../controller/validation/finding.js';
import type { ApplyRequest, LabelRequest, OperationResult, PodInfo, RuntimeService } from '../../../cli/local/runtime-api.js';
import { RuntimeClient } from '../../../cli/local/runtime-api.js';
import { startRuntimeServer } from '../../../cli/local/runtime-server.js';

export class FakeRuntime implements RuntimeService {
  readonly applied: ApplyRequest[] = [];
  readonly labeled: LabelRequest[] = [];
  /** Findings the next apply reports. */
  findings: Finding[] = [];
  constructor(readonly objects: KubeObject[] = [], readonly pods: PodInfo[] = []) {}
  status() { return { cluster: 'fake', phase: 'ready' as const, pid: 1, version: 1, nodes: ['node-1'], problems: [] }; }
  nodeInfos() { return Promise.resolve([]); }
  podInfos(): PodInfo[] { return this.pods; }
  serviceInfos() { return []; }
  workloadInfos() { return []; }
  objectsOf(kinds: readonly string[]): KubeObject[] { return this.objects.filter((o) => kinds.includes(groupKind(o))); }
  apply(req: ApplyRequest): Promise<OperationResult> {
    this.applied.push(req);
    const rejected = this.findings.some((f) => f.severity === 'error');
    const changes = rejected ? [] : req.objects.map((o) => ({ ref: `gateway.gateway.networking.k8s.io/${o.object.metadata.name}`, namespace: o.object.metadata.namespace, action: 'created' as const }));
    return Promise.resolve({ changes, findings: this.findings, version: 2, errors: [] });
  }
  delete(): Promise<OperationResult> { return Promise.resolve({ changes: [], findings: [], version: 2, errors: [] }); }
  label(req: LabelRequest): Promise<OperationResult> {
    this.labeled.push(req);
    return Promise.resolve({ changes: [{ ref: `namespace/${req.name}`, action: 'labeled' }], findings: [], version: 3, errors: [] });
  }
  stop(): Promise<void> { return Promise.resolve(); }
}

/** Serves `fake` on a temporary socket; the client talks to it. */
export async function serveFake(t: { teardown(fn: () => void): void }, fake: FakeRuntime): Promise<RuntimeClient> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambit-waypoint-'));
  const socket = path.join(dir, 'runtime.sock');
  const server = await startRuntimeServer(fake, socket, silentLogger(), () => undefined);
  t.teardown(() => { void server.close().then(() => rmSync(dir, { recursive: true, force: true })); });
  return new RuntimeClient(socket, 'fake');
}

/** Collected output lines. */
export function capture(): { out: string[]; err: string[]; io: { out: (s: string) => void; err: (s: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s) => out.push(s), err: (s) => err.push(s) } };
}
