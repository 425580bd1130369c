// The daemon's admin (/config_dump, /logging, /quitquitquit), metrics and readiness endpoints.
import test from 'ava';
import { request } from 'undici';
import { namespace, pod } from '../../support/objects.js';
import { exchange, startMesh } from '../../support/mesh-harness.js';

const base = [
  namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
  pod('sleep-1', { ip: '10.244.1.5', node: 'node-1', sa: 'sleep', labels: { app: 'sleep' } }),
  pod('httpbin-2', { ip: '10.244.2.2', node: 'node-2', sa: 'httpbin', labels: { app: 'httpbin' } }),
];

async function get(port: number | undefined, path: string): Promise<{ status: number; text: string }> {
  const res = await request(`http://127.0.0.1:${port}${path}`);
  return { status: res.statusCode, text: await res.body.text() };
}

test('readiness, config_dump, metrics, logging and quitquitquit', async (t) => {
  const mesh = await startMesh(base);
  t.teardown(() => mesh.close());
  await mesh.app('10.244.2.2', 8080, 'httpbin-2');
  const d1 = mesh.daemons.get('node-1')!;
  const d2 = mesh.daemons.get('node-2')!;

  t.is((await get(d1.ports.readiness, '/healthz/ready')).status, 200);

  const sock = await mesh.connect('10.244.1.5', '10.244.2.2', 8080);
  t.is((await exchange(sock, 'a', 'hello httpbin-2\na'.length)).data, 'hello httpbin-2\na');

  const dump = JSON.parse((await get(d2.ports.admin, '/config_dump')).text) as {
    node: string; workloads: { name: string }[]; policies: { name: string }[];
    certificates: { identity: string; state: string; serial?: string; notAfter?: string }[]; connections: { direction: string; srcIdentity?: { serviceAccount: string } }[];
  };
  t.is(dump.node, 'node-2');
  t.deepEqual(dump.workloads.map((w) => w.name).sort(), ['httpbin-2', 'sleep-1']);
  t.true(dump.policies.some((p) => p.name === 'istio_converted_static_strict'));
  const cert = dump.certificates.find((c) => c.identity.endsWith('/sa/httpbin'));
  t.is(cert?.state, 'valid');
  t.truthy(cert?.serial && cert.notAfter);
  t.true(dump.connections.some((c) => c.direction === 'inbound' && c.srcIdentity?.serviceAccount === 'sleep'));
  sock.destroy();

  const metrics = (await get(d1.ports.metrics, '/metrics')).text;
  t.regex(metrics, /istio_tcp_connections_opened_total\{reporter="source"/);
  t.regex(metrics, /ambit_xds_connected 1/);
  t.regex(metrics, /ambit_certificate_expiry_seconds/);

  t.regex((await get(d1.ports.admin, '/logging?level=debug')).text, /level: debug/);

  t.is((await get(d1.ports.admin, '/quitquitquit')).status, 200);
  await new Promise((r) => setTimeout(r, 300));
  await t.throwsAsync(() => get(d1.ports.readiness, '/healthz/ready'), undefined, 'the daemon stopped');
});
