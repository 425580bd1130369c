// B6, the waypoint hop (bench/cases/waypoint-hop.ts), pure parts: the cluster's waypoint
// objects and what the controller makes of them, the nginx baseline's configuration, the
// counters read from the waypoint's metrics, log scanning, the named latency pictures,
// and the load generator's count of non-2xx responses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { silentLogger } from '../../../api/log.js';
import { ConfigStore } from '../../../controller/config/store.js';
import { buildModel } from '../../../controller/translate/build-model.js';
import { defaultMesh } from '../../../controller/translate/mesh.js';
import { isKnownKind, validateResource } from '../../../controller/validation/validate.js';
import { SERVICE_CIDR } from '../../../cli/local/topology-plan.js';
import { logProblems, logProblemsOfFile } from '../../../bench/cases/l4/log-problems.js';
import { NETNS_PODS, netnsObjects, netnsPlan, WAYPOINT_POD, WAYPOINT_VIPS, waypointObjects } from '../../../bench/cases/l4/netns-objects.js';
import { NGINX_KEEPALIVE_REQUESTS, nginxConfig } from '../../../bench/cases/l4/nginx-config.js';
import { OpenLoopHttp } from '../../../bench/cases/l4/open-loop.js';
import { counterSum, requestsByCode } from '../../../bench/cases/l4/prom-text.js';
import { latencyChartsOf } from '../../../bench/lib/write-latency-svg.js';
import type { LatencyChart } from '../../../bench/lib/latency-svg.js';
import type { BenchResult } from '../../../bench/result.js';

test('the waypoint objects are added only when asked for; the plan then has the waypoint pod on node-1', (t) => {
  t.is(netnsObjects().filter((o) => o.kind === 'Pod').length, 4);
  t.is(netnsObjects().filter((o) => o.kind === 'Service' || o.kind === 'Gateway').length, 0);
  const objects = netnsObjects({ waypoint: true });
  t.is(objects.filter((o) => o.kind === 'Pod').length, 5);
  t.deepEqual(netnsPlan('benchab12').pods.length, 4);
  const wp = netnsPlan('benchab12', { waypoint: true }).pods.find((p) => p.name === 'waypoint');
  t.deepEqual(wp && [wp.netns, wp.node, wp.ip], ['ambit-benchab12-mesh-waypoint', 'node-1', WAYPOINT_POD.ip]);
  const [prefix] = SERVICE_CIDR.split('.0.0/');
  for (const vip of Object.values(WAYPOINT_VIPS)) t.true(vip.startsWith(`${prefix!}.`), vip);
});

