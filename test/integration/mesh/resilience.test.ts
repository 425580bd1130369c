// The mesh keeps working through controller restarts and certificate rotation, refuses
// a server presenting the wrong identity, and malformed input closes only its connection.
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { namespace, pod } from '../../support/objects.js';
import { exchange, startMesh, type Mesh } from '../../support/mesh-harness.js';
import { waitFor } from '../../support/controller-harness.js';

const base: KubeObject[] = [
  namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
  pod('sleep-1', { ip: '10.244.1.5', node: 'node-1', sa: 'sleep', labels: { app: 'sleep' } }),
  pod('httpbin-2', { ip: '10.244.2.2', node: 'node-2', sa: 'httpbin', labels: { app: 'httpbin' } }),
];

async function roundTrip(mesh: Mesh, text: string): Promise<boolean> {
  const sock = await mesh.connect('10.244.1.5', '10.244.2.2', 8080);
  const r = await exchange(sock, text, `hello httpbin-2\n${text}`.length, 5000);
  sock.destroy();
  return r.data === `hello httpbin-2\n${text}`;
}

test('a controller restart drops no connection: open ones keep flowing, new ones keep working', async (t) => {
  const mesh = await startMesh(base);
  t.teardown(() => mesh.close());
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  const open = await mesh.connect('10.244.1.5', '10.244.2.2', 8080);
  t.is((await exchange(open, 'a', 'hello httpbin-2\na'.length)).data, 'hello httpbin-2\na');
  const restarting = mesh.control.restart();
  let failures = 0;
  let attempts = 0;
  while (attempts < 10) {
    attempts++;
    if (!(await roundTrip(mesh, `n${attempts}`))) failures++;
  }
  await restarting;
  await waitFor(() => [...mesh.daemons.values()].every((d) => d.discovery.connected), 10_000, 'daemons reconnected');
  t.is(failures, 0, `${failures} of ${attempts} new connections failed during the restart`);
  t.is((await exchange(open, 'b', 'b'.length)).data, 'b', 'the open connection still flows');
  open.destroy();
  t.true(await roundTrip(mesh, 'after'));
});

test('certificate rotation under traffic: short-lived certificates renew and no connection fails', async (t) => {
  const mesh = await startMesh(base, { certTtlSeconds: 3 });
  t.teardown(() => mesh.close());
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  const d2 = mesh.daemons.get('node-2')!;
  const serial = (): string | undefined => d2.identities.snapshot().find((s) => s.identity.endsWith('/sa/httpbin'))?.serial;
  t.true(await roundTrip(mesh, 'first'));
  const first = serial();
  let failures = 0;
  const started = Date.now();
  let n = 0;
  while (Date.now() - started < 4500) {
    n++;
    if (!(await roundTrip(mesh, `r${n}`))) failures++;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.not(serial(), first, 'the server certificate was renewed');
  t.is(failures, 0, `${failures} of ${n} connections failed across rotations`);
});

test('a server presenting another identity than the destination workload\'s is refused', async (t) => {
  const mesh = await startMesh(base);
  t.teardown(() => mesh.close());
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  // node-1 is told (as if by a stale or forged config) that the pod runs as another service account.
  const d1 = mesh.daemons.get('node-1')!;
  const real = d1.state.workloadByIp('10.244.2.2')!;
  const updater = (d1.discovery as unknown as { opts: { updater: { apply: (u: unknown) => unknown } } }).opts.updater;
  updater.apply({ full: false, version: d1.state.version, removals: [], upserts: [{ kind: 'WORKLOAD', name: real.uid, value: { ...real, serviceAccount: 'impostor' } }] });
  t.false(await roundTrip(mesh, 'x'));
  await waitFor(() => (mesh.accessLogs.get('node-1') ?? []).some((l) => typeof l.error === 'string' && /identity|SAN|spiffe/i.test(l.error)), 5000, 'identity error logged');
  t.pass();
});

test('malformed input on the HBONE port closes only that connection', async (t) => {
  const mesh = await startMesh(base);
  t.teardown(() => mesh.close());
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  const ongoing = await mesh.connect('10.244.1.5', '10.244.2.2', 8080);
  t.is((await exchange(ongoing, 'a', 'hello httpbin-2\na'.length)).data, 'hello httpbin-2\na');
  // Garbage straight to node-2's HBONE listener for the pod's address.
  const garbage = await mesh.fabric.connect({ ip: '172.18.0.1', port: 5555 }, { ip: '10.244.2.2', port: 15008 });
  const closed = new Promise<void>((resolve) => {
    garbage.once('end', () => resolve());
    garbage.once('close', () => resolve());
  });
  garbage.on('error', () => undefined);
  garbage.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await closed;
  t.is((await exchange(ongoing, 'b', 'b'.length)).data, 'b', 'the other connection is untouched');
  ongoing.destroy();
  t.true(await roundTrip(mesh, 'after'));
  t.true(mesh.daemons.get('node-2')!.hboneServer.stats().closed.tls_error >= 1);
});
