// The waypoint in-process (the mesh of waypoint-support.ts): routing, gRPC, TCP, the
// upstream exchange and malformed input.
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { waitFor } from '../../support/controller-harness.js';
import { exchange, type Mesh } from '../../support/mesh-harness.js';
import { pod } from '../../support/objects.js';
import { BIG_BYTES, base, closed, destinationRule, get, httpbin, seen, setup, virtualService, withWaypoint } from './waypoint-support.js';

test('a service with a waypoint: requests go through it, with forwarding headers, telemetry and the waypoint identity at the pod', async (t) => {
  const { mesh, waypoint, accessLog } = await setup([...base, withWaypoint]);
  t.teardown(() => mesh.close());
  const r = await get(mesh, '/get?x=1', { 'user-agent': 'curl/8' });
  t.is(r.status, 200);
  const s = seen(r);
  t.is(s.url, '/get?x=1');
  t.is(s.headers['x-forwarded-for'], '10.244.1.5');
  t.is(s.headers['x-forwarded-proto'], 'http');
  t.regex(String(s.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  t.regex(String(s.headers.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  t.is(s.headers.host, 'httpbin:8000');
  await waitFor(() => accessLog.some((l) => l.path === '/get?x=1'), 5000, 'waypoint access log');
  const line = accessLog.find((l) => l.path === '/get?x=1')!;
  t.is(line.response_code, 200);
  t.is(line.response_flags, '-');
  t.is(line['src.identity'], 'spiffe://cluster.local/ns/default/sa/sleep');
  const metrics = await waypoint.metrics.registry.getSingleMetricAsString('istio_requests_total');
  t.regex(metrics, /reporter="waypoint".*source_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep".*destination_service="httpbin.default.svc.cluster.local".*response_code="200"/);
  // The endpoint's node saw the waypoint's identity, not the client's.
  const node = s.pod === 'httpbin-v1' ? 'node-1' : 'node-2';
  await waitFor(() => (mesh.accessLogs.get(node) ?? []).some((l) => l.direction === 'inbound' && l['src.identity'] === 'spiffe://cluster.local/ns/default/sa/waypoint'), 5000, 'inbound from the waypoint');
  t.pass();
});

test('rules 61, 67, 59: VirtualService prefix routes with rewrite, header match to a subset, first match wins', async (t) => {
  const vs = virtualService([
    { match: [{ uri: { prefix: '/one' } }], rewrite: { uri: '/ip' }, route: [{ destination: { host: 'httpbin', subset: 'v1' } }] },
    { match: [{ headers: { 'user-agent': { regex: '.*Chrome.*' } } }], route: [{ destination: { host: 'httpbin', subset: 'v2' } }] },
    { match: [{ uri: { exact: '/missing-subset' } }], route: [{ destination: { host: 'httpbin', subset: 'v3' } }] },
    { match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'httpbin', subset: 'v1' } }] },
  ]);
  const { mesh } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  const one = await get(mesh, '/one/x?q=1');
  t.is(one.status, 200);
  t.is(seen(one).url, '/ip/x?q=1');
  t.is(seen(one).pod, 'httpbin-v1');
  for (let i = 0; i < 4; i++) t.is(seen(await get(mesh, '/headers', { 'user-agent': 'Mozilla/5.0 Chrome/120' })).pod, 'httpbin-v2');
  for (let i = 0; i < 4; i++) t.is(seen(await get(mesh, '/headers', { 'user-agent': 'curl/8' })).pod, 'httpbin-v1');
  const missing = await get(mesh, '/missing-subset');
  t.is(missing.status, 503);
});

test('rule 60: a VirtualService whose routes do not match answers 404 (NR)', async (t) => {
  const vs = virtualService([{ match: [{ uri: { exact: '/only' } }], route: [{ destination: { host: 'httpbin' } }] }]);
  const { mesh, accessLog } = await setup([...base, withWaypoint, vs]);
  t.teardown(() => mesh.close());
  t.is((await get(mesh, '/only')).status, 200);
  t.is((await get(mesh, '/other')).status, 404);
  await waitFor(() => accessLog.some((l) => l.path === '/other'), 5000, 'access log of the 404');
  t.is(accessLog.find((l) => l.path === '/other')!.response_flags, 'NR');
});

test('rule 71: weights 80/20 across subsets (statistical, 200 requests)', async (t) => {
  const vs = virtualService([{ route: [
    { destination: { host: 'httpbin', subset: 'v1' }, weight: 80 },
    { destination: { host: 'httpbin', subset: 'v2' }, weight: 20 },
  ] }]);
  const { mesh } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  let v2 = 0;
  for (let i = 0; i < 200; i++) if (seen(await get(mesh, '/get')).pod === 'httpbin-v2') v2++;
  // 20 % of 200 = 40; binomial sd ≈ 5.7: ±4 sd.
  t.true(v2 >= 17 && v2 <= 63, `v2 got ${v2} of 200`);
});

test('removing the use-waypoint label takes the waypoint out of the path (no restart)', async (t) => {
  const { mesh, accessLog } = await setup([...base, withWaypoint]);
  t.teardown(() => mesh.close());
  t.is((await get(mesh, '/via')).status, 200);
  await waitFor(() => accessLog.some((l) => l.path === '/via'), 5000, 'waypoint saw the first request');
  await mesh.apply([...base, httpbin]);
  const r = await get(mesh, '/direct');
  t.is(r.status, 200);
  t.is(seen(r).headers['x-forwarded-for'], undefined);
  t.false(accessLog.some((l) => l.path === '/direct'));
});

/** A unary gRPC echo service with raw-bytes messages (no .proto needed). */
const ECHO_PATH = '/ambit.test.Echo/Echo';
const bytes = { serialize: (b: Buffer): Buffer => b, deserialize: (b: Buffer): Buffer => b };

async function grpcEcho(mesh: Mesh, ip: string, port: number, name: string): Promise<grpc.Server> {
  const server = new grpc.Server();
  server.addService({
    echo: { path: ECHO_PATH, requestStream: false, responseStream: false, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
  }, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      if (call.request.toString() === 'fail') cb({ code: grpc.status.FAILED_PRECONDITION, details: 'asked to fail' });
      else cb(null, Buffer.concat([Buffer.from(`${name}:`), call.request]));
    },
  });
  const bound = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  mesh.fabric.serve(ip, port, bound);
  return server;
}

/** One unary gRPC call over h2c prior knowledge from the sleep pod to a VIP (hand-framed: the fabric gives a socket, not an address). */
async function grpcCall(mesh: Mesh, vip: string, port: number, message: string): Promise<{ status: string | undefined; message: string; body: string }> {
  const sock = await mesh.connect('10.244.1.5', vip, port);
  const session = http2.connect(`http://${vip}:${port}`, { createConnection: () => sock });
  try {
    return await new Promise((resolve, reject) => {
      const payload = Buffer.from(message);
      const frame = Buffer.alloc(5 + payload.length);
      frame.writeUInt32BE(payload.length, 1);
      payload.copy(frame, 5);
      const req = session.request({ ':method': 'POST', ':path': ECHO_PATH, 'content-type': 'application/grpc', te: 'trailers' });
      const chunks: Buffer[] = [];
      let trailers: http2.IncomingHttpHeaders = {};
      let headers: http2.IncomingHttpHeaders = {};
      req.on('response', (h) => { headers = h; });
      req.on('trailers', (h: http2.IncomingHttpHeaders) => { trailers = h; });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const status = trailers['grpc-status'] ?? headers['grpc-status'];
        const msg = trailers['grpc-message'] ?? headers['grpc-message'];
        resolve({ status: Array.isArray(status) ? status[0] : status, message: String(msg ?? ''), body: body.length > 5 ? body.subarray(5).toString() : '' });
      });
      req.on('error', reject);
      req.end(frame);
    });
  } finally {
    await new Promise<void>((resolve) => session.close(resolve));
  }
}