test('the controller sends server through the waypoint, server-l4 and the pods not, and keeps the waypoint pod out of the mesh', (t) => {
  const rejected: string[] = [];
  const store = new ConfigStore({
    validate: validateResource, isKnownKind, onChange: () => {},
    onRejected: (obj, errors) => rejected.push(`${obj.kind} ${obj.metadata.name}: ${errors.map((e) => e.message).join('; ')}`),
  }, silentLogger());
  store.replace(netnsObjects({ waypoint: true }), 'b6');
  const model = buildModel(store, defaultMesh());
  t.deepEqual(rejected, []);
  const svc = (name: string) => model.services.find((s) => s.namespace === 'mesh' && s.name === name);
  t.is(svc('server')?.waypoint?.name, 'waypoint');
  t.deepEqual(svc('server')?.addresses, [WAYPOINT_VIPS.server]);
  t.is(svc('server')?.ports.find((p) => p.servicePort === 8080)?.name, 'http');
  t.falsy(svc('server-l4')?.waypoint);
  t.deepEqual(svc('waypoint')?.addresses, [WAYPOINT_VIPS.waypoint]);
  const workload = (name: string) => model.workloads.find((w) => w.namespace === 'mesh' && w.name === name);
  t.is(workload('waypoint')?.tunnelProtocol === 'HBONE', false);
  t.is(workload('waypoint')?.serviceAccount, 'waypoint');
  t.is(workload('waypoint')?.node, 'node-1');
  t.is(workload('server')?.tunnelProtocol, 'HBONE');
  t.falsy(workload('server')?.waypoint);
  const gateway = waypointObjects().find((o) => o.kind === 'Gateway');
  t.is((gateway?.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName, 'istio-waypoint');
});

test('nginx: one process, keep-alive both sides, access log on or off', (t) => {
  const on = nginxConfig({ listen: { host: WAYPOINT_POD.ip, port: 8080 }, upstream: { host: NETNS_PODS.plainServer.ip, port: 8080 }, dir: '/tmp/x', accessLog: true });
  t.regex(on, /master_process off;/);
  t.regex(on, new RegExp(`listen ${WAYPOINT_POD.ip.replace(/\./g, '\\.')}:8080;`));
  t.regex(on, new RegExp(`server ${NETNS_PODS.plainServer.ip.replace(/\./g, '\\.')}:8080;`));
  t.regex(on, /keepalive 64;/);
  t.is(on.split(`keepalive_requests ${NGINX_KEEPALIVE_REQUESTS};`).length - 1, 2);
  t.regex(on, /proxy_set_header Connection "";/);
  t.regex(on, /access_log \/tmp\/x\/access\.log combined buffer=8k flush=200ms;/);
  t.regex(nginxConfig({ listen: { host: '10.0.0.1', port: 80 }, upstream: { host: '10.0.0.2', port: 80 }, dir: '/d', accessLog: false }), /access_log off;/);
});

test('counters from a Prometheus exposition', (t) => {
  const text = [
    '# HELP istio_requests_total Requests handled by the waypoint',
    'istio_requests_total{reporter="waypoint",response_code="200",response_flags="-"} 1200',
    'istio_requests_total{reporter="waypoint",response_code="200",response_flags="-",source_app="b"} 3',
    'istio_requests_total{reporter="waypoint",response_code="503",response_flags="UF"} 2',
    'istio_tcp_connections_opened_total{reporter="destination"} 5',
    'istio_tcp_connections_opened_total{reporter="source"} 7',
    'istio_tcp_connections_opened_total_other 100',
  ].join('\n');
  t.deepEqual(requestsByCode(text), { '200 -': 1203, '503 UF': 2 });
  t.is(counterSum(text, 'istio_tcp_connections_opened_total'), 12);
  t.is(counterSum(text, 'nothing'), 0);
});

test('log problems: warnings and errors counted, first distinct messages, also from a file read in chunks', (t) => {
  const lines = [
    '{"level":30,"msg":"request"}',
    '{"level":40,"msg":"connection complete","err":"read ECONNRESET"}',
    '{"level":50,"msg":"waypoint request failed unexpectedly","err":{"type":"Error","message":"boom","stack":"Error: boom"}}',
    '{"level":40,"msg":"connection complete","err":"read ECONNRESET"}',
  ];
  t.deepEqual(logProblems(lines.join('\n')), { count: 3, first: ['warn: connection complete (read ECONNRESET)', 'error: waypoint request failed unexpectedly (boom)'] });
  const dir = mkdtempSync(path.join(tmpdir(), 'b6-log-'));
  try {
    const file = path.join(dir, 'waypoint.log');
    // ~6 MiB of info lines around the problems: more than one 4 MiB chunk.
    const filler = `${'{"level":30,"msg":"request","path":"/payload"}\n'.repeat(70_000)}`;
    writeFileSync(file, `${filler}${lines.join('\n')}\n${filler}${lines[1]!}`);
    t.deepEqual(logProblemsOfFile(file), { count: 4, first: ['warn: connection complete (read ECONNRESET)', 'error: waypoint request failed unexpectedly (boom)'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('latency pictures are named by their result (default "latency"), the first of a name wins', (t) => {
  const chart = (title: string): LatencyChart => ({ title, series: [{ name: 'a', points: [{ rate: 1000, p50: 1, p90: 2, p99: 3 }] }] });
  const result = (raw: Record<string, unknown>): BenchResult => ({ id: 'B0', case: 'c', metric: 'm', unit: 'ms', ambit: 1, goal: '', met: true, raw });
  const got = latencyChartsOf([
    result({ latencyVsRate: chart('B1') }),
    result({}),
    result({ latencyVsRate: chart('B6'), latencyChartName: 'waypoint-latency' }),
    result({ latencyVsRate: chart('again'), latencyChartName: 'waypoint-latency' }),
    result({ latencyVsRate: chart('bad name'), latencyChartName: '../x' }),
  ]);
  t.deepEqual(got.map((c) => [c.name, c.chart.title]), [['latency', 'B1'], ['waypoint-latency', 'B6']]);
});

test('the open-loop load generator counts responses that are not 2xx', async (t) => {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    const ok = n++ % 2 === 0;
    const body = Buffer.alloc(16, 0x61);
    res.writeHead(ok ? 200 : 503, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const load = await OpenLoopHttp.open({ via: 'tcp', host: '127.0.0.1', port: (server.address() as AddressInfo).port }, 2, undefined);
    try {
      const run = await load.run(200, 200);
      t.is(run.completed, 40);
      t.is(run.non2xx, 20);
      t.regex(run.firstNon2xx ?? '', /^HTTP\/1\.1 503/);
    } finally {
      load.close();
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
