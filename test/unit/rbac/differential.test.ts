// Random policies and connections: the compiled, indexed decision must agree with the
// reference evaluator (test/unit/translate/rbac-eval.ts) over independently selected
// policies, for every combination the generator reaches (seeded, so reproducible).
import test from 'ava';
import type { Authorization, AuthzMatch, AuthzRule, Cidr, StringMatch } from '../../../api/model.js';
import { authorize } from '../../../daemon/rbac/authorize.js';
import { compilePolicies } from '../../../daemon/rbac/compiled-policies.js';
import { ConnectionView, type Connection } from '../../../daemon/rbac/connection.js';
import { compilePolicy, policyMatches, type CompiledPolicy } from '../../../daemon/rbac/compiled-policy.js';
import { ConnectionKeys, INDEX_MIN_POLICIES, firstMatching, requiredKeys } from '../../../daemon/rbac/policy-index.js';
import { oracleAllows } from './oracle.js';
import { ROOT, authz, identity, match, rng, sm, workload } from './support.js';

const NAMESPACES = ['foo', 'bar', 'baz'];
const ACCOUNTS = ['a', 'b'];
const PORTS = [80, 8080, 9090];
const SOURCES = ['10.1.0.1', '10.2.0.1', '::ffff:10.1.0.7', 'fd00::1', 'fd00:1::1'];
const CIDRS: Cidr[] = [
  { address: '10.1.0.0', length: 16 }, { address: '10.0.0.0', length: 8 }, { address: '10.2.0.1', length: 32 },
  { address: 'fd00::', length: 16 }, { address: 'fd00::', length: 32 }, { address: '0.0.0.0', length: 0 },
];

interface Run { checked: number; allowed: number; indexedLists: number; indexedHits: number; portHits: number; disagreement?: string }

/**
 * `rounds` rounds of random policies (`minPolicies`..`maxPolicies` each) and 20 random
 * connections per round; `exactBias` makes string matches exact more often (what lets the
 * policy index file a policy under a principal or namespace); `portBias` is the share of
 * Matches narrowed by destination ports only (what files a policy under a port), and
 * then connections also come to a port no policy names.
 */