test('gRPC (h2c) through the waypoint: unary calls with their trailers, an error status passed back', async (t) => {
  const grpcService: KubeObject = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'default', labels: { 'istio.io/use-waypoint': 'waypoint' } },
    spec: { clusterIP: '10.96.0.30', selector: { app: 'echo' }, ports: [{ name: 'grpc', port: 9000, targetPort: 9000 }] },
  };
  const { mesh, waypoint } = await setup([...base, withWaypoint, pod('echo-1', { ip: '10.244.2.5', node: 'node-2', sa: 'echo', labels: { app: 'echo' } }), grpcService]);
  const server = await grpcEcho(mesh, '10.244.2.5', 9000, 'echo-1');
  t.teardown(() => { server.forceShutdown(); return mesh.close(); });
  mesh.enrollMeshPods();
  const ok = await grpcCall(mesh, '10.96.0.30', 9000, 'hello');
  t.is(ok.status, '0');
  t.is(ok.body, 'echo-1:hello');
  const failed = await grpcCall(mesh, '10.96.0.30', 9000, 'fail');
  t.is(failed.status, String(grpc.status.FAILED_PRECONDITION));
  t.is(decodeURIComponent(failed.message), 'asked to fail');
  const metrics = await waypoint.metrics.registry.getSingleMetricAsString('istio_requests_total');
  t.regex(metrics, /destination_service="echo.default.svc.cluster.local".*request_protocol="grpc".*grpc_response_status="9"/);
});

