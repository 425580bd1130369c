// Circuit breaking (rule 86) and outlier detection (rule 87), pure, with a fake clock.
import test from 'ava';
import type { L7OutlierDetection } from '../../../api/l7-model.js';
import { CircuitBreaker, OutlierDetector, settingsFor } from '../../../waypoint/engine/index.js';

test('rule 86: maxConnections 1 + http1MaxPendingRequests 1: one runs, one waits, the third overflows', (t) => {
  const cb = new CircuitBreaker();
  const limits = { maxConnections: 1, http1MaxPendingRequests: 1 };
  const granted: string[] = [];
  t.is(cb.admit(limits, true, () => granted.push('a')), 'run');
  t.is(cb.admit(limits, true, () => granted.push('b')), 'wait');
  t.is(cb.admit(limits, true, () => granted.push('c')), 'overflow');
  t.deepEqual(cb.counts(), { running: 1, waiting: 1, retrying: 0 });
  cb.release(limits, true);
  t.deepEqual(granted, ['b'], 'the waiting request runs when the first ends');
  t.deepEqual(cb.counts(), { running: 1, waiting: 0, retrying: 0 });
  cb.release(limits, true);
  t.deepEqual(cb.counts(), { running: 0, waiting: 0, retrying: 0 });
});

test('rule 86: sequential requests never overflow', (t) => {
  const cb = new CircuitBreaker();
  const limits = { maxConnections: 1, http1MaxPendingRequests: 0 };
  for (let i = 0; i < 10; i++) {
    t.is(cb.admit(limits, true, () => undefined), 'run');
    cb.release(limits, true);
  }
});

test('rule 86: no connection pool means no limit', (t) => {
  const cb = new CircuitBreaker();
  for (let i = 0; i < 1000; i++) t.is(cb.admit(undefined, true, () => undefined), 'run');
});

test('rule 86: http2MaxRequests bounds running requests; over HTTP/2 nothing waits', (t) => {
  const cb = new CircuitBreaker();
  const limits = { http2MaxRequests: 2, http1MaxPendingRequests: 5 };
  t.is(cb.admit(limits, false, () => undefined), 'run');
  t.is(cb.admit(limits, false, () => undefined), 'run');
  t.is(cb.admit(limits, false, () => undefined), 'overflow');
});

test('rule 86: maxConnections does not bound HTTP/2 streams', (t) => {
  const cb = new CircuitBreaker();
  for (let i = 0; i < 5; i++) t.is(cb.admit({ maxConnections: 1 }, false, () => undefined), 'run');
});

test('rule 86: a withdrawn waiting request is not granted later', (t) => {
  const cb = new CircuitBreaker();
  const limits = { maxConnections: 1 };
  let granted = 0;
  const grant = (): void => { granted++; };
  cb.admit(limits, true, () => undefined);
  t.is(cb.admit(limits, true, grant), 'wait');
  t.true(cb.withdraw(grant));
  cb.release(limits, true);
  t.is(granted, 0);
});

test('rule 86: maxRetries bounds retries running at once', (t) => {
  const cb = new CircuitBreaker();
  t.true(cb.startRetry({ maxRetries: 1 }));
  t.false(cb.startRetry({ maxRetries: 1 }));
  cb.endRetry();
  t.true(cb.startRetry({ maxRetries: 1 }));
  t.true(cb.startRetry(undefined));
});

const OD: L7OutlierDetection = { consecutive5xxErrors: 3, consecutiveGatewayErrors: 0, intervalMs: 1000, baseEjectionTimeMs: 5000, maxEjectionPercent: 100, minHealthPercent: 0 };

test('rule 87: consecutive 5xx errors eject at once; a success in between resets the count', (t) => {
  const od = new OutlierDetector();
  t.false(od.record('a', { status: 500 }, OD, 2, 0));
  t.false(od.record('a', { status: 500 }, OD, 2, 10));
  t.false(od.record('a', { status: 200 }, OD, 2, 20));
  t.false(od.record('a', { status: 503 }, OD, 2, 30));
  t.false(od.record('a', { status: 502 }, OD, 2, 40));
  t.true(od.record('a', { failure: 'connect-failure' }, OD, 2, 50), 'a connection failure counts as a 5xx');
  t.true(od.isEjected('a', 51));
});

test('rule 87: an ejected host returns after baseEjectionTime, at the next sweep', (t) => {
  const od = new OutlierDetector();
  for (let i = 0; i < 3; i++) od.record('a', { status: 500 }, OD, 2, 100 + i);
  t.true(od.isEjected('a', 5100));
  // Ejected at 102 for 5000 ms → 5102; sweeps run every 1000 ms from 100 → back at 6100.
  t.true(od.isEjected('a', 6099));
  t.false(od.isEjected('a', 6100));
});

