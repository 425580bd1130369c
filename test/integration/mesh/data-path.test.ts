// The whole data path in-process: pod → node-1 daemon → HBONE (mTLS + HTTP/2 CONNECT)
// → node-2 daemon → pod, and the same-node path, with real certificates from the
// controller's CA, identities checked, telemetry recorded.
import test from 'ava';
import { namespace, pod, service } from '../../support/objects.js';
import { exchange, startMesh } from '../../support/mesh-harness.js';
import { waitFor } from '../../support/controller-harness.js';

const objects = [
  namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
  namespace('legacy'),
  pod('sleep-1', { ip: '10.244.1.5', node: 'node-1', sa: 'sleep', labels: { app: 'sleep' } }),
  pod('httpbin-1', { ip: '10.244.1.2', node: 'node-1', sa: 'httpbin', labels: { app: 'httpbin' } }),
  pod('httpbin-2', { ip: '10.244.2.2', node: 'node-2', sa: 'httpbin', labels: { app: 'httpbin' } }),
  pod('legacy-1', { ns: 'legacy', ip: '10.244.2.9', node: 'node-2', sa: 'legacy', labels: { app: 'legacy' } }),
  service('httpbin', { vip: '10.96.0.10', port: 8000, targetPort: 8080, selector: { app: 'httpbin' } }),
];

test('cross-node via the pod IP: bytes both ways through HBONE, the server sees the client identity', async (t) => {
  const mesh = await startMesh(objects);
  t.teardown(() => mesh.close());
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  const sock = await mesh.connect('10.244.1.5', '10.244.2.2', 8080);
  const r = await exchange(sock, 'ping\n', 'hello httpbin-2\nping\n'.length);
  t.is(r.data, 'hello httpbin-2\nping\n');
  sock.end();
  await waitFor(() => (mesh.accessLogs.get('node-2') ?? []).some((l) => l.direction === 'inbound' && l['bytes_recv'] !== undefined), 5000, 'inbound access log');
  const inbound = (mesh.accessLogs.get('node-2') ?? []).find((l) => l.direction === 'inbound')!;
  t.is(inbound['src.identity'], 'spiffe://cluster.local/ns/default/sa/sleep');
  t.is(inbound['dst.workload'], 'httpbin-2');
  t.is(inbound['dst.addr'], '10.244.2.2:8080');
  await waitFor(() => (mesh.accessLogs.get('node-1') ?? []).some((l) => l.direction === 'outbound'), 5000, 'outbound access log');
  const outbound = (mesh.accessLogs.get('node-1') ?? []).find((l) => l.direction === 'outbound')!;
  t.is(outbound['dst.hbone_addr'], '10.244.2.2:15008');
  t.is(outbound['dst.identity'], 'spiffe://cluster.local/ns/default/sa/httpbin');
  const metrics = await mesh.daemons.get('node-2')!.metrics.registry.getSingleMetricAsString('istio_tcp_connections_opened_total');
  t.regex(metrics, /reporter="destination".*source_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep".*connection_security_policy="mutual_tls"/);
});

test('through the service VIP: round robin over both endpoints, same-node and cross-node', async (t) => {
  const mesh = await startMesh(objects);
  t.teardown(() => mesh.close());
  const a = await mesh.app('10.244.1.2', 8080, 'httpbin-1');
  const b = await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const sock = await mesh.connect('10.244.1.5', '10.96.0.10', 8000);
    const r = await exchange(sock, 'x', 'hello httpbin-N\nx'.length);
    seen.add(r.data.split('\n')[0]!);
    sock.end();
  }
  t.deepEqual([...seen].sort(), ['hello httpbin-1', 'hello httpbin-2']);
  t.true(a.connections >= 1 && b.connections >= 1);
});

test('half-close: the client ends its side and still receives the rest', async (t) => {
  const mesh = await startMesh(objects);
  t.teardown(() => mesh.close());
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  const sock = await mesh.connect('10.244.1.5', '10.244.2.2', 8080);
  const payload = 'z'.repeat(200_000);
  const done = exchange(sock, '', 'hello httpbin-2\n'.length + payload.length, 10_000);
  sock.end(payload); // the echo server echoes everything, then ends when it sees our end
  const r = await done;
  t.is(r.data.length, 'hello httpbin-2\n'.length + payload.length);
  await waitFor(() => r.closed || sock.destroyed || sock.readableEnded, 5000, 'server end after half-close');
});

test('a pod outside the mesh is reached by passthrough; its plaintext reaches mesh pods under PERMISSIVE', async (t) => {
  const mesh = await startMesh(objects);
  t.teardown(() => mesh.close());
  await mesh.app('10.244.2.9', 80, 'legacy-1');
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  const out = await mesh.connect('10.244.1.5', '10.244.2.9', 80);
  t.is((await exchange(out, 'a', 'hello legacy-1\na'.length)).data, 'hello legacy-1\na');
  out.end();
  const plain = await mesh.connect('10.244.2.9', '10.244.2.2', 8080);
  t.is((await exchange(plain, 'b', 'hello httpbin-2\nb'.length)).data, 'hello httpbin-2\nb');
  plain.end();
});

test('no leaked streams or tracked connections after everything closes', async (t) => {
  const mesh = await startMesh(objects);
  t.teardown(() => mesh.close());
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  const socks = await Promise.all([0, 1, 2, 3, 4].map(() => mesh.connect('10.244.1.5', '10.244.2.2', 8080)));
  await Promise.all(socks.map((s) => exchange(s, 'q', 'hello httpbin-2\nq'.length)));
  for (const s of socks) s.end();
  const d1 = mesh.daemons.get('node-1')!;
  const d2 = mesh.daemons.get('node-2')!;
  await waitFor(() => d1.pool.stats().streams === 0 && d2.tracker.size === 0 && d2.hboneServer.stats().streams === 0, 5000, 'streams drained');
  t.is(d1.pool.stats().connections, 1, 'one pooled tunnel carried all five');
  t.is(d2.tracker.size, 0);
});
