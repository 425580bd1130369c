// Random policies and connections: the compiled, indexed decision must agree with the
// reference evaluator (test/unit/translate/rbac-eval.ts) over independently selected
// policies, for every combination the generator reaches (seeded, so reproducible).
import test from 'ava';
import type { Authorization, AuthzMatch, AuthzRule, Cidr, StringMatch } from '../../../api/model.js';
import { authorize } from '../../../daemon/rbac/authorize.js';
import { compilePolicies } from '../../../daemon/rbac/compiled-policies.js';
import type { Connection } from '../../../daemon/rbac/connection.js';
import { oracleAllows } from './oracle.js';
import { ROOT, authz, identity, match, sm, workload } from './support.js';

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMESPACES = ['foo', 'bar', 'baz'];
const ACCOUNTS = ['a', 'b'];
const PORTS = [80, 8080, 9090];
const SOURCES = ['10.1.0.1', '10.2.0.1', '::ffff:10.1.0.7', 'fd00::1', 'fd00:1::1'];
const CIDRS: Cidr[] = [
  { address: '10.1.0.0', length: 16 }, { address: '10.0.0.0', length: 8 }, { address: '10.2.0.1', length: 32 },
  { address: 'fd00::', length: 16 }, { address: 'fd00::', length: 32 }, { address: '0.0.0.0', length: 0 },
];

test('random policies: compiled decision agrees with the reference evaluator', (t) => {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const some = <T>(xs: readonly T[]): T[] => (r() < 0.6 ? [] : xs.filter(() => r() < 0.4));
  const strMatch = (values: readonly string[]): StringMatch => {
    const v = pick(values);
    switch (Math.floor(r() * 4)) {
      case 0: return sm.exact(v);
      case 1: return sm.prefix(v.slice(0, 1 + Math.floor(r() * v.length)));
      case 2: return sm.suffix(v.slice(Math.floor(r() * v.length)));
      default: return sm.presence();
    }
  };
  const principals = NAMESPACES.flatMap((ns) => ACCOUNTS.map((sa) => `cluster.local/ns/${ns}/sa/${sa}`));
  const randomMatch = (): AuthzMatch => match({
    principals: some([0, 1]).map(() => strMatch(principals)),
    notPrincipals: some([0]).map(() => strMatch(principals)),
    namespaces: some([0, 1]).map(() => strMatch(NAMESPACES)),
    notNamespaces: some([0]).map(() => strMatch(NAMESPACES)),
    serviceAccounts: some([0, 1]).map(() => ({ namespace: pick(NAMESPACES), serviceAccount: pick(ACCOUNTS) })),
    notServiceAccounts: some([0]).map(() => ({ namespace: pick(NAMESPACES), serviceAccount: pick(ACCOUNTS) })),
    sourceIps: some(CIDRS), notSourceIps: some(CIDRS),
    destinationIps: some(CIDRS.slice(0, 2)), notDestinationIps: some(CIDRS.slice(2, 3)),
    destinationPorts: some(PORTS), notDestinationPorts: some(PORTS),
  });
  const randomRule = (): AuthzRule => ({
    clauses: Array.from({ length: Math.floor(r() * 3) }, () => ({ matches: Array.from({ length: Math.floor(r() * 3) }, randomMatch) })),
  });
  const randomPolicy = (i: number): Authorization => {
    const ns = pick([...NAMESPACES, ROOT]);
    const scope = r() < 0.4 ? 'WORKLOAD_SELECTOR' : ns === ROOT ? 'GLOBAL' : 'NAMESPACE';
    return authz(`p${i}`, Array.from({ length: Math.floor(r() * 3) }, randomRule), {
      ns, scope, action: r() < 0.4 ? 'DENY' : 'ALLOW', dryRun: r() < 0.1,
    });
  };

  let checked = 0;
  let allowed = 0;
  for (let round = 0; round < 300; round++) {
    const policies = Array.from({ length: 1 + Math.floor(r() * 5) }, (_, i) => randomPolicy(i));
    const compiled = compilePolicies(policies, ROOT);
    const selectorKeys = policies.filter((p) => p.scope === 'WORKLOAD_SELECTOR' && r() < 0.7).map((p) => `${p.namespace}/${p.name}`);
    const w = workload(selectorKeys, pick(NAMESPACES));
    for (let k = 0; k < 20; k++) {
      const src = pick(SOURCES);
      const conn: Connection = {
        srcIp: src, dstIp: src.includes(':') && !src.startsWith('::ffff:') ? 'fd00::10' : '10.0.0.10', dstPort: pick(PORTS),
        ...(r() < 0.7 ? { srcIdentity: identity(pick(NAMESPACES), pick(ACCOUNTS)) } : {}),
      };
      const got = authorize(conn, w, compiled).allowed;
      const want = oracleAllows(policies, w, conn, ROOT);
      if (got !== want) return t.fail(`disagreement on ${JSON.stringify({ policies, w, conn })}: got ${got}, want ${want}`);
      checked++;
      if (got) allowed++;
    }
  }
  t.is(checked, 6000);
  // Both outcomes must be well represented for the comparison to mean something.
  t.true(allowed > 600 && allowed < 5400, `${allowed} allowed of ${checked}`);
});
