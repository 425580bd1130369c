// Privileged end to end (root): the waypoint on a real 2-node `ambit local` cluster, with
// real httpbin (python3-httpbin under gunicorn), curl, a gRPC echo (@grpc/grpc-js) and a
// TCP echo as pods. What a user of Istio ambient does: apply the waypoint Gateway, label
// a Service `istio.io/use-waypoint=waypoint`, and the request-routing labs work — prefix
// routes with rewrite (/one → /ip, /two → /user-agent), header routing by user agent,
// 80/20 weights, 404 when no route matches, 503 for an undefined subset, gRPC through
// the waypoint, TCP weights; L7 metrics with Istio's labels; the resilience labs (a
// route timeout, retries counted at the pod, an abort and a delay on a header match, a
// mirror seen in the mirror's log); circuit breaking under concurrent clients; outlier
// detection ejecting a pod that fails;
// removing the label takes the waypoint out of the path without restarting anything.
//
// One cluster for the file (random name, state under a temp dir); the tests run in order
// on it. Never skipped: without root it fails. `down`, teardown() of the state dir and a
// sweep of this run's namespaces run after the tests even when they fail.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Ambit, CLI, FIXTURES, REPO, cleanUpCluster, describeRun, sleep, until, type Pod, type Run,
} from './local-mesh-support.js';

const isRoot = process.getuid?.() === 0;
const ci = process.env.CI === 'true';
const cluster = `w${randomBytes(3).toString('hex')}`;
const EXAMPLES = path.join(REPO, 'examples');
const WAYPOINT_EXAMPLES = path.join(EXAMPLES, 'waypoint');
const WAYPOINT_FIXTURES = path.join(FIXTURES, 'waypoint');
const GRPC_ECHO = path.join(REPO, 'dist', 'test', 'privileged', 'fixtures', 'waypoint', 'grpc-echo.js');

let stateRoot = '';
let ambit: Ambit;
let upAttempted = false;
let sleepPod: Pod | undefined;

function sleeper(): Pod {
  if (!sleepPod) throw new Error('the cluster is not up (see the first test)');
  return sleepPod;
}

/** curl from the sleep pod: `<http code> <body>` (body trimmed). */
async function curl(url: string, args: readonly string[] = []): Promise<{ code: number; http: string; body: string; run: Run }> {
  const r = await ambit.exec(sleeper(), ['curl', '-sS', '-m', '5', '-w', '\n%{http_code}', ...args, url], 20_000);
  const lines = r.stdout.trimEnd().split('\n');
  const http = lines.pop() ?? '';
  return { code: r.code, http, body: lines.join('\n'), run: r };
}

async function apply(file: string): Promise<void> {
  const r = await ambit.local(['apply', '-f', file], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`ambit local apply -f ${path.relative(REPO, file)}: ${describeRun(r)}`);
}

async function label(kind: 'svc' | 'ns', name: string, edit: string): Promise<void> {
  const r = await ambit.local(['label', kind, name, edit], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`ambit local label ${kind} ${name} ${edit}: ${describeRun(r)}`);
}

/** pid of each running pod and daemon process (to show nothing restarted). */
async function pids(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const r = await ambit.local(['get', 'pods', '-A', '-o', 'json']);
  for (const p of JSON.parse(r.stdout) as { namespace: string; name: string; containers?: { pid?: number | null }[] }[]) {
    for (const c of p.containers ?? []) if (typeof c.pid === 'number') out.set(`${p.namespace}/${p.name}`, c.pid);
  }
  return out;
}

