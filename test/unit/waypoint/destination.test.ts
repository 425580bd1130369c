// Subsets, load-balancer resolution and endpoint picking (rules 72, 82, 84).
import test from 'ava';
import type { L7DestinationPolicy, L7LoadBalancer } from '../../../api/l7-model.js';
import type { CompiledDestinationPolicy } from '../../../waypoint/engine/index.js';
import {
  EndpointPicker, compileDestinationPolicy, filterBySubset, lbFor, pickLeastRequest, subsetLabels,
} from '../../../waypoint/engine/index.js';
import { SERVICE, rng } from './support.js';

const compile = (p: Partial<L7DestinationPolicy>): CompiledDestinationPolicy =>
  compileDestinationPolicy(SERVICE, { origins: ['DestinationRule foo/reviews'], subsets: [], ...p });

const POLICY = compile({
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: 'ROUND_ROBIN' } },
    { name: 'v3', labels: { version: 'v3' }, trafficPolicy: { portLevel: [{ port: 9080 }] } },
    { name: 'v4', labels: { version: 'v4' }, trafficPolicy: { portLevel: [{ port: 8000, loadBalancer: 'RANDOM' }] } },
  ],
  trafficPolicy: { loadBalancer: 'RANDOM', portLevel: [{ port: 9080, loadBalancer: 'ROUND_ROBIN' }, { port: 9999 }] },
});

const lbCases: { title: string; policy: CompiledDestinationPolicy | undefined; subset?: string; port?: number; want: L7LoadBalancer }[] = [
  { title: 'rule 84: no policy at all: LEAST_REQUEST', policy: undefined, want: 'LEAST_REQUEST' },
  { title: 'rule 84: a policy without a load balancer: LEAST_REQUEST', policy: compile({}), port: 80, want: 'LEAST_REQUEST' },
  { title: 'rule 84: the top-level load balancer applies', policy: POLICY, port: 80, want: 'RANDOM' },
  { title: 'rule 82: a port-level entry overrides the top level for its port', policy: POLICY, port: 9080, want: 'ROUND_ROBIN' },
  { title: 'rule 82: a port-level entry replaces in full: unset there means the default, not the top level', policy: POLICY, port: 9999, want: 'LEAST_REQUEST' },
  { title: 'rule 82: a subset without its own policy inherits the top level', policy: POLICY, subset: 'v1', port: 80, want: 'RANDOM' },
  { title: 'rule 82: a subset policy overrides the top level', policy: POLICY, subset: 'v2', port: 80, want: 'ROUND_ROBIN' },
  { title: 'rule 82: a subset policy overrides the top-level port-level entry too', policy: POLICY, subset: 'v2', port: 9999, want: 'ROUND_ROBIN' },
  { title: 'rule 82: a subset port-level entry replaces in full (unset: default)', policy: POLICY, subset: 'v3', port: 9080, want: 'LEAST_REQUEST' },
  { title: 'rule 82: a subset port-level entry for another port changes nothing', policy: POLICY, subset: 'v4', port: 9080, want: 'ROUND_ROBIN' },
  { title: 'rule 82: a subset port-level entry for the port applies', policy: POLICY, subset: 'v4', port: 8000, want: 'RANDOM' },
  { title: 'rule 82: a subset policy applies only when the route names the subset', policy: POLICY, subset: undefined, port: 80, want: 'RANDOM' },
];
for (const c of lbCases) {
  test(c.title, (t) => {
    t.is(lbFor(c.policy, c.subset, c.port), c.want);
  });
}

test('rule 72: an undefined subset has no labels (the caller answers 503)', (t) => {
  t.deepEqual(subsetLabels(POLICY, 'v2'), { version: 'v2' });
  t.is(subsetLabels(POLICY, 'v9'), undefined);
  t.is(subsetLabels(undefined, 'v1'), undefined);
});

test('rule 72: subset lookup works on an uncompiled policy too', (t) => {
  const raw: L7DestinationPolicy = { origins: [], subsets: [{ name: 'a', labels: { x: '1' } }, { name: 'a', labels: { x: '2' } }] };
  t.deepEqual(subsetLabels(raw, 'a'), { x: '1' });
});

