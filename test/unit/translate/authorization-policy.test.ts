// AuthorizationPolicy → Authorization (istio-semantics §1; istiod's ambient conversion).
// Each case gives the policy, the expected converted shape (when worth pinning) and
// connections the converted policy must or must not match under ztunnel semantics.
import test from 'ava';
import type { Authorization, AuthzRule } from '../../../api/model.js';
import { convertAuthorizationPolicy } from '../../../controller/translate/authorization-policy.js';
import { authorizationPolicy, match, sm } from './builders.js';
import type { Conn } from './rbac-eval.js';
import { isAllowed, policyMatches } from './rbac-eval.js';

const ROOT = 'istio-system';
const NS = 'foo';

/** An mTLS connection from <ns>/<sa>. */
function mtls(ns: string, sa: string, port = 8080, sourceIp = '10.1.2.3'): Conn {
  return { principal: `cluster.local/ns/${ns}/sa/${sa}`, sourceIp, destinationIp: '10.0.0.10', destinationPort: port };
}
function plaintext(port = 8080, sourceIp = '10.1.2.3'): Conn {
  return { sourceIp, destinationIp: '10.0.0.10', destinationPort: port };
}
const rule = (...clauses: AuthzRule['clauses']): AuthzRule => ({ clauses });

type Check = [label: string, conn: Conn, matches: boolean];

interface Case {
  name: string;
  ns?: string;
  spec: Record<string, unknown>;
  annotations?: Record<string, string>;
  /** false: nothing is sent to the node proxy. */
  sent?: boolean;
  scope?: Authorization['scope'];
  action?: Authorization['action'];
  dryRun?: boolean;
  rules?: AuthzRule[];
  /** A warning matching this, or 'none' for no warning at all. */
  warning?: RegExp | 'none';
  checks?: Check[];
}

const L4 = 'none' as const;