if (!isRoot) {
  test('waypoint end to end (needs root)', (t) => {
    t.fail(`test/privileged/waypoint needs root${ci ? ' (CI=true)' : ''}: run make test as root`);
  });
} else {
  stateRoot = mkdtempSync(path.join(os.tmpdir(), `ambit-waypoint-${cluster}-`));
  ambit = new Ambit(cluster, stateRoot);

  test.after.always('down, then teardown() and a sweep if anything is left', async (t) => {
    t.timeout(150_000);
    await cleanUpCluster(ambit, { down: upAttempted, log: (l) => t.log(l) });
  });

  test.serial('up, then the waypoint Gateway: its pod runs outside the mesh and listens on 15008', async (t) => {
    t.timeout(170_000);
    t.true(existsSync(CLI) && existsSync(GRPC_ECHO), 'build first (npx tsc -p tsconfig.json)');
    const files = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(EXAMPLES, f));
    upAttempted = true;
    const up = await ambit.local(['up', ...files.flatMap((f) => ['-f', f]), '--nodes', '2'], { timeoutMs: 150_000 });
    t.is(up.code, 0, describeRun(up));
    // The gRPC echo: this build's node running the fixture, as a pod program.
    const grpcYaml = path.join(stateRoot, 'grpc-echo.yaml');
    writeFileSync(grpcYaml, [
      'apiVersion: v1', 'kind: Service', 'metadata: {name: grpc-echo, labels: {istio.io/use-waypoint: waypoint}}',
      'spec: {selector: {app: grpc-echo}, ports: [{name: grpc, port: 9090, targetPort: 9090}]}', '---',
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: grpc-echo}',
      'spec: {selector: {matchLabels: {app: grpc-echo}}, template: {metadata: {labels: {app: grpc-echo}}, spec: {containers: [',
      `  {name: echo, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(GRPC_ECHO)}, server, "9090", grpc-echo], ports: [{containerPort: 9090}]}]}}}`,
      '',
    ].join('\n'));
    await apply(path.join(WAYPOINT_EXAMPLES, '00-waypoint.yaml'));
    await apply(path.join(WAYPOINT_EXAMPLES, '10-httpbin-v2.yaml'));
    await apply(path.join(WAYPOINT_EXAMPLES, '20-routing.yaml'));
    await apply(path.join(WAYPOINT_FIXTURES, '30-httpbin-2-routes.yaml'));
    await apply(path.join(WAYPOINT_FIXTURES, '40-tcp-echo.yaml'));
    await apply(grpcYaml);
    const pods = await ambit.pods();
    t.log(pods.map((p) => `${p.namespace}/${p.name} ${p.node} ${p.ip} ${p.status ?? ''} mesh=${p.mesh ?? '?'}`).join('\n'));
    const waypoint = pods.find((p) => p.deployment === 'waypoint');
    t.truthy(waypoint, 'the waypoint pod exists');
    t.is(waypoint?.mesh, 'no', 'the waypoint pod is outside the mesh (it speaks HBONE itself)');
    sleepPod = pods.find((p) => p.namespace === 'default' && p.deployment === 'sleep');
    t.truthy(sleepPod);
    t.deepEqual(pods.filter((p) => p.status !== 'Running').map((p) => `${p.namespace}/${p.name}`), []);
  });

  test.serial('before the label the routes have no effect; after it, /one → /ip and /two → /user-agent (rule 67 rewrite)', async (t) => {
    const before = await curl('http://httpbin:8000/one');
    t.is(before.http, '404', `without the waypoint httpbin itself answers /one: ${describeRun(before.run)}`);
    await label('svc', 'httpbin', 'istio.io/use-waypoint=waypoint');
    await label('svc', 'httpbin-2', 'istio.io/use-waypoint=waypoint');
    const one = await curl('http://httpbin:8000/one');
    t.is(one.http, '200', describeRun(one.run));
    t.regex(one.body, /"origin"/, '/one became httpbin /ip');
    const two = await curl('http://httpbin:8000/two', ['-A', 'lab-agent/1']);
    t.is(two.http, '200');
    t.regex(two.body, /"user-agent": ?"lab-agent\/1"/, '/two became httpbin /user-agent');
  });

  test.serial('rule 62: a Chrome user agent goes to v2 (header regex); rule 71: the rest splits 80/20 over 200 requests', async (t) => {
    t.timeout(120_000);
    for (let i = 0; i < 3; i++) {
      const r = await curl('http://httpbin:8000/headers', ['-A', 'Mozilla/5.0 Chrome/120']);
      t.is(r.http, '200');
    }
    // The split: count which version answered (go-httpbin's /hostname is not in python
    // httpbin, so ask the waypoint's access log which upstream served each request).
    const script = 'v1=0; v2=0; for i in $(seq 1 200); do curl -s -o /dev/null -w "%{http_code}\\n" http://httpbin:8000/status/200; done | sort | uniq -c';
    const r = await ambit.exec(sleeper(), ['sh', '-c', script], 90_000);
    t.regex(r.stdout, /^\s*200 200$/m, `all 200 answered: ${r.stdout}`);
    const log = await ambit.local(['logs', 'deploy/waypoint']);
    const lines = log.stdout.split('\n').filter((l) => l.includes('"path":"/status/200"'));
    const split = lines.filter((l) => l.includes('"route_name":"split"'));
    t.is(split.length, 200, 'every /status/200 took the split route');
    const v2Ips = new Set((await ambit.pods()).filter((p) => p.deployment === 'httpbin-v2').map((p) => p.ip));
    const v2 = split.filter((l) => [...v2Ips].some((ipAddr) => l.includes(`"upstream_host":"${ipAddr}:`))).length;
    t.log(`v2 answered ${v2} of 200 (expected about 40)`);
    t.true(v2 >= 17 && v2 <= 63, `v2 got ${v2} of 200`);
    const chrome = log.stdout.split('\n').filter((l) => l.includes('"route_name":"chrome"'));
    t.true(chrome.length >= 3 && chrome.every((l) => [...v2Ips].some((ipAddr) => l.includes(`"upstream_host":"${ipAddr}:`))), 'the chrome route went to v2');
  });

  test.serial('rule 60: no matching route → 404 (NR); rule 72: an undefined subset → 503', async (t) => {
    const only = await curl('http://httpbin-2:8000/only');
    t.is(only.http, '200', describeRun(only.run));
    t.is((await curl('http://httpbin-2:8000/other')).http, '404');
    const missing = await curl('http://httpbin-2:8000/missing');
    t.is(missing.http, '503');
    t.regex(missing.body, /no healthy upstream|^$/);
  });

  test.serial('gRPC through the waypoint: a unary call and an error status (grpc-js client in the sleep pod)', async (t) => {
    const ok = await ambit.exec(sleeper(), [process.execPath, GRPC_ECHO, 'client', 'grpc-echo:9090', 'hello'], 20_000);
    t.is(ok.stdout.trim(), '0 grpc-echo:hello', describeRun(ok));
    const failed = await ambit.exec(sleeper(), [process.execPath, GRPC_ECHO, 'client', 'grpc-echo:9090', 'fail'], 20_000);
    t.is(failed.stdout.trim(), '9 asked to fail', describeRun(failed));
  });

  test.serial('rule 80: TCP routes split connections 80/20 between tcp-echo v1 and v2', async (t) => {
    t.timeout(120_000);
    // One connection per line sent; the first three bytes say which version answered.
    const count = [
      'import socket, collections', 'c = collections.Counter()', 'for i in range(100):',
      "    s = socket.create_connection(('tcp-echo', 9000), timeout=5)", "    s.sendall(b'hi\\n')",
      '    c[s.recv(3).decode().strip()] += 1', '    s.close()', "print(c['v1'], c['v2'])",
    ].join('\n');
    const r = await ambit.exec(sleeper(), ['python3', '-c', count], 100_000);
    const [v1 = 0, v2 = 0] = r.stdout.trim().split(' ').map(Number);
    t.log(`tcp-echo: v1 ${v1}, v2 ${v2}`);
    t.is(v1 + v2, 100, r.stdout);
    t.true(v2 >= 4 && v2 <= 36, `v2 got ${v2} of 100`);
  });

  test.serial("the waypoint's metrics: istio_requests_total with reporter=waypoint and Istio's labels", async (t) => {
    const pods = await ambit.pods();
    const waypoint = pods.find((p) => p.deployment === 'waypoint')!;
    const r = await ambit.exec(waypoint, ['curl', '-s', 'http://127.0.0.1:15020/metrics'], 20_000);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('istio_requests_total{'));
    t.true(lines.some((l) => l.includes('reporter="waypoint"') && l.includes('source_principal="spiffe://cluster.local/ns/default/sa/sleep"')
      && l.includes('destination_service="httpbin.default.svc.cluster.local"') && l.includes('response_code="200"')), lines.join('\n'));
    t.true(lines.some((l) => l.includes('response_code="404"') && l.includes('response_flags="NR"')));
    t.true(lines.some((l) => l.includes('request_protocol="grpc"') && l.includes('grpc_response_status="9"')));
    t.regex(r.stdout, /istio_request_duration_milliseconds_bucket\{.*reporter="waypoint"/);
    // The waypoint's routes as it holds them, the way a user asks for them.
    const routes = await ambit.local(['proxy-config', 'deploy/waypoint', 'routes']);
    t.is(routes.code, 0, describeRun(routes));
    const bySvc = JSON.parse(routes.stdout) as Record<string, { routes?: { http: { name: string }[] } }>;
    t.deepEqual(bySvc['default/httpbin.default.svc.cluster.local']?.routes?.http.map((r) => r.name), ['one', 'two', 'chrome', 'split']);
  });

  test.serial('the resilience labs: rule 73 timeout → 504, rule 74 retries seen by the pod, rule 76 abort and delay, rule 77 mirror', async (t) => {
    t.timeout(120_000);
    await apply(path.join(WAYPOINT_FIXTURES, '50-httpbin-2-resilience.yaml'));
    const ready = await until('the resilience routes', async () => ((await curl('http://httpbin-2:8000/aborted')).http === '418' ? true : undefined), 15_000, 300);
    t.true(ready, 'abort at 100 % answers 418');
    // httpbin's /delay/3 answers after 3 s; the route's 1 s timeout answers first.
    const started = Date.now();
    const late = await curl('http://httpbin-2:8000/delay/3');
    const tookMs = Date.now() - started;
    t.is(late.http, '504', describeRun(late.run));
    t.is(late.body, 'upstream request timeout');
    t.true(tookMs >= 1000 && tookMs < 2900, `the timeout answered after ${tookMs} ms`);
    // Retries: the pod logs every request it gets (gunicorn's access log).
    const counted = async (): Promise<number> => (await ambit.local(['logs', 'deploy/httpbin-2'])).stdout.split('\n').filter((l) => l.includes('"GET /status/500 ')).length;
    const before = await counted();
    const failing = await curl('http://httpbin-2:8000/status/500');
    t.is(failing.http, '500');
    const seen = await until('the pod logging 4 tries', async () => ((await counted()) - before >= 4 ? (await counted()) - before : undefined), 10_000, 300);
    t.is(seen, 4, 'attempts 3: the pod saw 1 + 3 tries');
    // The delay applies to jason only.
    const slowStart = Date.now();
    t.is((await curl('http://httpbin-2:8000/get', ['-H', 'end-user: jason'])).http, '200');
    t.true(Date.now() - slowStart >= 2000, 'jason waited for the injected delay');
    const fastStart = Date.now();
    t.is((await curl('http://httpbin-2:8000/get')).http, '200');
    t.true(Date.now() - fastStart < 2000, 'others do not wait');
    // The mirror: httpbin-2 answers, httpbin v2's log shows the copy.
    const mirrored = await curl('http://httpbin-2:8000/anything/mirrored');
    t.is(mirrored.http, '200');
    t.regex(mirrored.body, /"url": ?"http:\/\/httpbin-2:8000\/anything\/mirrored"/, 'the client got httpbin-2\'s answer');
    const copied = await until('the copy in httpbin-v2\'s log', async () => ((await ambit.local(['logs', 'deploy/httpbin-v2'])).stdout.includes('"GET /anything/mirrored ') ? true : undefined), 10_000, 300);
    t.true(copied, 'httpbin v2 received the mirrored copy');
    const log = (await ambit.local(['logs', 'deploy/waypoint'])).stdout.split('\n');
    t.true(log.some((l) => l.includes('"path":"/aborted"') && l.includes('"response_flags":"FI"')), 'the abort is logged with FI');
    t.true(log.some((l) => l.includes('"path":"/delay/3"') && l.includes('"response_flags":"UT"')), 'the timeout is logged with UT');
  });

  test.serial('rule 86: circuit breaking (maxConnections 1, 1 pending): concurrent clients get some 503 UO; one at a time all pass', async (t) => {
    t.timeout(90_000);
    await apply(path.join(WAYPOINT_FIXTURES, '60-httpbin-2-circuit-breaker.yaml'));
    const burst = 'for i in 1 2 3 4; do curl -s -o /dev/null -w "%{http_code}\\n" http://httpbin-2:8000/delay/0.5 & done; wait';
    const codes = await until('a burst with an overflow', async () => {
      const r = await ambit.exec(sleeper(), ['sh', '-c', burst], 30_000);
      const got = r.stdout.trim().split('\n').sort();
      return got.includes('503') ? got : undefined;
    }, 30_000, 500);
    t.log(`4 concurrent clients: ${codes?.join(' ')}`);
    t.true(codes?.includes('200'), 'some requests pass');
    t.true(codes?.includes('503'), 'some overflow');
    for (let i = 0; i < 4; i++) t.is((await curl('http://httpbin-2:8000/get')).http, '200', 'one at a time never overflows');
    const log = (await ambit.local(['logs', 'deploy/waypoint'])).stdout.split('\n');
    t.true(log.some((l) => l.includes('"path":"/delay/0.5"') && l.includes('"response_flags":"UO"')), 'the overflow is logged with UO');
  });

  test.serial('rule 87: outlier detection ejects the pod that answers 500; the healthy pod takes the traffic', async (t) => {
    t.timeout(120_000);
    await apply(path.join(WAYPOINT_FIXTURES, '70-flaky-outlier.yaml'));
    await until('flaky answering', async () => (['200', '500'].includes((await curl('http://flaky:8080/')).http) ? true : undefined), 30_000, 500);
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) codes.push((await curl('http://flaky:8080/')).http);
    t.log(codes.join(' '));
    t.true(codes.filter((c) => c === '500').length <= 2, 'at most the failures before the config and one ejecting failure');
    t.deepEqual(codes.slice(-10), Array(10).fill('200'), 'after the ejection only the healthy pod answers');
    const waypoint = (await ambit.pods()).find((p) => p.deployment === 'waypoint')!;
    const metrics = await ambit.exec(waypoint, ['curl', '-s', 'http://127.0.0.1:15020/metrics'], 20_000);
    t.regex(metrics.stdout, /ambit_outlier_ejections_total\{cluster="outbound\|8080\|\|flaky\.default\.svc\.cluster\.local"\} [1-9]/);
  });

  test.serial('removing the label takes the waypoint out of the path; nothing restarts', async (t) => {
    const before = await pids();
    await label('svc', 'httpbin', 'istio.io/use-waypoint-');
    const r = await until('httpbin answering /one itself', async () => ((await curl('http://httpbin:8000/one')).http === '404' ? true : undefined), 10_000, 300);
    t.true(r);
    t.is((await curl('http://httpbin:8000/get')).http, '200');
    await sleep(200);
    const after = await pids();
    const restarted = [...before].filter(([k, pid]) => after.get(k) !== pid).map(([k]) => k);
    t.deepEqual(restarted, [], 'no pod process restarted');
  });
}
