// The waypoint's resilience stages in-process (the mesh of waypoint-support.ts): faults,
// timeouts and retries, counted at the pods that served them.
import test from 'ava';
import { waitFor } from '../../support/controller-harness.js';
import { pod } from '../../support/objects.js';
import { base, destinationRule, get, seen, setup, virtualService, withWaypoint } from './waypoint-support.js';

const toV1 = { destination: { host: 'httpbin', subset: 'v1' } };

test('rule 76: abort at 100 % answers the configured status without reaching the pod (flag FI)', async (t) => {
  const vs = virtualService([{ fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }, route: [toV1] }]);
  const { mesh, accessLog, requests } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  const r = await get(mesh, '/get');
  t.is(r.status, 418);
  t.is(r.body, 'fault filter abort');
  t.is(requests.length, 0);
  await waitFor(() => accessLog.some((l) => l.path === '/get'), 5000, 'access log');
  t.is(accessLog.find((l) => l.path === '/get')!.response_flags, 'FI');
});

test('rule 76: a fault without a percentage affects no request (Istio\'s behaviour)', async (t) => {
  const vs = virtualService([{ fault: { abort: { httpStatus: 500 } }, route: [toV1] }]);
  const { mesh } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  for (let i = 0; i < 5; i++) t.is((await get(mesh, '/get')).status, 200);
});

test('rule 76: a delay on a header match holds only the matching requests (flag DI)', async (t) => {
  const vs = virtualService([
    { match: [{ headers: { 'end-user': { exact: 'jason' } } }], fault: { delay: { fixedDelay: '400ms', percentage: { value: 100 } } }, route: [toV1] },
    { route: [toV1] },
  ]);
  const { mesh, accessLog } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  const started = performance.now();
  t.is((await get(mesh, '/slowed', { 'end-user': 'jason' })).status, 200);
  t.true(performance.now() - started >= 400, 'the matching request waited for the injected delay');
  t.is((await get(mesh, '/not-slowed')).status, 200);
  await waitFor(() => accessLog.some((l) => l.path === '/not-slowed'), 5000, 'access log');
  t.is(accessLog.find((l) => l.path === '/slowed')!.response_flags, 'DI');
  t.is(accessLog.find((l) => l.path === '/not-slowed')!.response_flags, '-');
});

test('rule 73: a 300 ms route timeout against a 3 s answer gives 504 (flag UT); x-envoy-upstream-rq-timeout-ms overrides it', async (t) => {
  const vs = virtualService([{ timeout: '300ms', route: [toV1] }]);
  const { mesh, accessLog } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  const r = await get(mesh, '/delay/3000');
  t.is(r.status, 504);
  t.is(r.body, 'upstream request timeout');
  await waitFor(() => accessLog.some((l) => l.path === '/delay/3000'), 5000, 'access log');
  t.is(accessLog.find((l) => l.path === '/delay/3000')!.response_flags, 'UT');
  // The header lifts the timeout for this request: a 500 ms answer arrives within its 2 s, where the route's 300 ms would cut it.
  t.is((await get(mesh, '/delay/500', { 'x-envoy-upstream-rq-timeout-ms': '2000' })).status, 200);
});

test('rules 74, 75: the default policy does not retry a 503 response', async (t) => {
  const vs = virtualService([{ route: [toV1] }]);
  const { mesh, requests } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  t.is((await get(mesh, '/status/503')).status, 503);
  t.is(requests.length, 1);
});

test('rule 74: attempts 3 on 5xx against a pod that always fails: the pod sees 4 tries, numbered by x-envoy-attempt-count', async (t) => {
  const vs = virtualService([{ retries: { attempts: 3, retryOn: '5xx' }, route: [toV1] }]);
  const { mesh, requests, accessLog } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  const r = await get(mesh, '/status/500');
  t.is(r.status, 500, 'the last try\'s answer reaches the client');
  t.is(requests.length, 4);
  t.deepEqual(requests.map((q) => q.headers['x-envoy-attempt-count']), ['1', '2', '3', '4']);
  await waitFor(() => accessLog.some((l) => l.path === '/status/500'), 5000, 'access log');
  t.is(accessLog.find((l) => l.path === '/status/500')!.response_code, 500);
  t.is(accessLog.find((l) => l.path === '/status/500')!.upstream_request_attempt_count, 4);
});