/** The TCP echo Service (port 9000, VIP 10.96.0.40), served by the waypoint. */
const TCP_ECHO_SERVICE: KubeObject = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'tcp-echo', namespace: 'default', labels: { 'istio.io/use-waypoint': 'waypoint' } },
  spec: { clusterIP: '10.96.0.40', selector: { app: 'tcp-echo' }, ports: [{ name: 'tcp', port: 9000, targetPort: 9000 }] },
};

test('rule 80: TCP routes with weights through the waypoint (per connection)', async (t) => {
  const dr: KubeObject = {
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'tcp-echo', namespace: 'default' },
    spec: { host: 'tcp-echo', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
  };
  const vs: KubeObject = {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'tcp-echo', namespace: 'default' },
    spec: { hosts: ['tcp-echo'], tcp: [{ match: [{ port: 9000 }], route: [
      { destination: { host: 'tcp-echo', subset: 'v1' }, weight: 80 },
      { destination: { host: 'tcp-echo', subset: 'v2' }, weight: 20 },
    ] }] },
  };
  const { mesh } = await setup([
    ...base, withWaypoint, TCP_ECHO_SERVICE, dr, vs,
    pod('tcp-echo-v1', { ip: '10.244.1.8', node: 'node-1', sa: 'tcp-echo', labels: { app: 'tcp-echo', version: 'v1' } }),
    pod('tcp-echo-v2', { ip: '10.244.2.8', node: 'node-2', sa: 'tcp-echo', labels: { app: 'tcp-echo', version: 'v2' } }),
  ]);
  t.teardown(() => mesh.close());
  mesh.enrollMeshPods();
  await mesh.app('10.244.1.8', 9000, 'v1');
  await mesh.app('10.244.2.8', 9000, 'v2');
  let v2 = 0;
  for (let i = 0; i < 100; i++) {
    const sock = await mesh.connect('10.244.1.5', '10.96.0.40', 9000);
    const r = await exchange(sock, 'x', 'hello vN\nx'.length);
    await closed(sock);
    if (r.data.startsWith('hello v2')) v2++;
    else t.true(r.data.startsWith('hello v1'), r.data);
  }
  // 20 % of 100; binomial sd = 4: ±4 sd.
  t.true(v2 >= 4 && v2 <= 36, `v2 got ${v2} of 100`);
});

test('rules 86, 87 over TCP: a refusing endpoint is ejected after its connection failure; past maxConnections a connection is closed', async (t) => {
  const dr: KubeObject = {
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'tcp-echo', namespace: 'default' },
    spec: { host: 'tcp-echo', trafficPolicy: {
      loadBalancer: { simple: 'ROUND_ROBIN' },
      connectionPool: { tcp: { maxConnections: 2 } },
      outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '30s', maxEjectionPercent: 100 },
    } },
  };
  const { mesh } = await setup([
    ...base, withWaypoint, TCP_ECHO_SERVICE, dr,
    pod('tcp-echo-ok', { ip: '10.244.1.8', node: 'node-1', sa: 'tcp-echo', labels: { app: 'tcp-echo' } }),
    // Nothing listens on tcp-echo-dead's port: its connections fail.
    pod('tcp-echo-dead', { ip: '10.244.2.8', node: 'node-2', sa: 'tcp-echo', labels: { app: 'tcp-echo' } }),
  ]);
  t.teardown(() => mesh.close());
  await mesh.app('10.244.1.8', 9000, 'ok');
  const answers: string[] = [];
  for (let i = 0; i < 6; i++) {
    const sock = await mesh.connect('10.244.1.5', '10.96.0.40', 9000);
    // A refused connection ends (EOF) with nothing sent back: 1.5 s is plenty to tell.
    const r = await exchange(sock, 'x', 'hello ok\nx'.length, 1500);
    await closed(sock);
    answers.push(r.data.startsWith('hello ok') ? 'ok' : 'failed');
  }
  t.true(answers.filter((a) => a === 'failed').length <= 1, answers.join(','));
  t.deepEqual(answers.slice(-4), ['ok', 'ok', 'ok', 'ok'], 'after its failure the dead endpoint gets no connections');
  // Two connections held open, a third is closed at once (UO).
  const held = [await mesh.connect('10.244.1.5', '10.96.0.40', 9000), await mesh.connect('10.244.1.5', '10.96.0.40', 9000)];
  for (const s of held) await exchange(s, 'x', 'hello ok\nx'.length);
  const third = await mesh.connect('10.244.1.5', '10.96.0.40', 9000);
  const r3 = await exchange(third, 'x', 1, 1500);
  t.is(r3.data, '', 'the third connection got nothing back');
  for (const s of [...held, third]) await closed(s);
});

