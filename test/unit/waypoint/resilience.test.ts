// The fault and retry stages (rules 74, 75, 76), pure.
import test from 'ava';
import { DEFAULT_RETRY_POLICY, type L7RetryPolicy } from '../../../api/l7-model.js';
import { decideFault, effectiveRetryPolicy, pickMirrors, retryBackoffMs, shadowAuthority, shouldRetry, type TryOutcome } from '../../../waypoint/engine/index.js';
import { rng } from './support.js';

const policy = (retryOn: L7RetryPolicy['retryOn'], attempts = 2, codes: number[] = []): L7RetryPolicy => ({ attempts, retryOn, retriableStatusCodes: codes });
const response = (status: number, grpcStatus?: number): TryOutcome => ({ kind: 'response', status, ...(grpcStatus !== undefined ? { grpcStatus } : {}) });

const RETRY_CASES: { rule: string; name: string; policy: L7RetryPolicy; outcome: TryOutcome; tries?: number; retry: boolean }[] = [
  { rule: '74', name: 'the default policy retries a connection failure', policy: DEFAULT_RETRY_POLICY, outcome: { kind: 'connect-failure' }, retry: true },
  { rule: '74', name: 'the default policy retries a refused stream', policy: DEFAULT_RETRY_POLICY, outcome: { kind: 'refused-stream' }, retry: true },
  { rule: '75', name: 'the default policy does not retry a 503 response', policy: DEFAULT_RETRY_POLICY, outcome: response(503), retry: false },
  { rule: '75', name: 'the default policy does not retry a reset', policy: DEFAULT_RETRY_POLICY, outcome: { kind: 'reset' }, retry: false },
  { rule: '75', name: 'the default policy retries gRPC unavailable (14)', policy: DEFAULT_RETRY_POLICY, outcome: response(200, 14), retry: true },
  { rule: '75', name: 'the default policy retries gRPC cancelled (1)', policy: DEFAULT_RETRY_POLICY, outcome: response(200, 1), retry: true },
  { rule: '75', name: 'the default policy does not retry gRPC internal (13)', policy: DEFAULT_RETRY_POLICY, outcome: response(200, 13), retry: false },
  { rule: '74', name: 'the default policy stops after 2 retries (3 tries)', policy: DEFAULT_RETRY_POLICY, outcome: { kind: 'connect-failure' }, tries: 3, retry: false },
  { rule: '74', name: 'the second retry is still allowed', policy: DEFAULT_RETRY_POLICY, outcome: { kind: 'connect-failure' }, tries: 2, retry: true },
  { rule: '74', name: 'attempts 0 never retries', policy: policy(['5xx'], 0), outcome: response(500), retry: false },
  { rule: '75', name: '5xx retries 500', policy: policy(['5xx']), outcome: response(500), retry: true },
  { rule: '75', name: '5xx retries 599', policy: policy(['5xx']), outcome: response(599), retry: true },
  { rule: '75', name: '5xx does not retry 499', policy: policy(['5xx']), outcome: response(499), retry: false },
  { rule: '75', name: '5xx retries a reset (no response)', policy: policy(['5xx']), outcome: { kind: 'reset' }, retry: true },
  { rule: '75', name: '5xx retries a per-try timeout', policy: policy(['5xx']), outcome: { kind: 'per-try-timeout' }, retry: true },
  { rule: '75', name: '5xx retries a connection failure', policy: policy(['5xx']), outcome: { kind: 'connect-failure' }, retry: true },
  { rule: '75', name: 'gateway-error retries 502', policy: policy(['gateway-error']), outcome: response(502), retry: true },
  { rule: '75', name: 'gateway-error retries 503', policy: policy(['gateway-error']), outcome: response(503), retry: true },
  { rule: '75', name: 'gateway-error retries 504', policy: policy(['gateway-error']), outcome: response(504), retry: true },
  { rule: '75', name: 'gateway-error does not retry 500', policy: policy(['gateway-error']), outcome: response(500), retry: false },
  { rule: '75', name: 'gateway-error retries a per-try timeout', policy: policy(['gateway-error']), outcome: { kind: 'per-try-timeout' }, retry: true },
  { rule: '75', name: 'reset retries a reset', policy: policy(['reset']), outcome: { kind: 'reset' }, retry: true },
  { rule: '75', name: 'reset does not retry a 503 response', policy: policy(['reset']), outcome: response(503), retry: false },
  { rule: '75', name: 'connect-failure does not retry a reset', policy: policy(['connect-failure']), outcome: { kind: 'reset' }, retry: false },
  { rule: '75', name: 'refused-stream does not retry a connection failure', policy: policy(['refused-stream']), outcome: { kind: 'connect-failure' }, retry: false },
  { rule: '75', name: 'retriable-4xx retries 409', policy: policy(['retriable-4xx']), outcome: response(409), retry: true },
  { rule: '75', name: 'retriable-4xx does not retry 404', policy: policy(['retriable-4xx']), outcome: response(404), retry: false },
  { rule: '74', name: 'a bare code (retriable-status-codes) retries that status', policy: policy(['retriable-status-codes'], 2, [503]), outcome: response(503), retry: true },
  { rule: '74', name: 'retriable-status-codes does not retry another status', policy: policy(['retriable-status-codes'], 2, [503]), outcome: response(502), retry: false },
  { rule: '74', name: 'retriable-status-codes with no codes retries nothing', policy: policy(['retriable-status-codes']), outcome: response(503), retry: false },
  { rule: '75', name: 'deadline-exceeded retries gRPC 4', policy: policy(['deadline-exceeded']), outcome: response(200, 4), retry: true },
  { rule: '75', name: 'resource-exhausted retries gRPC 8', policy: policy(['resource-exhausted']), outcome: response(200, 8), retry: true },
  { rule: '75', name: 'internal retries gRPC 13', policy: policy(['internal']), outcome: response(200, 13), retry: true },
  { rule: '75', name: 'a gRPC condition ignores a response without grpc-status', policy: policy(['unavailable']), outcome: response(503), retry: false },
];

