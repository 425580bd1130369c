// The index compilePolicies builds (rule 6 scopes), its reuse of unchanged policies, and
// what it reports about entries it had to drop.
import test from 'ava';
import { authorize } from '../../../daemon/rbac/authorize.js';
import { compilePolicies } from '../../../daemon/rbac/compiled-policies.js';
import { NS, ROOT, authz, match, mtls, plain, rule, workload } from './support.js';

test('policies are indexed by scope and split by action and dry run', (t) => {
  const c = compilePolicies([
    authz('g-allow', [rule()], { ns: ROOT }),
    authz('g-deny', [rule()], { ns: ROOT, action: 'DENY' }),
    authz('n-allow', [rule()]),
    authz('n-dry', [rule()], { dryRun: true, action: 'DENY' }),
    authz('s-allow', [rule()], { scope: 'WORKLOAD_SELECTOR' }),
    authz('other', [rule()], { ns: 'bar' }),
  ], ROOT);
  t.deepEqual(c.global.allow.map((p) => p.key), [`${ROOT}/g-allow`]);
  t.deepEqual(c.global.deny.map((p) => p.key), [`${ROOT}/g-deny`]);
  t.deepEqual(c.byNamespace.get(NS)?.allow.map((p) => p.key), [`${NS}/n-allow`]);
  t.deepEqual(c.byNamespace.get(NS)?.dryRun.map((p) => p.key), [`${NS}/n-dry`]);
  t.deepEqual([...c.selectorByKey.keys()], [`${NS}/s-allow`]);
  t.deepEqual(c.byNamespace.get('bar')?.allow.map((p) => p.key), ['bar/other']);
  t.is(c.byKey.size, 6);
});

test('a later policy with the same key replaces the earlier one', (t) => {
  const c = compilePolicies([authz('p', [rule()], { action: 'DENY' }), authz('p', [rule()])], ROOT);
  t.is(c.byKey.size, 1);
  t.true(authorize(plain(), workload(), c).allowed);
});

test('an unchanged policy object is reused from the previous compilation; a replaced one is recompiled', (t) => {
  const kept = authz('kept', [rule([match({ destinationPorts: [1] })])]);
  const changed = authz('changed', [rule()]);
  const first = compilePolicies([kept, changed], ROOT);
  const replacement = { ...changed, action: 'DENY' as const };
  const second = compilePolicies([kept, replacement], ROOT, first);
  t.is(second.byKey.get(`${NS}/kept`), first.byKey.get(`${NS}/kept`));
  t.not(second.byKey.get(`${NS}/changed`), first.byKey.get(`${NS}/changed`));
  t.false(authorize(plain(), workload(), second).allowed);
});

test('constant parts are folded: an always-matching clause is removed, a never-matching rule is dropped', (t) => {
  const c = compilePolicies([
    authz('folded', [rule([], [match({ destinationPorts: [80] })]), rule([match({})])]),
  ], ROOT);
  const p = c.byKey.get(`${NS}/folded`);
  t.is(p?.rules.length, 1);
  t.is(p?.rules[0]?.length, 1);
  t.false(p?.matchesAll);
});

test('invalid CIDRs and form-less string matches are dropped and reported (ztunnel drops them when decoding)', (t) => {
  const c = compilePolicies([
    authz('bad', [rule([match({ sourceIps: [{ address: '10.0.0.0', length: 40 }], principals: [{}], destinationPorts: [8080] })])]),
  ], ROOT);
  t.is(c.problems.length, 2);
  t.regex(c.problems[0] ?? '', /policy foo\/bad rule 0: invalid CIDR 10\.0\.0\.0\/40 dropped/);
  // What is left of the Match: ports 8080 only.
  t.true(authorize(plain({ port: 8080, src: '192.168.1.1' }), workload(), c).allowed);
  t.false(authorize(plain({ port: 8081 }), workload(), c).allowed);
});

test('problems of reused policies are still reported', (t) => {
  const bad = authz('bad', [rule([match({ sourceIps: [{ address: 'nope', length: 8 }] })])]);
  const first = compilePolicies([bad], ROOT);
  const second = compilePolicies([bad], ROOT, first);
  t.deepEqual(second.problems, first.problems);
  t.is(second.problems.length, 1);
});

test('a GLOBAL policy outside the root namespace applies mesh-wide and is reported', (t) => {
  const c = compilePolicies([authz('odd', [rule()], { ns: 'bar', scope: 'GLOBAL', action: 'DENY' })], ROOT);
  t.false(authorize(mtls('x', 'y'), workload([], 'elsewhere'), c).allowed);
  t.regex(c.problems.join('\n'), /GLOBAL scope outside the root namespace/);
});

test('authorize reads only the applicable buckets: 10,000 unrelated policies change nothing', (t) => {
  const noise = Array.from({ length: 10_000 }, (_, i) => authz(`deny-${i}`, [rule()], { ns: `ns-${i % 1000}`, action: 'DENY' }));
  const c = compilePolicies(noise, ROOT);
  t.true(authorize(plain(), workload(), c).allowed);
  t.false(authorize(plain(), workload([], 'ns-7'), c).allowed);
});