const cases: Case[] = [
  // ---- source fields (rules 13–18) ----
  {
    name: 'principals exact',
    spec: { rules: [{ from: [{ source: { principals: ['cluster.local/ns/bar/sa/client'] } }] }] },
    rules: [rule({ matches: [match({ principals: [sm.exact('cluster.local/ns/bar/sa/client')] })] })],
    warning: L4,
    checks: [['that principal', mtls('bar', 'client'), true], ['other sa', mtls('bar', 'other'), false], ['plaintext', plaintext(), false]],
  },
  {
    name: 'principals prefix form',
    spec: { rules: [{ from: [{ source: { principals: ['cluster.local/ns/bar/*'] } }] }] },
    rules: [rule({ matches: [match({ principals: [sm.prefix('cluster.local/ns/bar/')] })] })],
    checks: [['bar/any', mtls('bar', 'x'), true], ['baz/any', mtls('baz', 'x'), false]],
  },
  {
    name: 'principals suffix form',
    spec: { rules: [{ from: [{ source: { principals: ['*/sa/admin'] } }] }] },
    rules: [rule({ matches: [match({ principals: [sm.suffix('/sa/admin')] })] })],
    checks: [['x/admin', mtls('x', 'admin'), true], ['x/user', mtls('x', 'user'), false]],
  },
  {
    name: 'principals presence "*" requires mTLS (rule 13)',
    spec: { rules: [{ from: [{ source: { principals: ['*'] } }] }] },
    rules: [rule({ matches: [match({ principals: [sm.presence()] })] })],
    checks: [['any mTLS', mtls('a', 'b'), true], ['plaintext', plaintext(), false]],
  },
  {
    name: 'DENY notPrincipals "*" denies plaintext only (rule 13)',
    spec: { action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }] },
    action: 'DENY',
    rules: [rule({ matches: [match({ notPrincipals: [sm.presence()] })] })],
    warning: L4,
    checks: [['plaintext', plaintext(), true], ['mTLS', mtls('a', 'b'), false]],
  },
  {
    name: 'namespaces exact; plaintext never matches (rule 14)',
    spec: { rules: [{ from: [{ source: { namespaces: ['bar'] } }] }] },
    rules: [rule({ matches: [match({ namespaces: [sm.exact('bar')] })] })],
    checks: [['bar', mtls('bar', 'x'), true], ['baz', mtls('baz', 'x'), false], ['plaintext', plaintext(), false]],
  },
  {
    name: 'namespaces prefix form',
    spec: { rules: [{ from: [{ source: { namespaces: ['team-*'] } }] }] },
    rules: [rule({ matches: [match({ namespaces: [sm.prefix('team-')] })] })],
    checks: [['team-a', mtls('team-a', 'x'), true], ['other', mtls('other', 'x'), false]],
  },
  {
    name: 'notNamespaces',
    spec: { rules: [{ from: [{ source: { notNamespaces: ['bar'] } }] }] },
    rules: [rule({ matches: [match({ notNamespaces: [sm.exact('bar')] })] })],
    checks: [['bar', mtls('bar', 'x'), false], ['baz', mtls('baz', 'x'), true]],
  },
  {
    name: 'serviceAccounts "<ns>/<sa>"',
    spec: { rules: [{ from: [{ source: { serviceAccounts: ['bar/client'] } }] }] },
    rules: [rule({ matches: [match({ serviceAccounts: [{ namespace: 'bar', serviceAccount: 'client' }] })] })],
    checks: [['bar/client', mtls('bar', 'client'), true], ['foo/client', mtls('foo', 'client'), false], ['plaintext', plaintext(), false]],
  },
  {
    name: 'serviceAccounts "<sa>" means the policy namespace (rule 15)',
    spec: { rules: [{ from: [{ source: { serviceAccounts: ['client'] } }] }] },
    rules: [rule({ matches: [match({ serviceAccounts: [{ namespace: NS, serviceAccount: 'client' }] })] })],
    checks: [['foo/client', mtls(NS, 'client'), true], ['bar/client', mtls('bar', 'client'), false]],
  },
  {
    name: 'notServiceAccounts',
    spec: { rules: [{ from: [{ source: { notServiceAccounts: ['bar/client'] } }] }] },
    rules: [rule({ matches: [match({ notServiceAccounts: [{ namespace: 'bar', serviceAccount: 'client' }] })] })],
    checks: [['bar/client', mtls('bar', 'client'), false], ['bar/other', mtls('bar', 'other'), true]],
  },
  {
    name: 'ipBlocks single IP becomes /32 (rule 17)',
    spec: { rules: [{ from: [{ source: { ipBlocks: ['10.1.2.3'] } }] }] },
    rules: [rule({ matches: [match({ sourceIps: [{ address: '10.1.2.3', length: 32 }] })] })],
    checks: [['that IP, plaintext', plaintext(8080, '10.1.2.3'), true], ['neighbour', plaintext(8080, '10.1.2.4'), false]],
  },
  {
    name: 'ipBlocks CIDR',
    spec: { rules: [{ from: [{ source: { ipBlocks: ['10.1.0.0/16'] } }] }] },
    rules: [rule({ matches: [match({ sourceIps: [{ address: '10.1.0.0', length: 16 }] })] })],
    checks: [['inside', plaintext(8080, '10.1.200.7'), true], ['outside', plaintext(8080, '10.2.0.1'), false]],
  },
  {
    name: 'ipBlocks IPv6 CIDR and single IP',
    spec: { rules: [{ from: [{ source: { ipBlocks: ['fd00::/8', '2001:db8::1'] } }] }] },
    rules: [rule({ matches: [match({ sourceIps: [{ address: 'fd00::', length: 8 }, { address: '2001:db8::1', length: 128 }] })] })],
    checks: [['fd12::5', plaintext(8080, 'fd12::5'), true], ['2001:db8::1', plaintext(8080, '2001:db8::1'), true], ['2001:db8::2', plaintext(8080, '2001:db8::2'), false]],
  },
  {
    name: 'notIpBlocks',
    spec: { rules: [{ from: [{ source: { notIpBlocks: ['10.1.0.0/16'] } }] }] },
    rules: [rule({ matches: [match({ notSourceIps: [{ address: '10.1.0.0', length: 16 }] })] })],
    checks: [['inside', plaintext(8080, '10.1.0.9'), false], ['outside', plaintext(8080, '192.168.1.1'), true]],
  },
  {
    name: 'source fields in one source are ANDed (rule 9)',
    spec: { rules: [{ from: [{ source: { namespaces: ['bar'], ipBlocks: ['10.1.0.0/16'] } }] }] },
    rules: [rule({ matches: [match({ namespaces: [sm.exact('bar')], sourceIps: [{ address: '10.1.0.0', length: 16 }] })] })],
    checks: [['bar inside', mtls('bar', 'x', 8080, '10.1.0.1'), true], ['bar outside', mtls('bar', 'x', 8080, '10.9.0.1'), false], ['baz inside', mtls('baz', 'x', 8080, '10.1.0.1'), false]],
  },
  {
    name: 'two sources are ORed: one clause, two matches',
    spec: { rules: [{ from: [{ source: { namespaces: ['a'] } }, { source: { namespaces: ['b'] } }] }] },
    rules: [rule({ matches: [match({ namespaces: [sm.exact('a')] }), match({ namespaces: [sm.exact('b')] })] })],
    checks: [['a', mtls('a', 'x'), true], ['b', mtls('b', 'x'), true], ['c', mtls('c', 'x'), false]],
  },

  // ---- operation fields (rule 19) ----
  {
    name: 'ports (workload port)',
    spec: { rules: [{ to: [{ operation: { ports: ['8080'] } }] }] },
    rules: [rule({ matches: [match({ destinationPorts: [8080] })] })],
    warning: L4,
    checks: [['8080', plaintext(8080), true], ['80', plaintext(80), false]],
  },
  {
    name: 'notPorts',
    spec: { rules: [{ to: [{ operation: { notPorts: ['9000'] } }] }] },
    rules: [rule({ matches: [match({ notDestinationPorts: [9000] })] })],
    checks: [['9000', plaintext(9000), false], ['9001', plaintext(9001), true]],
  },
  {
    name: 'from and to are ANDed: two clauses',
    spec: { rules: [{ from: [{ source: { namespaces: ['bar'] } }], to: [{ operation: { ports: ['8080'] } }] }] },
    rules: [rule({ matches: [match({ destinationPorts: [8080] })] }, { matches: [match({ namespaces: [sm.exact('bar')] })] })],
    checks: [['bar:8080', mtls('bar', 'x', 8080), true], ['bar:9090', mtls('bar', 'x', 9090), false], ['baz:8080', mtls('baz', 'x', 8080), false]],
  },
  {
    name: 'rules are ORed',
    spec: { rules: [{ to: [{ operation: { ports: ['8080'] } }] }, { from: [{ source: { namespaces: ['bar'] } }] }] },
    rules: [rule({ matches: [match({ destinationPorts: [8080] })] }), rule({ matches: [match({ namespaces: [sm.exact('bar')] })] })],
    checks: [['plaintext:8080', plaintext(8080), true], ['bar:9090', mtls('bar', 'x', 9090), true], ['baz:9090', mtls('baz', 'x', 9090), false]],
  },

  // ---- when, L4 keys (rule 23, 26) ----
  {
    name: 'when source.ip values and notValues: one clause, one match',
    spec: { rules: [{ when: [{ key: 'source.ip', values: ['10.1.0.0/16'], notValues: ['10.1.1.1'] }] }] },
    rules: [rule({ matches: [match({ sourceIps: [{ address: '10.1.0.0', length: 16 }], notSourceIps: [{ address: '10.1.1.1', length: 32 }] })] })],
    warning: L4,
    checks: [['10.1.2.2', plaintext(8080, '10.1.2.2'), true], ['10.1.1.1 excluded', plaintext(8080, '10.1.1.1'), false], ['10.2.0.1', plaintext(8080, '10.2.0.1'), false]],
  },
  {
    name: 'when source.namespace values and notValues',
    spec: { rules: [{ when: [{ key: 'source.namespace', values: ['team-*'], notValues: ['team-x'] }] }] },
    rules: [rule({ matches: [match({ namespaces: [sm.prefix('team-')], notNamespaces: [sm.exact('team-x')] })] })],
    warning: L4,
    checks: [['team-a', mtls('team-a', 's'), true], ['team-x', mtls('team-x', 's'), false], ['plaintext', plaintext(), false]],
  },
  {
    name: 'when source.principal values and notValues',
    spec: { rules: [{ when: [{ key: 'source.principal', values: ['*'], notValues: ['cluster.local/ns/bar/sa/bad'] }] }] },
    rules: [rule({ matches: [match({ principals: [sm.presence()], notPrincipals: [sm.exact('cluster.local/ns/bar/sa/bad')] })] })],
    warning: L4,
    checks: [['bar/good', mtls('bar', 'good'), true], ['bar/bad', mtls('bar', 'bad'), false], ['plaintext', plaintext(), false]],
  },
  {
    name: 'when destination.ip values and notValues',
    spec: { rules: [{ when: [{ key: 'destination.ip', values: ['10.0.0.0/24'], notValues: ['10.0.0.99'] }] }] },
    rules: [rule({ matches: [match({ destinationIps: [{ address: '10.0.0.0', length: 24 }], notDestinationIps: [{ address: '10.0.0.99', length: 32 }] })] })],
    warning: L4,
    checks: [['10.0.0.10', plaintext(), true], ['10.0.0.99', { ...plaintext(), destinationIp: '10.0.0.99' }, false]],
  },
  {
    name: 'when destination.port values and notValues',
    spec: { rules: [{ when: [{ key: 'destination.port', values: ['8080', '9090'], notValues: ['9090'] }] }] },
    rules: [rule({ matches: [match({ destinationPorts: [8080, 9090], notDestinationPorts: [9090] })] })],
    warning: L4,
    checks: [['8080', plaintext(8080), true], ['9090', plaintext(9090), false], ['80', plaintext(80), false]],
  },
  {
    name: 'each when condition is its own clause (ANDed)',
    spec: { rules: [{ when: [{ key: 'source.namespace', values: ['bar'] }, { key: 'destination.port', values: ['8080'] }] }] },
    rules: [rule({ matches: [match({ namespaces: [sm.exact('bar')] })] }, { matches: [match({ destinationPorts: [8080] })] })],
    checks: [['bar:8080', mtls('bar', 'x', 8080), true], ['bar:80', mtls('bar', 'x', 80), false], ['baz:8080', mtls('baz', 'x', 8080), false]],
  },

  // ---- HTTP-only attributes in ALLOW: the rule is dropped (rules 26–28) ----
  ...(['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const).map((f): Case => ({
    name: `ALLOW with operation.${f}: rule dropped, L4 sibling rule kept`,
    spec: { rules: [{ to: [{ operation: { [f]: ['x'], ports: ['8080'] } }] }, { from: [{ source: { namespaces: ['bar'] } }] }] },
    action: 'ALLOW',
    rules: [rule({ matches: [match({ namespaces: [sm.exact('bar')] })] })],
    warning: new RegExp(`found: ${f}\\)\\. Within an ALLOW policy, rules using HTTP attributes are omitted`),
    checks: [['plaintext:8080 (only the dropped rule allowed it)', plaintext(8080), false], ['bar', mtls('bar', 'x'), true]],
  })),
  ...(['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks', 'trustDomains', 'notTrustDomains'] as const).map((f): Case => ({
    name: `ALLOW with source.${f}: rule dropped`,
    spec: { rules: [{ from: [{ source: { [f]: /[rR]emoteIp/.test(f) ? ['10.0.0.0/8'] : ['x'], namespaces: ['bar'] } }] }] },
    rules: [],
    warning: new RegExp(`found: ${f}\\)`),
    checks: [['bar (the dropped rule would have allowed it)', mtls('bar', 'x'), false]],
  })),
  ...(['request.headers[x-token]', 'remote.ip', 'request.auth.claims[groups]', 'source.serviceAccount', 'source.trustDomain', 'connection.sni'] as const).map((key): Case => ({
    name: `ALLOW with when ${key}: rule dropped`,
    spec: { rules: [{ when: [{ key, values: ['v'] }, { key: 'destination.port', values: ['8080'] }] }] },
    rules: [],
    warning: new RegExp(`found: ${key.replace(/[[\]().]/g, '\\$&')}\\)`),
    checks: [['plaintext:8080', plaintext(8080), false]],
  })),
  {
    name: 'ALLOW whose every rule is HTTP-only still counts as an ALLOW policy (fail closed)',
    spec: { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] },
    action: 'ALLOW',
    rules: [],
    warning: /found: methods\)/,
    checks: [['anything', mtls('bar', 'x'), false]],
  },
  {
    name: 'warning lists every HTTP attribute found, sorted',
    spec: { rules: [{ to: [{ operation: { paths: ['/a'], methods: ['GET'] } }], from: [{ source: { requestPrincipals: ['*'] } }] }] },
    rules: [],
    warning: /found: methods, paths, requestPrincipals\)/,
  },

  // ---- HTTP-only attributes in DENY: stripped, empty match kept (rule 28) ----
  {
    name: 'DENY methods only: empty match kept, no effect at L4',
    spec: { action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] },
    action: 'DENY',
    rules: [rule({ matches: [match({})] })],
    warning: /found: methods\)\. After omitting the HTTP attributes this DENY policy has no effect at L4/,
    checks: [['plaintext:8080', plaintext(8080), false], ['mTLS', mtls('bar', 'x'), false]],
  },
  {
    name: 'DENY methods+ports: denies every connection to that port (rule 28)',
    spec: { action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] }] },
    action: 'DENY',
    rules: [rule({ matches: [match({ destinationPorts: [9000] })] })],
    warning: /found: methods\)\. The DENY policy is enforced without its HTTP attributes/,
    checks: [['9000', plaintext(9000), true], ['9001', plaintext(9001), false]],
  },
  {
    name: 'DENY paths in one operation, ports in another: ORed, empty one inert',
    spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }, { operation: { ports: ['9000'] } }] }] },
    rules: [rule({ matches: [match({}), match({ destinationPorts: [9000] })] })],
    checks: [['9000', plaintext(9000), true], ['8080', plaintext(8080), false]],
  },
  {
    name: 'DENY requestPrincipals with namespaces: the namespace part stays',
    spec: { action: 'DENY', rules: [{ from: [{ source: { requestPrincipals: ['iss/sub'], namespaces: ['bar'] } }] }] },
    rules: [rule({ matches: [match({ namespaces: [sm.exact('bar')] })] })],
    warning: /found: requestPrincipals\)/,
    checks: [['bar', mtls('bar', 'x'), true], ['baz', mtls('baz', 'x'), false]],
  },
  {
    name: 'DENY remoteIpBlocks alone: empty from-clause, rule inert',
    spec: { action: 'DENY', rules: [{ from: [{ source: { remoteIpBlocks: ['10.0.0.0/8'] } }], to: [{ operation: { ports: ['8080'] } }] }] },
    rules: [rule({ matches: [match({ destinationPorts: [8080] })] }, { matches: [match({})] })],
    warning: /no effect at L4/,
    checks: [['10.1.2.3:8080', plaintext(8080), false]],
  },
  {
    name: 'DENY trustDomains with namespaces: trust domain stripped',
    spec: { action: 'DENY', rules: [{ from: [{ source: { trustDomains: ['other.local'], namespaces: ['bar'] } }] }] },
    rules: [rule({ matches: [match({ namespaces: [sm.exact('bar')] })] })],
    warning: /found: trustDomains\)/,
    checks: [['bar', mtls('bar', 'x'), true]],
  },
  {
    name: 'DENY when request.headers: one clause with an empty match',
    spec: { action: 'DENY', rules: [{ to: [{ operation: { ports: ['8080'] } }], when: [{ key: 'request.headers[x-user]', values: ['guest'] }] }] },
    rules: [rule({ matches: [match({ destinationPorts: [8080] })] }, { matches: [match({})] })],
    warning: /found: request\.headers\[x-user\]\)/,
    checks: [['8080', plaintext(8080), false]],
  },
  {
    name: 'DENY with an HTTP-only rule and an L4 rule: both kept, L4 one effective',
    spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/x'] } }] }, { from: [{ source: { ipBlocks: ['10.9.0.0/16'] } }] }] },
    rules: [rule({ matches: [match({})] }), rule({ matches: [match({ sourceIps: [{ address: '10.9.0.0', length: 16 }] })] })],
    warning: /found: paths\)/,
    checks: [['10.9.1.1', plaintext(8080, '10.9.1.1'), true], ['10.1.2.3', plaintext(8080, '10.1.2.3'), false]],
  },

  // ---- whole-policy forms (rules 4, 6–8, 29) ----
  {
    name: 'allow-nothing: spec {} is an ALLOW with no rules, matches nothing',
    spec: {},
    action: 'ALLOW',
    scope: 'NAMESPACE',
    rules: [],
    warning: L4,
    checks: [['mTLS', mtls('bar', 'x'), false], ['plaintext', plaintext(), false]],
  },
  {
    name: 'allow-all: rules [{}] is one rule with no clauses, matches everything',
    spec: { rules: [{}] },
    rules: [rule()],
    warning: L4,
    checks: [['mTLS', mtls('bar', 'x'), true], ['plaintext', plaintext(), true]],
  },
  {
    name: 'deny-all: DENY rules [{}]',
    spec: { action: 'DENY', rules: [{}] },
    action: 'DENY',
    rules: [rule()],
    checks: [['plaintext', plaintext(), true]],
  },
  {
    name: 'scope: root namespace without selector is GLOBAL',
    ns: ROOT,
    spec: { rules: [{}] },
    scope: 'GLOBAL',
  },
  {
    name: 'scope: root namespace with selector is WORKLOAD_SELECTOR',
    ns: ROOT,
    spec: { selector: { matchLabels: { app: 'x' } }, rules: [{}] },
    scope: 'WORKLOAD_SELECTOR',
  },
  {
    name: 'scope: namespace without selector is NAMESPACE',
    spec: { rules: [{}] },
    scope: 'NAMESPACE',
  },
  {
    name: 'scope: null selector is NAMESPACE',
    spec: { selector: null, rules: [{}] },
    scope: 'NAMESPACE',
  },
  {
    name: 'scope: namespace with selector is WORKLOAD_SELECTOR',
    spec: { selector: { matchLabels: { app: 'x' } }, rules: [{}] },
    scope: 'WORKLOAD_SELECTOR',
  },
  {
    name: 'dry-run annotation "true" marks the policy dry-run (rule 8)',
    spec: { action: 'DENY', rules: [{}] },
    annotations: { 'istio.io/dry-run': 'true' },
    dryRun: true,
  },
  {
    name: 'dry-run annotation "false" is enforced',
    spec: { action: 'DENY', rules: [{}] },
    annotations: { 'istio.io/dry-run': 'false' },
    dryRun: false,
  },
  {
    name: 'targetRefs: waypoint-only, not sent, no warning (rule 7)',
    spec: { targetRefs: [{ kind: 'Service', group: '', name: 'svc' }], rules: [{ to: [{ operation: { methods: ['GET'] } }] }] },
    sent: false,
    warning: L4,
  },
  {
    name: 'targetRef (singular, deprecated): not sent',
    spec: { targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'wp' }, rules: [{}] },
    sent: false,
    warning: L4,
  },
  {
    name: 'CUSTOM: not sent, with a warning (rule 29)',
    spec: { action: 'CUSTOM', provider: { name: 'ext' }, rules: [{ to: [{ operation: { ports: ['8080'] } }] }] },
    sent: false,
    warning: /does not support the CUSTOM action; it is not enforced \(a waypoint enforces it only when attached with targetRefs\)/,
  },
  {
    name: 'AUDIT: not sent, with a warning (rule 29)',
    spec: { action: 'AUDIT', rules: [{}] },
    sent: false,
    warning: /does not support the AUDIT action/,
  },
];