test('rule 74: a retry goes to another endpoint; a request body is sent again whole', async (t) => {
  // The service's two pods: the first try on either pod answers 503 for /status/503, so
  // with retries on 503 the second try must land on the other pod (previous hosts excluded).
  const vs = virtualService([{ retries: { attempts: 1, retryOn: '503' }, route: [{ destination: { host: 'httpbin' } }] }]);
  const { mesh, requests } = await setup([...base, withWaypoint, vs]);
  t.teardown(() => mesh.close());
  const payload = Buffer.alloc(10_000, 'b');
  const r = await get(mesh, '/status/503', { 'content-type': 'application/octet-stream' }, { method: 'POST', body: payload });
  t.is(r.status, 503);
  t.is(requests.length, 2);
  t.not(requests[0]!.pod, requests[1]!.pod, 'the retry went to the other pod');
  t.deepEqual(requests.map((q) => q.bodyBytes), [payload.length, payload.length]);
});

test('rule 74: a per-try timeout is retried under 5xx, then the route answers 504', async (t) => {
  const vs = virtualService([{ retries: { attempts: 2, perTryTimeout: '500ms', retryOn: '5xx' }, route: [toV1] }]);
  const { mesh, requests, accessLog } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  const r = await get(mesh, '/delay/3000');
  t.is(r.status, 504);
  await waitFor(() => accessLog.some((l) => l.path === '/delay/3000'), 5000, 'access log');
  const line = accessLog.find((l) => l.path === '/delay/3000')!;
  t.is(line.response_flags, 'UT');
  t.is(line.upstream_request_attempt_count, 3, 'three tries, each cut at 500 ms');
  // Each try that reached the pod before its timeout is in the pod's log (on a busy machine the last may not have).
  t.true(requests.length >= 2 && requests.length <= 3, `the pod saw ${requests.length} tries`);
});

test('rule 77: a mirror gets a copy with the -shadow authority; the client sees only the primary\'s answer', async (t) => {
  const vs = virtualService([{ route: [toV1], mirror: { host: 'httpbin', subset: 'v2' } }]);
  const { mesh, requests } = await setup([...base, withWaypoint, destinationRule, vs]);
  t.teardown(() => mesh.close());
  const r = await get(mesh, '/mirrored');
  t.is(r.status, 200);
  t.is(seen(r).pod, 'httpbin-v1');
  const payload = Buffer.alloc(2000, 'm');
  t.is((await get(mesh, '/posted', {}, { method: 'POST', body: payload })).status, 200);
  await waitFor(() => requests.filter((q) => q.pod === 'httpbin-v2').length >= 2, 5000, 'both copies at v2');
  const copies = requests.filter((q) => q.pod === 'httpbin-v2');
  t.deepEqual(copies.map((q) => [q.url, q.headers.host, q.bodyBytes]), [['/mirrored', 'httpbin-shadow:8000', 0], ['/posted', 'httpbin-shadow:8000', payload.length]]);
  t.deepEqual(requests.filter((q) => q.pod === 'httpbin-v1').map((q) => q.headers.host), ['httpbin:8000', 'httpbin:8000']);
});

test('rule 77: a mirror that cannot be reached changes nothing for the client', async (t) => {
  // httpbin-v3 runs on node-2 but nothing listens on its port: every copy fails to connect.
  const v3 = pod('httpbin-v3', { ip: '10.244.2.3', node: 'node-2', sa: 'httpbin', labels: { app: 'httpbin', version: 'v3' } });
  const dr = { ...destinationRule, spec: { host: 'httpbin', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v3', labels: { version: 'v3' } }] } };
  const vs = virtualService([{ route: [toV1], mirror: { host: 'httpbin', subset: 'v3' } }]);
  const { mesh, accessLog } = await setup([...base, v3, withWaypoint, dr, vs]);
  t.teardown(() => mesh.close());
  for (let i = 0; i < 3; i++) t.is((await get(mesh, '/status/201')).status, 201);
  await waitFor(() => accessLog.filter((l) => l.path === '/status/201').length === 3, 5000, 'access log');
  t.deepEqual(accessLog.filter((l) => l.path === '/status/201').map((l) => l.response_flags), ['-', '-', '-']);
});

test('rule 86: maxConnections 1 and http1MaxPendingRequests 1: of 3 concurrent requests one overflows (503 UO); sequential ones all pass', async (t) => {
  const dr = { ...destinationRule, spec: { ...destinationRule.spec as object, trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } } } } };
  const vs = virtualService([{ route: [toV1] }]);
  const { mesh, accessLog } = await setup([...base, withWaypoint, dr, vs]);
  t.teardown(() => mesh.close());
  const replies = await Promise.all([get(mesh, '/delay/1500'), get(mesh, '/delay/1500'), get(mesh, '/delay/1500')]);
  const statuses = replies.map((r) => r.status).sort();
  t.deepEqual(statuses, [200, 200, 503]);
  const overflow = replies.find((r) => r.status === 503)!;
  t.is(overflow.headers['x-envoy-overloaded'], 'true');
  t.regex(overflow.body, /reset reason: overflow/);
  await waitFor(() => accessLog.filter((l) => l.path === '/delay/1500').length === 3, 5000, 'access log');
  t.deepEqual(accessLog.filter((l) => l.path === '/delay/1500').map((l) => l.response_flags).sort(), ['-', '-', 'UO']);
  for (let i = 0; i < 5; i++) t.is((await get(mesh, '/get')).status, 200);
});