const W = (uid: string, labels: Record<string, string>) => ({ workload: { uid, labels }, targetPort: 9080 });
const ENDPOINTS = [W('a', { version: 'v1', app: 'reviews' }), W('b', { version: 'v2', app: 'reviews' }), W('c', { version: 'v1' })];
const filterCases: { title: string; labels: Record<string, string>; want: string[] }[] = [
  { title: 'rule 82: a subset selects endpoints carrying its labels', labels: { version: 'v1' }, want: ['a', 'c'] },
  { title: 'rule 82: every label of the subset must be present', labels: { version: 'v1', app: 'reviews' }, want: ['a'] },
  { title: 'rule 82: no endpoint carries the labels: empty (no healthy upstream)', labels: { version: 'v3' }, want: [] },
  { title: 'rule 82: a subset without labels keeps every endpoint', labels: {}, want: ['a', 'b', 'c'] },
];
for (const c of filterCases) {
  test(c.title, (t) => {
    t.deepEqual(filterBySubset(ENDPOINTS, c.labels).map((e) => e.workload.uid), c.want);
  });
}

test('rule 84: ROUND_ROBIN cycles through the endpoints, per group key', (t) => {
  const picker = new EndpointPicker(rng(1));
  const eps = [{ uid: 'a' }, { uid: 'b' }, { uid: 'c' }];
  const seq = Array.from({ length: 5 }, () => picker.pick('k1', eps, 'ROUND_ROBIN').uid);
  t.deepEqual(seq, ['a', 'b', 'c', 'a', 'b']);
  t.is(picker.pick('k2', eps, 'ROUND_ROBIN').uid, 'a'); // another group starts at its own position
});

test('rule 84: RANDOM spreads evenly (seeded)', (t) => {
  const picker = new EndpointPicker(rng(7));
  const eps = [{ uid: 'a' }, { uid: 'b' }, { uid: 'c' }, { uid: 'd' }];
  const counts = new Map<string, number>();
  for (let i = 0; i < 8000; i++) {
    const e = picker.pick('k', eps, 'RANDOM');
    counts.set(e.uid, (counts.get(e.uid) ?? 0) + 1);
  }
  for (const e of eps) t.true(Math.abs((counts.get(e.uid) ?? 0) / 8000 - 0.25) < 0.02, `${e.uid}: ${counts.get(e.uid)}`);
});

test('rule 84: LEAST_REQUEST prefers the endpoint with fewer requests in flight', (t) => {
  const picker = new EndpointPicker(rng(3));
  const busy = W('busy', {});
  const idle = W('idle', {});
  for (let i = 0; i < 5; i++) picker.started(busy.workload);
  let idleWins = 0;
  for (let i = 0; i < 1000; i++) if (picker.pick('k', [busy, idle], 'LEAST_REQUEST') === idle) idleWins++;
  // Two random draws: busy wins only when both draws are busy (1/4).
  t.true(idleWins > 700 && idleWins < 800, String(idleWins));
  for (let i = 0; i < 5; i++) picker.finished(busy.workload);
  picker.finished(busy.workload); // never below 0
  t.is(picker.inFlight(busy), 0);
});

test('rule 84: least request (power of two choices): the lower count wins, a tie goes to the first draw', (t) => {
  const counts = new Map([['a', 3], ['b', 1]]);
  const draws = (...xs: number[]) => { let i = 0; return () => xs[i++] ?? 0; };
  const eps = ['a', 'b'];
  t.is(pickLeastRequest(eps, (e) => counts.get(e) ?? 0, draws(0, 0.9)), 'b');
  t.is(pickLeastRequest(eps, (e) => counts.get(e) ?? 0, draws(0.9, 0)), 'b');
  t.is(pickLeastRequest(eps, () => 0, draws(0.9, 0)), 'b');
  t.is(pickLeastRequest(['only'], () => 9, draws()), 'only');
});

test('rule 84: picking from no endpoints throws (the caller answers 503 before)', (t) => {
  t.throws(() => new EndpointPicker().pick('k', [], 'RANDOM'));
});