for (const c of RETRY_CASES) {
  test(`rule ${c.rule}: ${c.name}`, (t) => {
    t.is(shouldRetry(c.policy, c.outcome, c.tries ?? 1), c.retry);
  });
}

test('rule 74: no retries field means Istio\'s default policy', (t) => {
  t.deepEqual(effectiveRetryPolicy(undefined), DEFAULT_RETRY_POLICY);
  const own = policy(['5xx'], 5);
  t.is(effectiveRetryPolicy(own), own);
});

test('rule 74: the backoff is random within [0, (2^n - 1) x 25 ms], capped at 250 ms', (t) => {
  t.is(retryBackoffMs(1, () => 0), 0);
  t.is(retryBackoffMs(1, () => 0.999999), 24);
  t.is(retryBackoffMs(2, () => 0.999999), 74);
  t.is(retryBackoffMs(3, () => 0.999999), 174);
  t.is(retryBackoffMs(4, () => 0.999999), 249);
  t.is(retryBackoffMs(10, () => 0.999999), 249);
});

test('rule 76: no fault, no decision', (t) => {
  t.deepEqual(decideFault(undefined, Math.random), {});
});

test('rule 76: 100 % always applies and 0 % never does', (t) => {
  const fault = { delay: { fixedDelayMs: 50, percentage: 100 }, abort: { httpStatus: 418, percentage: 0 } };
  for (const r of [0, 0.5, 0.999999]) t.deepEqual(decideFault(fault, () => r), { delayMs: 50 });
});

test('rule 76: delay and abort are sampled independently', (t) => {
  const fault = { delay: { fixedDelayMs: 10, percentage: 50 }, abort: { httpStatus: 503, percentage: 50 } };
  const values = [0.1, 0.9];
  let i = 0;
  t.deepEqual(decideFault(fault, () => values[i++]!), { delayMs: 10 });
});

test('rule 76: a gRPC abort carries the gRPC status', (t) => {
  t.deepEqual(decideFault({ abort: { grpcStatus: 14, percentage: 100 } }, () => 0), { abort: { grpcStatus: 14 } });
});

test('rule 76: 10 % abort over 10,000 requests lands within 1 % (fixed seed)', (t) => {
  const random = rng(7);
  let aborted = 0;
  for (let i = 0; i < 10_000; i++) if (decideFault({ abort: { httpStatus: 500, percentage: 10 } }, random).abort) aborted++;
  t.true(aborted > 900 && aborted < 1100, `${aborted} of 10000`);
});

test('rule 77: mirrors are sampled each on its own; 100 % always, 0 % never', (t) => {
  const mirrors = [
    { destination: { host: 'a', weight: 1 }, percentage: 100 },
    { destination: { host: 'b', weight: 1 }, percentage: 0 },
    { destination: { host: 'c', weight: 1 }, percentage: 50 },
  ];
  t.deepEqual(pickMirrors(mirrors, () => 0.4).map((m) => m.destination.host), ['a', 'c']);
  t.deepEqual(pickMirrors(mirrors, () => 0.6).map((m) => m.destination.host), ['a']);
  t.deepEqual(pickMirrors(undefined, () => 0), []);
});

const SHADOW_CASES: [string, string][] = [
  ['httpbin:8000', 'httpbin-shadow:8000'],
  ['httpbin', 'httpbin-shadow'],
  ['httpbin.default.svc.cluster.local:80', 'httpbin.default.svc.cluster.local-shadow:80'],
  ['10.96.0.10:8000', '10.96.0.10-shadow:8000'],
  ['[fd00::1]:8000', '[fd00::1]-shadow:8000'],
];

for (const [input, want] of SHADOW_CASES) {
  test(`rule 77: the copy's authority ${input} becomes ${want} (-shadow before the port)`, (t) => {
    t.is(shadowAuthority(input), want);
  });
}
