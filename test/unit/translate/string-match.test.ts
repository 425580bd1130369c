// Value conversions used by the policy translation (rule 11 string forms, rule 17 CIDRs,
// rule 15 service accounts), and a sanity table for the test evaluator itself.
import test from 'ava';
import type { AuthzRule, Cidr, ServiceAccountMatch, StringMatch } from '../../../api/model.js';
import { toCidrs, toPorts, toServiceAccountMatches, toStringMatch } from '../../../controller/translate/string-match.js';
import { match, sm } from './builders.js';
import type { Conn } from './rbac-eval.js';
import { policyMatches } from './rbac-eval.js';

const stringCases: { name: string; input: string; expected: StringMatch }[] = [
  { name: 'exact', input: 'cluster.local/ns/a/sa/b', expected: sm.exact('cluster.local/ns/a/sa/b') },
  { name: 'prefix', input: 'team-*', expected: sm.prefix('team-') },
  { name: 'suffix', input: '*-prod', expected: sm.suffix('-prod') },
  { name: 'presence', input: '*', expected: sm.presence() },
];
for (const c of stringCases) {
  test(`toStringMatch: ${c.name}`, (t) => t.deepEqual(toStringMatch(c.input), c.expected));
}

const portCases: { name: string; input: string[]; expected: number[] }[] = [
  { name: 'decimal ports kept in order', input: ['8080', '80'], expected: [8080, 80] },
  { name: 'non-numeric dropped', input: ['http', '80'], expected: [80] },
  { name: 'out of range dropped', input: ['70000', '65535'], expected: [65535] },
  { name: 'signs and spaces dropped', input: ['-1', ' 80', '+80'], expected: [] },
];
for (const c of portCases) {
  test(`toPorts: ${c.name}`, (t) => t.deepEqual(toPorts(c.input), c.expected));
}

const cidrCases: { name: string; input: string[]; expected: Cidr[] }[] = [
  { name: 'IPv4 single address is /32', input: ['10.1.2.3'], expected: [{ address: '10.1.2.3', length: 32 }] },
  { name: 'IPv4 CIDR', input: ['10.0.0.0/8'], expected: [{ address: '10.0.0.0', length: 8 }] },
  { name: 'IPv6 single address is /128', input: ['::1'], expected: [{ address: '::1', length: 128 }] },
  { name: 'IPv6 CIDR', input: ['fd00::/8'], expected: [{ address: 'fd00::', length: 8 }] },
  { name: 'bad address dropped', input: ['10.0.0.300', 'x/8'], expected: [] },
  { name: 'prefix too long dropped', input: ['10.0.0.0/33', '::/129'], expected: [] },
  // An unparsable prefix must be dropped, never read as /0 (which would match every address).
  { name: 'empty prefix length dropped', input: ['10.1.2.3/'], expected: [] },
  { name: 'non-decimal prefix length dropped', input: ['10.0.0.0/0x8', '10.0.0.0/ 8', '10.0.0.0/1e1'], expected: [] },
];
for (const c of cidrCases) {
  test(`toCidrs: ${c.name}`, (t) => t.deepEqual(toCidrs(c.input), c.expected));
}

const saCases: { name: string; input: string[]; expected: ServiceAccountMatch[] }[] = [
  { name: 'ns/sa', input: ['bar/client'], expected: [{ namespace: 'bar', serviceAccount: 'client' }] },
  { name: 'sa alone takes the policy namespace', input: ['client'], expected: [{ namespace: 'foo', serviceAccount: 'client' }] },
];
for (const c of saCases) {
  test(`toServiceAccountMatches: ${c.name}`, (t) => t.deepEqual(toServiceAccountMatches(c.input, 'foo'), c.expected));
}

// The evaluator's own rules, so the semantic checks elsewhere mean what they say.
const plain: Conn = { sourceIp: '10.0.0.1', destinationIp: '10.0.0.2', destinationPort: 80 };
const evalCases: { name: string; rules: AuthzRule[]; conn: Conn; expected: boolean }[] = [
  { name: 'no rules never matches', rules: [], conn: plain, expected: false },
  { name: 'a rule with no clauses matches', rules: [{ clauses: [] }], conn: plain, expected: true },
  { name: 'a clause with no matches matches', rules: [{ clauses: [{ matches: [] }] }], conn: plain, expected: true },
  { name: 'an empty match never matches', rules: [{ clauses: [{ matches: [match({})] }] }], conn: plain, expected: false },
  { name: 'clauses are ANDed', rules: [{ clauses: [{ matches: [match({ destinationPorts: [80] })] }, { matches: [match({ destinationPorts: [81] })] }] }], conn: plain, expected: false },
  { name: 'matches are ORed', rules: [{ clauses: [{ matches: [match({ destinationPorts: [81] }), match({ destinationPorts: [80] })] }] }], conn: plain, expected: true },
  { name: 'plaintext fails notPrincipals presence? no: it passes', rules: [{ clauses: [{ matches: [match({ notPrincipals: [sm.presence()] })] }] }], conn: plain, expected: true },
  { name: 'spiffe:// is ignored when comparing principals', rules: [{ clauses: [{ matches: [match({ principals: [sm.exact('td/ns/a/sa/b')] })] }] }], conn: { ...plain, principal: 'spiffe://td/ns/a/sa/b' }, expected: true },
];
for (const c of evalCases) {
  test(`evaluator: ${c.name}`, (t) => {
    t.is(policyMatches({ name: 'x', namespace: 'y', scope: 'NAMESPACE', action: 'ALLOW', rules: c.rules, dryRun: false }, c.conn), c.expected);
  });
}