test('authorization-policy table has at least 35 cases', (t) => {
  t.true(cases.length >= 35, `${cases.length} cases`);
});

for (const c of cases) {
  test(`authz: ${c.name}`, (t) => {
    const ns = c.ns ?? NS;
    const obj = authorizationPolicy('p', ns, c.spec, { annotations: c.annotations ?? {} });
    const { policy, warnings } = convertAuthorizationPolicy(obj, ROOT);

    if (c.warning === 'none') t.deepEqual(warnings, []);
    else if (c.warning) {
      const re = c.warning;
      t.true(warnings.some((w) => re.test(w)), `no warning matches ${String(re)}: ${JSON.stringify(warnings)}`);
      t.true(warnings.every((w) => w.includes(`AuthorizationPolicy ${ns}/p`)), 'warnings name the policy');
    }

    if (c.sent === false) {
      t.is(policy, undefined);
      return;
    }
    if (!policy) return t.fail('policy not sent');
    t.is(policy.name, 'p');
    t.is(policy.namespace, ns);
    t.is(policy.action, c.action ?? policy.action);
    if (c.action === undefined && c.spec.action === undefined) t.is(policy.action, 'ALLOW', 'action defaults to ALLOW');
    if (c.scope) t.is(policy.scope, c.scope);
    t.is(policy.dryRun, c.dryRun ?? false);
    if (c.rules) t.deepEqual(policy.rules, c.rules);
    for (const [label, conn, expected] of c.checks ?? []) {
      t.is(policyMatches(policy, conn), expected, `${label}: expected ${expected ? 'match' : 'no match'}`);
    }
  });
}

