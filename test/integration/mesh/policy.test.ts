// L4 policy end to end: AuthorizationPolicy ALLOW/DENY by principal and port,
// PeerAuthentication STRICT vs PERMISSIVE, and open connections re-checked on change.
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { namespace, pod } from '../../support/objects.js';
import { exchange, startMesh, type Mesh } from '../../support/mesh-harness.js';
import { waitFor } from '../../support/controller-harness.js';

const base: KubeObject[] = [
  namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
  namespace('legacy'),
  pod('sleep-1', { ip: '10.244.1.5', node: 'node-1', sa: 'sleep', labels: { app: 'sleep' } }),
  pod('other-1', { ip: '10.244.1.6', node: 'node-1', sa: 'other', labels: { app: 'other' } }),
  pod('httpbin-2', { ip: '10.244.2.2', node: 'node-2', sa: 'httpbin', labels: { app: 'httpbin' } }),
  pod('httpbin-1', { ip: '10.244.1.2', node: 'node-1', sa: 'httpbin', labels: { app: 'httpbin' } }),
  pod('legacy-1', { ns: 'legacy', ip: '10.244.2.9', node: 'node-2', sa: 'legacy', labels: { app: 'legacy' } }),
];

function authz(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'default' }, spec };
}
function peerAuthn(name: string, spec: Record<string, unknown>, ns = 'default'): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns, creationTimestamp: '2026-01-01T00:00:00Z' }, spec };
}

const allowSleepOnly = authz('httpbin', {
  selector: { matchLabels: { app: 'httpbin' } },
  rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/sleep'] } }] }],
});

/** true when the connection carries data both ways, false when it is refused (closed without data). */
async function reaches(mesh: Mesh, from: string, to: string, port: number): Promise<boolean> {
  const sock = await mesh.connect(from, to, port);
  const r = await exchange(sock, 'hi', 'hello httpbin-N\nhi'.length, 3000);
  sock.destroy();
  return r.data.endsWith('hi');
}

async function withApps(objects: KubeObject[]): Promise<Mesh> {
  const mesh = await startMesh(objects);
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  await mesh.app('10.244.2.2', 9090, 'httpbin-2');
  await mesh.app('10.244.1.2', 8080, 'httpbin-1');
  return mesh;
}

test('ALLOW by principal: sleep reaches httpbin cross-node and same-node, another identity is refused', async (t) => {
  const mesh = await withApps([...base, allowSleepOnly]);
  t.teardown(() => mesh.close());
  t.true(await reaches(mesh, '10.244.1.5', '10.244.2.2', 8080), 'sleep → httpbin (cross-node)');
  t.true(await reaches(mesh, '10.244.1.5', '10.244.1.2', 8080), 'sleep → httpbin (same node)');
  t.false(await reaches(mesh, '10.244.1.6', '10.244.2.2', 8080), 'other → httpbin (cross-node)');
  t.false(await reaches(mesh, '10.244.1.6', '10.244.1.2', 8080), 'other → httpbin (same node)');
  const failed = await mesh.daemons.get('node-1')!.metrics.registry.getSingleMetricAsString('istio_tcp_connections_failed_total');
  t.regex(failed, /response_flags="DENY"/);
});

test('DENY by port: the denied port is refused, the other port still works', async (t) => {
  const mesh = await withApps([...base, authz('deny-9090', { action: 'DENY', rules: [{ to: [{ operation: { ports: ['9090'] } }] }] })]);
  t.teardown(() => mesh.close());
  t.true(await reaches(mesh, '10.244.1.5', '10.244.2.2', 8080));
  t.false(await reaches(mesh, '10.244.1.5', '10.244.2.2', 9090));
});

test('an ALLOW rule with HTTP attributes fails closed at L4', async (t) => {
  const mesh = await withApps([...base, authz('get-only', { selector: { matchLabels: { app: 'httpbin' } }, rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })]);
  t.teardown(() => mesh.close());
  t.false(await reaches(mesh, '10.244.1.5', '10.244.2.2', 8080));
});

test('STRICT refuses plaintext from outside the mesh; PERMISSIVE accepts it; mesh clients pass either way', async (t) => {
  const mesh = await withApps([...base, peerAuthn('default', { mtls: { mode: 'STRICT' } })]);
  t.teardown(() => mesh.close());
  t.false(await reaches(mesh, '10.244.2.9', '10.244.2.2', 8080), 'legacy (plaintext) → httpbin under STRICT');
  t.true(await reaches(mesh, '10.244.1.5', '10.244.2.2', 8080), 'sleep (mTLS) → httpbin under STRICT');
  await mesh.apply([...base, peerAuthn('default', { mtls: { mode: 'PERMISSIVE' } })]);
  t.true(await reaches(mesh, '10.244.2.9', '10.244.2.2', 8080), 'legacy → httpbin under PERMISSIVE');
});

test('port-level mTLS: STRICT workload with a PERMISSIVE port accepts plaintext only there', async (t) => {
  const mesh = await withApps([...base, peerAuthn('httpbin', {
    selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } },
  })]);
  t.teardown(() => mesh.close());
  t.false(await reaches(mesh, '10.244.2.9', '10.244.2.2', 8080));
  t.true(await reaches(mesh, '10.244.2.9', '10.244.2.2', 9090));
});

test('a policy change closes an open connection that is no longer allowed', async (t) => {
  const mesh = await withApps(base);
  t.teardown(() => mesh.close());
  const sock = await mesh.connect('10.244.1.6', '10.244.2.2', 8080);
  t.is((await exchange(sock, 'a', 'hello httpbin-2\na'.length)).data, 'hello httpbin-2\na');
  let closed = false;
  sock.once('close', () => { closed = true; });
  await mesh.apply([...base, allowSleepOnly]);
  await waitFor(() => closed, 5000, 'denied connection closed');
  t.true(closed);
  t.true((mesh.accessLogs.get('node-2') ?? []).some((l) => l.msg === 'connection closed due to policy change'));
  t.false(await reaches(mesh, '10.244.1.6', '10.244.2.2', 8080), 'and new ones are refused');
});
