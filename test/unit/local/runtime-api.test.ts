// The runtime's API over a UNIX socket, with a fake runtime: routes, request checks,
// error answers with codes, /stop answered before the process is told to exit.
import test from 'ava';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AmbitError, isAmbitError } from '../../../api/errors.js';
import { silentLogger } from '../../../api/log.js';
import { groupKind, type KubeObject } from '../../../controller/config/resource.js';
import { RuntimeClient, type ApplyRequest, type LabelRequest, type OperationResult, type PodInfo, type RuntimeService } from '../../../cli/local/runtime-api.js';
import { startRuntimeServer } from '../../../cli/local/runtime-server.js';
import { unixRequest } from '../../../cli/local/unix-http.js';

class FakeRuntime implements RuntimeService {
  readonly calls: string[] = [];
  stopped = false;
  status() { return { cluster: 'fake', phase: 'ready' as const, pid: 1, version: 3, nodes: ['node-1'], problems: [] }; }
  nodeInfos() { return Promise.resolve([{ name: 'node-1', ip: '172.18.0.1', podCidr: '10.244.1.0/24', netns: 'n', daemon: { status: 'Ready', ready: true, pid: 9, restarts: 0 } }]); }
  podInfos(): PodInfo[] { return [{ namespace: 'default', name: 'p', node: 'node-1', ip: '10.244.1.2', status: 'Running', ready: true, mesh: 'no', netns: 'x', containers: [], labels: {}, serviceAccount: 'default' }]; }
  serviceInfos() { return []; }
  workloadInfos() { return []; }
  objectsOf(kinds: readonly string[]): KubeObject[] {
    const all: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint', namespace: 'default' } },
    ];
    return all.filter((o) => kinds.includes(groupKind(o)));
  }
  apply(req: ApplyRequest): Promise<OperationResult> {
    this.calls.push(`apply ${req.objects.map((o) => o.object.metadata.name).join(',')} ${req.timeoutMs ?? '-'}`);
    return Promise.resolve({ changes: [{ ref: 'service/a', namespace: 'default', action: 'created' }], findings: [], version: 4, errors: [] });
  }
  delete(req: ApplyRequest): Promise<OperationResult> {
    this.calls.push(`delete ${req.objects.length}`);
    return Promise.resolve({ changes: [], findings: [], version: 5, errors: [] });
  }
  label(req: LabelRequest): Promise<OperationResult> {
    if (req.name === 'ghost') return Promise.reject(new AmbitError('AMBIT_ERR_CONFIG', 'pod default/ghost not found'));
    this.calls.push(`label ${req.kind} ${req.name} ${JSON.stringify(req.edit)}`);
    return Promise.resolve({ changes: [{ ref: `pod/${req.name}`, action: 'labeled' }], findings: [], version: 6, errors: [] });
  }
  stop(): Promise<void> { this.stopped = true; return Promise.resolve(); }
}

async function withServer(t: { teardown(fn: () => void): void }): Promise<{ fake: FakeRuntime; client: RuntimeClient; socket: string; stopped: Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambit-api-'));
  const socket = path.join(dir, 'runtime.sock');
  const fake = new FakeRuntime();
  let onStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => { onStopped = resolve; });
  const server = await startRuntimeServer(fake, socket, silentLogger(), onStopped);
  t.teardown(() => { void server.close().then(() => rmSync(dir, { recursive: true, force: true })); });
  return { fake, client: new RuntimeClient(socket, 'fake'), socket, stopped };
}

test('routes: status, get, apply, delete, label, stop', async (t) => {
  const { fake, client, socket, stopped } = await withServer(t);
  t.is(statSync(socket).mode & 0o777, 0o600, 'root only');
  t.is((await client.status()).phase, 'ready');
  t.is((await client.get<PodInfo>('pods'))[0]?.name, 'p');
  t.is((await client.get('nodes')).length, 1);
  t.deepEqual(await client.get('services'), []);
  t.deepEqual((await client.objects(['gateway.networking.k8s.io/Gateway', 'Namespace'])).map((o) => o.kind).sort(), ['Gateway', 'Namespace']);
  t.deepEqual(await client.objects(['Service']), []);
  const applied = await client.apply({ objects: [{ object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } }, file: 'a.yaml' }], timeoutMs: 5_000 });
  t.is(applied.version, 4);
  t.is((await client.delete({ objects: [] })).version, 5);
  t.is((await client.label({ kind: 'pod', namespace: 'default', name: 'p', edit: { a: '1', b: null } })).version, 6);
  t.deepEqual(fake.calls, ['apply a 5000', 'delete 0', 'label pod p {"a":"1","b":null}']);
  t.deepEqual(await client.stop(), { stopped: true });
  t.true(fake.stopped);
  await stopped; // the process is told to exit only after the answer went out
});

test('errors: codes from the runtime, bad requests, unknown routes, no cluster', async (t) => {
  const { client, socket } = await withServer(t);
  const ghost = await t.throwsAsync(client.label({ kind: 'pod', namespace: 'default', name: 'ghost', edit: { a: '1' } }));
  t.true(isAmbitError(ghost, 'AMBIT_ERR_CONFIG'));
  t.is(ghost?.message, 'pod default/ghost not found');
  const bad = await unixRequest(socket, '/apply', { body: { objects: [{ object: { kind: 'Service' }, file: 'x' }] } });
  t.is(bad.status, 400);
  t.deepEqual(Object.keys(JSON.parse(bad.body) as object), ['code', 'message']);
  t.regex((JSON.parse(bad.body) as { message: string }).message, /^expected \{"objects"/);
  t.is((JSON.parse(bad.body) as { code: string }).code, 'AMBIT_ERR_CONFIG');
  const badLabel = await unixRequest(socket, '/label', { body: { kind: 'deploy', name: 'x', edit: {} } });
  t.is(badLabel.status, 400);
  const none = await unixRequest(socket, '/nope');
  t.is(none.status, 404);
  t.regex(none.body, /no route GET \/nope/);
  const missing = new RuntimeClient(path.join(path.dirname(socket), 'absent.sock'), 'gone');
  const err = await t.throwsAsync(missing.status());
  t.true(isAmbitError(err, 'AMBIT_ERR_LOCAL_NO_CLUSTER'));
  t.regex(err?.message ?? '', /local cluster "gone" is not running/);
});