function run(seed: number, rounds: number, minPolicies: number, maxPolicies: number, exactBias: number, portBias = 0): Run {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const some = <T>(xs: readonly T[]): T[] => (r() < 0.6 ? [] : xs.filter(() => r() < 0.4));
  const strMatch = (values: readonly string[]): StringMatch => {
    const v = pick(values);
    if (r() < exactBias) return sm.exact(v);
    switch (Math.floor(r() * 4)) {
      case 0: return sm.exact(v);
      case 1: return sm.prefix(v.slice(0, 1 + Math.floor(r() * v.length)));
      case 2: return sm.suffix(v.slice(Math.floor(r() * v.length)));
      default: return sm.presence();
    }
  };
  const principals = NAMESPACES.flatMap((ns) => ACCOUNTS.map((sa) => `cluster.local/ns/${ns}/sa/${sa}`));
  const fullMatch = (): AuthzMatch => match({
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
  // Ports, and sometimes fields the index does not narrow by (negative ones, destination range, accounts).
  const portMatch = (): AuthzMatch => match({
    destinationPorts: [pick(PORTS), ...some(PORTS)],
    ...(r() < 0.3 ? {
      notDestinationPorts: some(PORTS), destinationIps: some(CIDRS.slice(0, 2)),
      serviceAccounts: some([0]).map(() => ({ namespace: pick(NAMESPACES), serviceAccount: pick(ACCOUNTS) })),
      notPrincipals: some([0]).map(() => strMatch(principals)), notSourceIps: some(CIDRS),
    } : {}),
  });
  // Without portBias no number is drawn here, so the other runs see the same sequence as before.
  const randomMatch = (): AuthzMatch => (portBias > 0 && r() < portBias ? portMatch() : fullMatch());
  const connPorts = portBias > 0 ? [...PORTS, 443] : PORTS;
  // Long lists: every rule has a clause, every clause a Match (so a policy rarely matches everything).
  const atLeast = exactBias > 0 ? 1 : 0;
  const randomRule = (): AuthzRule => ({
    clauses: Array.from({ length: atLeast + Math.floor(r() * (3 - atLeast)) }, () => ({ matches: Array.from({ length: atLeast + Math.floor(r() * (3 - atLeast)) }, randomMatch) })),
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
  let indexedLists = 0;
  let indexedHits = 0;
  let portHits = 0;
  for (let round = 0; round < rounds; round++) {
    const policies = Array.from({ length: minPolicies + Math.floor(r() * (maxPolicies - minPolicies + 1)) }, (_, i) => randomPolicy(i));
    const compiled = compilePolicies(policies, ROOT);
    const selectorKeys = policies.filter((p) => p.scope === 'WORKLOAD_SELECTOR' && r() < 0.7).map((p) => `${p.namespace}/${p.name}`);
    const w = workload(selectorKeys, pick(NAMESPACES));
    for (let k = 0; k < 20; k++) {
      const src = pick(SOURCES);
      const conn: Connection = {
        srcIp: src, dstIp: src.includes(':') && !src.startsWith('::ffff:') ? 'fd00::10' : '10.0.0.10', dstPort: pick(connPorts),
        ...(r() < 0.7 ? { srcIdentity: identity(pick(NAMESPACES), pick(ACCOUNTS)) } : {}),
      };
      const got = authorize(conn, w, compiled).allowed;
      const want = oracleAllows(policies, w, conn, ROOT);
      if (got !== want) return { checked, allowed, indexedLists, indexedHits, portHits, disagreement: `${JSON.stringify({ policies, w, conn })}: got ${got}, want ${want}` };
      // The index must name the very policy a plain scan finds first.
      const view = new ConnectionView(conn);
      for (const list of [compiled.global.deny, compiled.global.allow, ...[...compiled.byNamespace.values()].flatMap((b) => [b.deny, b.allow])]) {
        const scanned = list.find((p) => policyMatches(p, view));
        if (list.length >= INDEX_MIN_POLICIES) {
          indexedLists++;
          if (scanned) indexedHits++;
          if (scanned && [...requiredKeys(scanned.rules) ?? []].some((key) => key.startsWith('d='))) portHits++;
        }
        if (firstMatching(list, new ConnectionKeys(view)) !== scanned) return { checked, allowed, indexedLists, indexedHits, portHits, disagreement: `index vs scan on ${JSON.stringify(conn)}` };
      }
      checked++;
      if (got) allowed++;
    }
  }
  return { checked, allowed, indexedLists, indexedHits, portHits };
}

test('random policies: compiled decision agrees with the reference evaluator', (t) => {
  const { checked, allowed, disagreement } = run(42, 300, 1, 5, 0);
  t.is(disagreement, undefined);
  t.is(checked, 6000);
  // Both outcomes must be well represented for the comparison to mean something.
  t.true(allowed > 600 && allowed < 5400, `${allowed} allowed of ${checked}`);
});

test('long policy lists (indexed by principal and namespace): same decisions and same named policy as a scan', (t) => {
  const { checked, indexedLists, indexedHits, disagreement } = run(7, 120, 40, 160, 0.8);
  t.is(disagreement, undefined);
  t.is(checked, 2400);
  // Long lists were searched through the index, with and without a policy matching.
  t.true(indexedLists > 300, `${indexedLists} indexed lists checked`);
  t.true(indexedHits > 0 && indexedHits < indexedLists, `${indexedHits} of ${indexedLists} indexed lists had a match`);
});

test('long policy lists with port-only Matches (indexed by port): same decisions and same named policy as a scan', (t) => {
  const { checked, indexedLists, indexedHits, portHits, disagreement } = run(11, 120, 40, 160, 0.8, 0.5);
  t.is(disagreement, undefined);
  t.is(checked, 2400);
  t.true(indexedLists > 300, `${indexedLists} indexed lists checked`);
  t.true(indexedHits > 0 && indexedHits < indexedLists, `${indexedHits} of ${indexedLists} indexed lists had a match`);
  // Often the policy a scan finds first is filed under a port key (so a wrong port key shows).
  t.true(portHits > 100, `${portHits} first matches filed under a port`);
});

test('requiredKeys: the principals, namespaces, source ranges or ports a policy can match at all', (t) => {
  const compile = (rules: AuthzRule[]): CompiledPolicy => compilePolicy(authz('p', rules, { ns: 'foo', scope: 'NAMESPACE', action: 'ALLOW', dryRun: false }));
  const rule = (...clauses: AuthzMatch[][]): AuthzRule => ({ clauses: clauses.map((matches) => ({ matches })) });
  const exactP = (...vs: string[]): AuthzMatch => match({ principals: vs.map((v) => sm.exact(v)) });
  const ports = (...ps: number[]): AuthzMatch => match({ destinationPorts: ps });
  const dstRange = match({ destinationIps: [{ address: '10.0.0.0', length: 8 }] });
  const cases: [string, AuthzRule[], string[] | null][] = [
    ['one exact principal', [rule([exactP('a')])], ['p=a']],
    ['two matches of a clause: either', [rule([exactP('a'), exactP('b', 'c')])], ['p=a', 'p=b', 'p=c']],
    ['two rules: either', [rule([exactP('a')]), rule([exactP('d')])], ['p=a', 'p=d']],
    ['prefix, suffix and presence are keys too', [rule([match({ principals: [sm.prefix('ab'), sm.suffix('xyz'), sm.presence()] })])], ['p*', 'p<2:ab', 'p>3:xyz']],
    ['a principal or a namespace or a source range (one per Match)', [rule([exactP('a'), match({ namespaces: [sm.exact('ns1')] }), match({ sourceIps: [{ address: '10.1.2.3', length: 16 }] })])], ['c4/16:167837696.0.0.0', 'n=ns1', 'p=a']],
    ['a rule without a narrowing clause: none', [rule([exactP('a')]), rule([dstRange])], null],
    ['a sibling Match without a narrowing field: none', [rule([exactP('a'), dstRange])], null],
    ['only negative fields: none', [rule([match({ notPrincipals: [sm.exact('a')] })])], null],
    ['only negative ports (notPorts): none', [rule([match({ notDestinationPorts: [80] })])], null],
    ['a port-only Match: its ports', [rule([ports(80, 8080)])], ['d=80', 'd=8080']],
    ['ports are read as u16, as the matcher reads them', [rule([ports(65536 + 80)])], ['d=80']],
    ['a port beside fields the index does not narrow by: the port', [rule([match({ destinationPorts: [80], notDestinationPorts: [81], destinationIps: [{ address: '10.0.0.0', length: 8 }], notPrincipals: [sm.exact('a')] })])], ['d=80']],
    ['a principal and a port in one Match: the principal', [rule([match({ principals: [sm.exact('a')], destinationPorts: [80] })])], ['p=a']],
    ['a port-only rule and a principal rule: either', [rule([ports(80)]), rule([exactP('a')])], ['d=80', 'p=a']],
    ['a port-only Match and a principal Match of a clause: either', [rule([ports(80), exactP('a')])], ['d=80', 'p=a']],
    ['AND of a port clause and a principal clause: the principal one', [rule([ports(80)], [exactP('a')])], ['p=a']],
    ['AND of a port clause and a wider principal clause: still the principal one', [rule([ports(80)], [exactP('a', 'b')])], ['p=a', 'p=b']],
    ['AND of two port clauses: the one with fewer ports', [rule([ports(80, 81)], [ports(90)])], ['d=90']],
    ['no rules: never matches', [], []],
  ];
  for (const [name, rules, want] of cases) {
    const got = requiredKeys(compile(rules).rules);
    t.deepEqual(got === null ? null : [...got].sort(), want === null ? null : [...want].sort(), name);
  }
});