// Decisions with several converted policies together (rules 1, 4, 5, 27–28).
interface DecisionCase { name: string; specs: Record<string, unknown>[]; checks: [string, Conn, boolean][] }

const decisions: DecisionCase[] = [
  {
    name: 'allow-nothing plus a workload ALLOW: only what the ALLOW matches',
    specs: [{}, { rules: [{ from: [{ source: { namespaces: ['bar'] } }] }] }],
    checks: [['bar', mtls('bar', 'x'), true], ['baz', mtls('baz', 'x'), false], ['plaintext', plaintext(), false]],
  },
  {
    name: 'no policies allow everything; an HTTP-only ALLOW denies everything (fail closed)',
    specs: [{ rules: [{ to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] }] }],
    checks: [['9000', plaintext(9000), false], ['9001', plaintext(9001), false]],
  },
  {
    name: 'DENY methods+ports with allow-all: 9000 denied, 9001 allowed',
    specs: [{ rules: [{}] }, { action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] }] }],
    checks: [['9000', plaintext(9000), false], ['9001', plaintext(9001), true]],
  },
  {
    name: 'a namespace ALLOW cannot override a DENY',
    specs: [{ rules: [{ from: [{ source: { namespaces: ['bar'] } }] }] }, { action: 'DENY', rules: [{ to: [{ operation: { ports: ['8080'] } }] }] }],
    checks: [['bar:8080', mtls('bar', 'x', 8080), false], ['bar:80', mtls('bar', 'x', 80), true]],
  },
];

for (const d of decisions) {
  test(`authz decision: ${d.name}`, (t) => {
    const policies = d.specs.map((s, i) => convertAuthorizationPolicy(authorizationPolicy(`p${i}`, NS, s), ROOT).policy)
      .filter((p): p is Authorization => p !== undefined);
    t.is(policies.length, d.specs.length);
    for (const [label, conn, expected] of d.checks) t.is(isAllowed(policies, conn), expected, label);
  });
}