test('rule 87: two consecutive 500s eject the failing pod; traffic goes to the healthy one until baseEjectionTime has passed', async (t) => {
  const dr = {
    ...destinationRule,
    spec: { host: 'httpbin', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, outlierDetection: { consecutive5xxErrors: 2, interval: '200ms', baseEjectionTime: '1s', maxEjectionPercent: 100 } } },
  };
  const { mesh, requests, waypoint } = await setup([...base, withWaypoint, dr]);
  t.teardown(() => mesh.close());
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await get(mesh, '/flaky')).status);
  t.is(statuses.filter((s) => s === 500).length, 2, `two failures eject httpbin-v1: ${statuses.join(',')}`);
  t.true(statuses.slice(-6).every((s) => s === 200), 'then only the healthy pod answers');
  t.is(requests.filter((q) => q.pod === 'httpbin-v1').length, 2);
  const dump = waypoint.configDump() as { clusters: Record<string, { ejected?: unknown[] }> };
  t.true(Object.values(dump.clusters).some((c) => (c.ejected ?? []).length === 1), JSON.stringify(dump.clusters));
  const metrics = await waypoint.metrics.registry.getSingleMetricAsString('ambit_outlier_ejections_total');
  t.regex(metrics, /ambit_outlier_ejections_total\{cluster="outbound\|8000\|\|httpbin.default.svc.cluster.local"\} 1/);
  // After the ejection (1 s, returned at the next 200 ms sweep) httpbin-v1 is tried again.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  for (let i = 0; i < 4; i++) await get(mesh, '/flaky');
  t.true(requests.filter((q) => q.pod === 'httpbin-v1').length > 2, 'httpbin-v1 is back in the rotation');
});

test('rule 85: consistentHash on a header keeps each user on one pod; a generated cookie brings the client back to the same pod', async (t) => {
  const byHeader = { ...destinationRule, spec: { host: 'httpbin', trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } } } } };
  const { mesh } = await setup([...base, withWaypoint, byHeader]);
  t.teardown(() => mesh.close());
  const podFor = async (user: string): Promise<string> => seen(await get(mesh, '/get', { 'x-user': user })).pod;
  const jason = await podFor('jason');
  for (let i = 0; i < 8; i++) t.is(await podFor('jason'), jason);
  const pods = new Set<string>();
  for (let i = 0; i < 20; i++) pods.add(await podFor(`user-${i}`));
  t.is(pods.size, 2, 'different users spread over both pods');

  const byCookie = { ...destinationRule, spec: { host: 'httpbin', trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 'affinity', ttl: '60s' } } } } } };
  await mesh.apply([...base, withWaypoint, byCookie]);
  let first = await get(mesh, '/get');
  for (let i = 0; i < 50 && !first.headers['set-cookie']; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    first = await get(mesh, '/get');
  }
  const cookie = (first.headers['set-cookie'] ?? [])[0] ?? '';
  t.regex(cookie, /^affinity=[0-9a-f]{32}; Max-Age=60; Path=\/; HttpOnly$/);
  const value = cookie.split(';')[0]!;
  for (let i = 0; i < 6; i++) {
    const again = await get(mesh, '/get', { cookie: value });
    t.is(seen(again).pod, seen(first).pod, 'the cookie keeps the client on its pod');
    t.is(again.headers['set-cookie'], undefined, 'no new cookie when the request has one');
  }
});