test('upstream exchanges: a request body forwarded, two cookies kept apart, a 4 MiB response streamed, a reset mid-body reaches the client (UR)', async (t) => {
  const { mesh, accessLog } = await setup([...base, withWaypoint]);
  t.teardown(() => mesh.close());
  const payload = Buffer.alloc(300 * 1024, 'p');
  const posted = await get(mesh, '/post', { 'content-type': 'application/octet-stream' }, { method: 'POST', body: payload });
  t.is(posted.status, 200);
  t.is(seen(posted).bodyBytes, payload.length);
  t.is(seen(posted).method, 'POST');

  const cookies = await get(mesh, '/cookies');
  t.deepEqual(cookies.headers['set-cookie'], ['a=1; Path=/', 'b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT']);

  const big = await get(mesh, '/big');
  t.is(big.status, 200);
  t.is(big.body.length, BIG_BYTES);

  await t.throwsAsync(get(mesh, '/reset'));
  await waitFor(() => accessLog.some((l) => l.path === '/reset'), 5000, 'access log of the reset');
  const line = accessLog.find((l) => l.path === '/reset')!;
  t.is(line.response_flags, 'UR');
  t.is(line.response_code, 200);
  const post = accessLog.find((l) => l.path === '/post')!;
  t.is(post.bytes_received, payload.length);
  t.is(accessLog.find((l) => l.path === '/big')!.bytes_sent, BIG_BYTES);
});

test('rules 74, 75: an endpoint that refuses the connection is retried twice by default, then 503 with flags UF,URX and Envoy\'s body', async (t) => {
  // httpbin-v3 runs on node-2 but nothing listens on its port.
  const v3 = pod('httpbin-v3', { ip: '10.244.2.3', node: 'node-2', sa: 'httpbin', labels: { app: 'httpbin', version: 'v3' } });
  const vs = virtualService([{ route: [{ destination: { host: 'httpbin', subset: 'v3' } }] }]);
  const dr = { ...destinationRule, spec: { host: 'httpbin', subsets: [{ name: 'v3', labels: { version: 'v3' } }] } };
  const { mesh, accessLog } = await setup([...base, v3, withWaypoint, dr, vs]);
  t.teardown(() => mesh.close());
  const r = await get(mesh, '/refused');
  t.is(r.status, 503);
  t.regex(r.body, /^upstream connect error or disconnect\/reset before headers/);
  await waitFor(() => accessLog.some((l) => l.path === '/refused'), 5000, 'access log of the 503');
  t.is(accessLog.find((l) => l.path === '/refused')!.response_flags, 'UF,URX');
});

test('malformed HTTP gets 400 on that connection only; the next connection is served', async (t) => {
  const { mesh } = await setup([...base, withWaypoint]);
  t.teardown(() => mesh.close());
  const bad = await mesh.connect('10.244.1.5', '10.96.0.10', 8000);
  const r1 = await exchange(bad, 'GET /x HTTP/1.1\r\nno-colon-here\r\n\r\n', 12);
  t.regex(r1.data, /^HTTP\/1\.1 400 /);
  await closed(bad);
  t.is((await get(mesh, '/after')).status, 200);
});
