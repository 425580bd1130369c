// The policy index on lists long enough to be indexed, one connection per case: the
// policies under test sit among filler policies that never match (filed under
// principals and under other ports), and the index must name the policy a scan finds.
import test from 'ava';
import type { Authorization, AuthzMatch } from '../../../api/model.js';
import { compilePolicy, policyMatches, type CompiledPolicy } from '../../../daemon/rbac/compiled-policy.js';
import { ConnectionView, type Connection } from '../../../daemon/rbac/connection.js';
import { ConnectionKeys, INDEX_MIN_POLICIES, firstMatching, requiredKeys } from '../../../daemon/rbac/policy-index.js';
import { NS, authz, match, mtls, plain, rule, sm } from './support.js';

interface Case {
  name: string;
  policies: Authorization[];
  conn: Connection;
  /** Name of the first matching policy; undefined: none matches. */
  first: string | undefined;
}

const ports = (...ps: number[]): AuthzMatch => match({ destinationPorts: ps });
const principal = (sa: string): AuthzMatch => match({ principals: [sm.exact(`cluster.local/ns/bar/sa/${sa}`)] });

const port80 = authz('port-80', [rule([ports(80)])]);
const port80Wrapped = authz('port-80-wrapped', [rule([ports(65536 + 80)])]);
const notPort80 = authz('not-port-80', [rule([match({ notDestinationPorts: [80] })])]);
const fromA = authz('from-a', [rule([principal('a')])]);
const port80OrFromA = authz('port-80-or-from-a', [rule([ports(80)]), rule([principal('a')])]);

const cases: Case[] = [
  { name: 'a port-only policy is found for its port', policies: [port80], conn: plain({ port: 80 }), first: 'port-80' },
  { name: 'a port-only policy is not found for another port', policies: [port80], conn: plain({ port: 8080 }), first: undefined },
  { name: 'a port-only policy is found for its port read as u16', policies: [port80Wrapped], conn: plain({ port: 80 }), first: 'port-80-wrapped' },
  { name: 'a connection port above u16 finds no port-only policy', policies: [port80Wrapped], conn: plain({ port: 65536 + 80 }), first: undefined },
  { name: 'negative-only ports (notPorts) are scanned: found on another port', policies: [notPort80], conn: plain({ port: 8080 }), first: 'not-port-80' },
  { name: 'negative-only ports (notPorts) are scanned: not found on that port', policies: [notPort80], conn: plain({ port: 80 }), first: undefined },
  { name: 'a port-only policy before a principal policy: the port one is named', policies: [port80, fromA], conn: mtls('bar', 'a', { port: 80 }), first: 'port-80' },
  { name: 'a principal policy before a port-only policy: the principal one is named', policies: [fromA, port80], conn: mtls('bar', 'a', { port: 80 }), first: 'from-a' },
  { name: 'a port-only policy before a principal policy, other port: the principal one', policies: [port80, fromA], conn: mtls('bar', 'a', { port: 8080 }), first: 'from-a' },
  { name: 'a port-only rule and a principal rule: found by port', policies: [port80OrFromA], conn: plain({ port: 80 }), first: 'port-80-or-from-a' },
  { name: 'a port-only rule and a principal rule: found by principal on another port', policies: [port80OrFromA], conn: mtls('bar', 'a', { port: 9090 }), first: 'port-80-or-from-a' },
  { name: 'a port-only rule and a principal rule: neither, not found', policies: [port80OrFromA], conn: mtls('bar', 'b', { port: 9090 }), first: undefined },
];

/** Indexed fillers that match none of the connections above. */
const filler = (from: number, count: number): Authorization[] => Array.from({ length: count }, (_, i) => authz(
  `filler-${from + i}`,
  [rule([(from + i) % 2 === 0 ? principal(`nobody-${from + i}`) : ports(1000 + from + i)])],
));

test('the policies under test are filed under the keys expected', (t) => {
  const keys = (a: Authorization): string[] | null => {
    const k = requiredKeys(compilePolicy(a).rules);
    return k === null ? null : [...k].sort();
  };
  t.deepEqual(keys(port80), ['d=80']);
  t.deepEqual(keys(port80Wrapped), ['d=80']);
  t.is(keys(notPort80), null);
  t.deepEqual(keys(port80OrFromA), ['d=80', 'p=cluster.local/ns/bar/sa/a']);
});

for (const c of cases) {
  test(c.name, (t) => {
    const view = new ConnectionView(c.conn);
    // One ConnectionKeys for every layout, as one decision searches several lists.
    const ck = new ConnectionKeys(view);
    for (const [before, after] of [[20, 0], [10, 10], [0, 20]] as const) {
      const list: CompiledPolicy[] = [...filler(0, before), ...c.policies, ...filler(100, after)].map(compilePolicy);
      t.true(list.length >= INDEX_MIN_POLICIES);
      const want = list.find((p) => policyMatches(p, view));
      t.is(want?.key, c.first === undefined ? undefined : `${NS}/${c.first}`, 'scan');
      t.is(firstMatching(list, ck), want, `index, ${before} fillers before`);
    }
  });
}