test('rule 87: the ejection time grows with each ejection (base × count)', (t) => {
  const od = new OutlierDetector();
  for (let i = 0; i < 3; i++) od.record('a', { status: 500 }, OD, 2, 0);
  t.false(od.isEjected('a', 5000));
  for (let i = 0; i < 3; i++) od.record('a', { status: 500 }, OD, 2, 5000);
  t.true(od.isEjected('a', 14_999));
  t.false(od.isEjected('a', 15_000));
});

test('rule 87: gateway errors count only 502/503/504 when consecutiveGatewayErrors is set', (t) => {
  const od = new OutlierDetector();
  const gw = { ...OD, consecutive5xxErrors: 0, consecutiveGatewayErrors: 2 };
  t.false(od.record('a', { status: 500 }, gw, 3, 0));
  t.false(od.record('a', { status: 500 }, gw, 3, 1));
  t.false(od.record('a', { status: 504 }, gw, 3, 2));
  t.true(od.record('a', { status: 502 }, gw, 3, 3));
});

test('rule 87: consecutive5xxErrors 0 disables 5xx ejection', (t) => {
  const od = new OutlierDetector();
  for (let i = 0; i < 50; i++) t.false(od.record('a', { status: 500 }, { ...OD, consecutive5xxErrors: 0 }, 2, i));
});

test('rule 87: maxEjectionPercent caps ejected hosts, but one can always be ejected', (t) => {
  const od = new OutlierDetector();
  const capped = { ...OD, maxEjectionPercent: 10 };
  for (let i = 0; i < 3; i++) od.record('a', { status: 500 }, capped, 4, 0);
  t.true(od.isEjected('a', 1), 'the first host goes even though 1 of 4 is 25 %');
  for (let i = 0; i < 3; i++) od.record('b', { status: 500 }, capped, 4, 0);
  t.false(od.isEjected('b', 1), 'a second would exceed 10 %');
});

test('rule 87: ejected hosts are not picked; all ejected with minHealthPercent 0 leaves none', (t) => {
  const od = new OutlierDetector();
  for (let i = 0; i < 3; i++) od.record('a', { status: 500 }, OD, 2, 0);
  t.deepEqual(od.healthy(['a', 'b'], (x) => x, OD, 1), ['b']);
  for (let i = 0; i < 3; i++) od.record('b', { status: 500 }, OD, 2, 0);
  t.deepEqual(od.healthy(['a', 'b'], (x) => x, OD, 1), []);
});

test('rule 87: below minHealthPercent healthy, every host is picked again (panic mode)', (t) => {
  const od = new OutlierDetector();
  const panic = { ...OD, minHealthPercent: 60 };
  for (let i = 0; i < 3; i++) od.record('a', { status: 500 }, panic, 2, 0);
  t.deepEqual(od.healthy(['a', 'b'], (x) => x, panic, 1), ['a', 'b']);
});

test('rule 82: connection pool and outlier detection merge like the load balancer (subset overrides, port level replaces)', (t) => {
  const policy = {
    service: 's', origins: [],
    trafficPolicy: { connectionPool: { maxConnections: 10 }, outlierDetection: OD, portLevel: [{ port: 9090, loadBalancer: 'RANDOM' as const }] },
    subsets: [{ name: 'v1', labels: {}, trafficPolicy: { connectionPool: { maxConnections: 1 } } }],
  };
  t.deepEqual(settingsFor(policy, undefined, 8080), { loadBalancer: 'LEAST_REQUEST', connectionPool: { maxConnections: 10 }, outlierDetection: OD });
  t.deepEqual(settingsFor(policy, 'v1', 8080), { loadBalancer: 'LEAST_REQUEST', connectionPool: { maxConnections: 1 }, outlierDetection: OD });
  t.deepEqual(settingsFor(policy, undefined, 9090), { loadBalancer: 'RANDOM' }, 'the port-level entry replaces everything for its port');
});

test('rule 86: TCP connections beyond maxConnections are refused (no queue)', (t) => {
  const cb = new CircuitBreaker();
  t.true(cb.admitConnection({ maxConnections: 2 }));
  t.true(cb.admitConnection({ maxConnections: 2 }));
  t.false(cb.admitConnection({ maxConnections: 2 }));
  cb.release({ maxConnections: 2 }, true);
  t.true(cb.admitConnection({ maxConnections: 2 }));
  t.true(cb.admitConnection(undefined));
});
