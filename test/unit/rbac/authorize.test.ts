// The daemon's L4 decision, one connection per case, each named after the rule of
// reference/istio-semantics.md it checks. Most policies are real Istio objects run
// through the controller's translation (istio()/fromPeerAuthentications()), so a case
// checks the whole chain; the rest are written in the wire shape to pin down what the
// translation never produces. Every decision is also compared with the reference
// evaluator over independently selected policies (see oracle.ts).
import test from 'ava';
import type { Authorization } from '../../../api/model.js';
import { STATIC_STRICT_POLICY } from '../../../controller/translate/peer-authentication.js';
import type { DestinationWorkload } from '../../../daemon/rbac/authorize.js';
import { authorize } from '../../../daemon/rbac/authorize.js';
import { compilePolicies } from '../../../daemon/rbac/compiled-policies.js';
import type { Connection } from '../../../daemon/rbac/connection.js';
import type { DryRunReport } from '../../../daemon/rbac/decision.js';
import { oracleAllows } from './oracle.js';
import {
  NS, ROOT, authz, fromPeerAuthentications, istio, match, mtls, peerAuthentication, plain, rule, workload,
} from './support.js';

interface Case {
  name: string;
  policies: Authorization[];
  /** Default: a workload of NS listing no selector policy. */
  workload?: DestinationWorkload;
  conn: Connection;
  allowed: boolean;
  /** Expected `policy` of the decision ('none': must be absent). */
  policy?: string;
  reason?: RegExp;
  /** Expected dry-run report fields; null: no report at all. */
  dryRun?: Partial<DryRunReport> | null;
  /** Skip the reference evaluator (it does not model this corner). */
  noOracle?: boolean;
}

const STATIC = `${ROOT}/${STATIC_STRICT_POLICY}`;
const NO_MATCH = /allow policies exist but none matched/;

// ---- policies used by several cases ----
const allowNothing = istio('allow-nothing', NS, {});
const allowAll = istio('allow-all', NS, { rules: [{}] });
const denyAll = istio('deny-all', NS, { action: 'DENY', rules: [{}] });
const allowBarClient = istio('allow-bar-client', NS, { selector: { matchLabels: { app: 'web' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/bar/sa/client'] } }] }] });
const fromBarTo8080 = istio('from-bar-to-8080', NS, { rules: [{ from: [{ source: { namespaces: ['bar'] } }], to: [{ operation: { ports: ['8080'] } }] }] });
const globalDenyPlain = istio('deny-plaintext', ROOT, { action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }] });
const globalAllowNothing = istio('global-allow-nothing', ROOT, {});
const whenSourceIp = istio('when-src-ip', NS, { rules: [{ when: [{ key: 'source.ip', values: ['10.0.0.0/8'], notValues: ['10.9.0.0/16'] }] }] });
const whenDstPort = istio('when-dst-port', NS, { rules: [{ when: [{ key: 'destination.port', values: ['8080', '9090'], notValues: ['9090'] }] }] });

const sel = (p: Authorization): DestinationWorkload => workload([`${p.namespace}/${p.name}`]);
const principalsPolicy = (values: string[]): Authorization => istio('principals', NS, { rules: [{ from: [{ source: { principals: values } }] }] });
const namespacesPolicy = (values: string[], not = false): Authorization =>
  istio('namespaces', NS, { rules: [{ from: [{ source: not ? { notNamespaces: values } : { namespaces: values } }] }] });
const ipPolicy = (values: string[], not = false): Authorization =>
  istio('ips', NS, { rules: [{ from: [{ source: not ? { notIpBlocks: values } : { ipBlocks: values } }] }] });
const portsPolicy = (ports: string[], not = false, action = 'ALLOW'): Authorization =>
  istio('ports', NS, { action, rules: [{ to: [{ operation: not ? { notPorts: ports } : { ports } }] }] });
const saPolicy = (values: string[], action = 'ALLOW'): Authorization =>
  istio('sa', NS, { action, rules: [{ from: [{ source: action === 'DENY' ? { notServiceAccounts: values } : { serviceAccounts: values } }] }] });

// PeerAuthentication chains (rule 40).
const meshStrict = fromPeerAuthentications([peerAuthentication('default', ROOT, { mtls: { mode: 'STRICT' } })]);
const strictWithExemptPort = fromPeerAuthentications([
  peerAuthentication('wl', NS, { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } }),
]);
const permissiveWithStrictPort = fromPeerAuthentications([
  peerAuthentication('ns', NS, { mtls: { mode: 'STRICT' } }),
  peerAuthentication('wl', NS, { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { 9090: { mode: 'STRICT' } } }),
]);
const nsDisable = fromPeerAuthentications([peerAuthentication('default', ROOT, { mtls: { mode: 'STRICT' } }), peerAuthentication('ns', NS, { mtls: { mode: 'DISABLE' } })]);

const cases: Case[] = [
  // ---- rule 1: decision order ----
  { name: 'rule 1: no policy applies: allowed, no policy named', policies: [], conn: plain(), allowed: true, policy: 'none', dryRun: null },
  { name: 'rule 1: DENY policies only, none matching: allowed', policies: [istio('deny-9000', NS, { action: 'DENY', rules: [{ to: [{ operation: { ports: ['9000'] } }] }] })], conn: plain(), allowed: true },
  { name: 'rule 1: deny-all (DENY rules [{}]) denies and names the policy', policies: [denyAll], conn: mtls('bar', 'client'), allowed: false, policy: `${NS}/deny-all`, reason: /denied by DENY policy foo\/deny-all/ },
  { name: 'rule 1: destination workload unknown: denied', policies: [allowAll], workload: undefined, conn: plain(), allowed: false, reason: /destination workload not found/, noOracle: true },

  // ---- rule 4: counting policies, not rules ----
  { name: 'rule 4: allow-nothing (ALLOW with no rules) denies mTLS', policies: [allowNothing], conn: mtls('bar', 'client'), allowed: false, policy: 'none', reason: /allow policies exist but none matched: foo\/allow-nothing/ },
  { name: 'rule 4: allow-nothing denies plaintext', policies: [allowNothing], conn: plain(), allowed: false, reason: NO_MATCH },
  { name: 'rule 4: allow-all (one rule, no clauses) allows plaintext', policies: [allowAll], conn: plain(), allowed: true, policy: `${NS}/allow-all` },
  { name: 'rule 4: allow-all beside allow-nothing allows (ALLOW policies are ORed)', policies: [allowNothing, allowAll], conn: plain({ port: 1 }), allowed: true, policy: `${NS}/allow-all` },

  // ---- rule 5: scopes combine, DENY first ----
  { name: 'rule 5: workload DENY beats namespace allow-all', policies: [allowAll, istio('wl-deny', NS, { selector: { matchLabels: { app: 'web' } }, action: 'DENY', rules: [{}] })], workload: workload([`${NS}/wl-deny`]), conn: mtls('bar', 'client'), allowed: false, policy: `${NS}/wl-deny` },
  { name: 'rule 5: namespace DENY beats workload ALLOW', policies: [allowBarClient, denyAll], workload: sel(allowBarClient), conn: mtls('bar', 'client'), allowed: false, policy: `${NS}/deny-all` },
  { name: 'rule 5: root-namespace DENY beats namespace allow-all', policies: [allowAll, globalDenyPlain], conn: plain(), allowed: false, policy: `${ROOT}/deny-plaintext` },
  { name: 'rule 5: namespace DENY beats root-namespace ALLOW', policies: [istio('global-allow-all', ROOT, { rules: [{}] }), denyAll], conn: plain(), allowed: false, policy: `${NS}/deny-all` },
  { name: 'rule 5: workload ALLOW adds to namespace allow-nothing (named peer allowed)', policies: [allowNothing, allowBarClient], workload: sel(allowBarClient), conn: mtls('bar', 'client'), allowed: true, policy: `${NS}/allow-bar-client` },
  { name: 'rule 5: workload ALLOW adds to namespace allow-nothing (others still denied, both named)', policies: [allowNothing, allowBarClient], workload: sel(allowBarClient), conn: mtls('bar', 'other'), allowed: false, reason: /none matched: foo\/allow-nothing, foo\/allow-bar-client/ },
  { name: 'rule 5: root-namespace allow-nothing denies a workload with no other ALLOW', policies: [globalAllowNothing], workload: workload([], 'bar'), conn: mtls('bar', 'client'), allowed: false, reason: /istio-system\/global-allow-nothing/ },
  { name: 'rule 5: root-namespace allow-nothing plus a namespace ALLOW: the ALLOW admits', policies: [globalAllowNothing, fromBarTo8080], conn: mtls('bar', 'x'), allowed: true, policy: `${NS}/from-bar-to-8080` },
  { name: 'rule 5: the first matching DENY is named (namespace before mesh-wide)', policies: [globalDenyPlain, denyAll], conn: plain(), allowed: false, policy: `${NS}/deny-all` },

  // ---- rule 6: which policies apply ----
  { name: 'rule 6: root-namespace policy without selector applies in every namespace', policies: [globalDenyPlain], workload: workload([], 'other'), conn: plain(), allowed: false, policy: `${ROOT}/deny-plaintext` },
  { name: 'rule 6: namespace policy of another namespace does not apply', policies: [istio('bar-deny-all', 'bar', { action: 'DENY', rules: [{}] })], conn: plain(), allowed: true },
  { name: 'rule 6: selector policy listed by the workload applies', policies: [allowBarClient], workload: sel(allowBarClient), conn: mtls('bar', 'other'), allowed: false, reason: /foo\/allow-bar-client/ },
  { name: 'rule 6: selector policy NOT listed by the workload does not apply', policies: [allowBarClient], workload: workload([]), conn: mtls('bar', 'other'), allowed: true },
  { name: 'rule 6: root-namespace selector policy applies to a listing workload of any namespace', policies: [istio('root-sel-deny', ROOT, { selector: { matchLabels: { app: 'db' } }, action: 'DENY', rules: [{}] })], workload: workload([`${ROOT}/root-sel-deny`], 'other'), conn: mtls('other', 'x'), allowed: false, policy: `${ROOT}/root-sel-deny` },
  { name: 'rule 6: a listed key naming no known policy is skipped', policies: [], workload: workload([`${NS}/gone`]), conn: plain(), allowed: true },
  { name: 'rule 6: a NAMESPACE-scoped policy of the root namespace is mesh-wide', policies: [authz('ns-scoped-root', [rule()], { ns: ROOT, scope: 'NAMESPACE', action: 'DENY' })], workload: workload([], 'other'), conn: plain(), allowed: false, policy: `${ROOT}/ns-scoped-root` },

  // ---- rule 8: dry run ----
  { name: 'rule 8: matching dry-run DENY does not deny, reported as would-deny', policies: [istio('dry-deny', NS, { action: 'DENY', rules: [{}] }, { dryRun: true })], conn: plain(), allowed: true, dryRun: { wouldAllow: false, policy: `${NS}/dry-deny`, matched: [`${NS}/dry-deny`] } },
  { name: 'rule 8: dry-run allow-nothing does not deny, reported as would-deny', policies: [istio('dry-nothing', NS, {}, { dryRun: true })], conn: plain(), allowed: true, dryRun: { wouldAllow: false, matched: [] } },
  { name: 'rule 8: dry-run ALLOW does not make the workload have ALLOW policies', policies: [istio('dry-principal', NS, { rules: [{ from: [{ source: { principals: ['*'] } }] }] }, { dryRun: true })], conn: plain(), allowed: true, dryRun: { wouldAllow: false } },
  { name: 'rule 8: matching dry-run ALLOW does not rescue an enforced denial, reported as would-allow', policies: [allowNothing, istio('dry-all', NS, { rules: [{}] }, { dryRun: true })], conn: plain(), allowed: false, reason: NO_MATCH, dryRun: { wouldAllow: true, policy: `${NS}/dry-all` } },
  { name: 'rule 8: enforced DENY wins; the dry-run report agrees', policies: [denyAll, istio('dry-all', NS, { rules: [{}] }, { dryRun: true })], conn: plain(), allowed: false, policy: `${NS}/deny-all`, dryRun: { wouldAllow: false, matched: [`${NS}/dry-all`] } },
  { name: 'rule 8: dry-run policies that do not apply produce no report', policies: [istio('dry-deny', 'bar', { action: 'DENY', rules: [{}] }, { dryRun: true })], conn: plain(), allowed: true, dryRun: null },
  { name: 'rule 8: non-matching dry-run DENY reported as would-allow', policies: [istio('dry-deny-9000', NS, { action: 'DENY', rules: [{ to: [{ operation: { ports: ['9000'] } }] }] }, { dryRun: true })], conn: plain(), allowed: true, dryRun: { wouldAllow: true, matched: [] } },

  // ---- rule 9: rule structure ----
  { name: 'rule 9: from and to are ANDed: right source, wrong port denied', policies: [fromBarTo8080], conn: mtls('bar', 'x', { port: 9090 }), allowed: false },
  { name: 'rule 9: from and to are ANDed: right source, right port allowed', policies: [fromBarTo8080], conn: mtls('bar', 'x', { port: 8080 }), allowed: true },
  { name: 'rule 9: from and to are ANDed: wrong source, right port denied', policies: [fromBarTo8080], conn: mtls('baz', 'x', { port: 8080 }), allowed: false },
  { name: 'rule 9: two sources are ORed', policies: [istio('two-sources', NS, { rules: [{ from: [{ source: { namespaces: ['a'] } }, { source: { namespaces: ['b'] } }] }] })], conn: mtls('b', 'x'), allowed: true },
  { name: 'rule 9: rules are ORed: the second rule matches', policies: [istio('two-rules', NS, { rules: [{ to: [{ operation: { ports: ['1'] } }] }, { to: [{ operation: { ports: ['8080'] } }] }] })], conn: plain(), allowed: true },
  { name: 'rule 9: fields of one source are ANDed (namespace and ipBlocks)', policies: [istio('ns-and-ip', NS, { rules: [{ from: [{ source: { namespaces: ['bar'], ipBlocks: ['10.1.0.0/16'] } }] }] })], conn: mtls('bar', 'x', { src: '10.2.0.1' }), allowed: false },
  { name: 'rule 9: a clause with no matches matches everything', policies: [authz('empty-clause', [rule([])])], conn: plain(), allowed: true },
  { name: 'rule 9: an empty Match is skipped, a sibling Match of the clause still matches', policies: [authz('mixed-clause', [rule([match({}), match({ destinationPorts: [8080] })])])], conn: plain(), allowed: true },

  // ---- rule 10: positive and negative lists combine with AND ----
  { name: 'rule 10: when source.ip values + notValues: inside values, outside notValues matches', policies: [whenSourceIp], conn: plain({ src: '10.1.0.1' }), allowed: true },
  { name: 'rule 10: when source.ip values + notValues: inside notValues does not match', policies: [whenSourceIp], conn: plain({ src: '10.9.0.1' }), allowed: false },
  { name: 'rule 10: when source.ip values + notValues: outside values does not match', policies: [whenSourceIp], conn: plain({ src: '192.168.0.1' }), allowed: false },
  { name: 'rule 10: when destination.port values + notValues: 8080 matches', policies: [whenDstPort], conn: plain({ port: 8080 }), allowed: true },
  { name: 'rule 10: when destination.port values + notValues: 9090 in both lists does not match', policies: [whenDstPort], conn: plain({ port: 9090 }), allowed: false },
  { name: 'rule 10: namespaces with notNamespaces: prefix admitted, excluded one refused', policies: [istio('ns-not-ns', NS, { rules: [{ from: [{ source: { namespaces: ['team-*'], notNamespaces: ['team-b'] } }] }] })], conn: mtls('team-b', 'x'), allowed: false },
  { name: 'rule 10: when source.principal notValues only: other principals match', policies: [istio('not-admin', NS, { action: 'DENY', rules: [{ when: [{ key: 'source.principal', notValues: ['cluster.local/ns/bar/sa/admin'] }] }] })], conn: mtls('bar', 'user'), allowed: false, policy: `${NS}/not-admin` },
  { name: 'rule 10: when source.principal notValues only: that principal does not match', policies: [istio('not-admin', NS, { action: 'DENY', rules: [{ when: [{ key: 'source.principal', notValues: ['cluster.local/ns/bar/sa/admin'] }] }] })], conn: mtls('bar', 'admin'), allowed: true },

  // ---- rules 11 and 13: principals ----
  { name: 'rule 13: principals exact matches that identity', policies: [principalsPolicy(['cluster.local/ns/bar/sa/client'])], conn: mtls('bar', 'client'), allowed: true },
  { name: 'rule 13: principals exact: another service account does not match', policies: [principalsPolicy(['cluster.local/ns/bar/sa/client'])], conn: mtls('bar', 'other'), allowed: false },
  { name: 'rule 13: principals compare the trust domain too', policies: [principalsPolicy(['cluster.local/ns/bar/sa/client'])], conn: mtls('bar', 'client', { td: 'other.domain' }), allowed: false },
  { name: 'rule 11: principals prefix "cluster.local/ns/bar/*"', policies: [principalsPolicy(['cluster.local/ns/bar/*'])], conn: mtls('bar', 'anyone'), allowed: true },
  { name: 'rule 11: principals prefix does not match another namespace', policies: [principalsPolicy(['cluster.local/ns/bar/*'])], conn: mtls('baz', 'anyone'), allowed: false },
  { name: 'rule 11: principals suffix "*/sa/admin"', policies: [principalsPolicy(['*/sa/admin'])], conn: mtls('any', 'admin'), allowed: true },
  { name: 'rule 11: principals presence "*" matches any mTLS peer', policies: [principalsPolicy(['*'])], conn: mtls('x', 'y'), allowed: true },
  { name: 'rule 13: principals "*" never matches plaintext', policies: [principalsPolicy(['*'])], conn: plain(), allowed: false },
  { name: 'rule 13: notPrincipals ["*"] matches plaintext (the DENY denies it)', policies: [globalDenyPlain], conn: plain(), allowed: false, policy: `${ROOT}/deny-plaintext` },
  { name: 'rule 13: notPrincipals ["*"] does not match mTLS', policies: [globalDenyPlain], conn: mtls('x', 'y'), allowed: true },
  { name: 'rule 13: notPrincipals exact: a plaintext peer passes the negative list', policies: [istio('not-p', NS, { rules: [{ from: [{ source: { notPrincipals: ['cluster.local/ns/bar/sa/bad'] } }] }] })], conn: plain(), allowed: true },

  // ---- rule 14: namespaces ----
  { name: 'rule 14: namespaces exact matches the peer namespace', policies: [namespacesPolicy(['bar'])], conn: mtls('bar', 'x'), allowed: true },
  { name: 'rule 14: namespaces never match plaintext', policies: [namespacesPolicy(['bar'])], conn: plain(), allowed: false },
  { name: 'rule 14: namespaces "*" never matches plaintext', policies: [namespacesPolicy(['*'])], conn: plain(), allowed: false },
  { name: 'rule 14: namespaces prefix "team-*"', policies: [namespacesPolicy(['team-*'])], conn: mtls('team-a', 'x'), allowed: true },
  { name: 'rule 14: namespaces suffix "*-prod"', policies: [namespacesPolicy(['*-prod'])], conn: mtls('shop-dev', 'x'), allowed: false },
  { name: 'rule 14: notNamespaces: a plaintext peer passes the negative list', policies: [namespacesPolicy(['bar'], true)], conn: plain(), allowed: true },
  { name: 'rule 14: notNamespaces refuses that namespace', policies: [namespacesPolicy(['bar'], true)], conn: mtls('bar', 'x'), allowed: false },

  // ---- rule 15: serviceAccounts ----
  { name: 'rule 15: serviceAccounts "<ns>/<sa>" matches that account', policies: [saPolicy(['bar/client'])], conn: mtls('bar', 'client'), allowed: true },
  { name: 'rule 15: serviceAccounts "<sa>" means the policy namespace (match)', policies: [saPolicy(['client'])], conn: mtls(NS, 'client'), allowed: true },
  { name: 'rule 15: serviceAccounts "<sa>" means the policy namespace (other namespace refused)', policies: [saPolicy(['client'])], conn: mtls('bar', 'client'), allowed: false },
  { name: 'rule 15: serviceAccounts never match plaintext', policies: [saPolicy(['bar/client'])], conn: plain(), allowed: false },
  { name: 'rule 15: serviceAccounts ignore the trust domain (as ztunnel)', policies: [saPolicy(['bar/client'])], conn: mtls('bar', 'client', { td: 'other.domain' }), allowed: true, noOracle: true },
  { name: 'rule 15: DENY notServiceAccounts denies every other account', policies: [saPolicy(['bar/client'], 'DENY')], conn: mtls('bar', 'other'), allowed: false, policy: `${NS}/sa` },
  { name: 'rule 15: DENY notServiceAccounts spares that account', policies: [saPolicy(['bar/client'], 'DENY')], conn: mtls('bar', 'client'), allowed: true },

  // ---- rule 17: source IPs ----
  { name: 'rule 17: ipBlocks single IP matches that IP', policies: [ipPolicy(['10.1.2.3'])], conn: plain({ src: '10.1.2.3' }), allowed: true },
  { name: 'rule 17: ipBlocks single IP refuses its neighbour', policies: [ipPolicy(['10.1.2.3'])], conn: plain({ src: '10.1.2.4' }), allowed: false },
  { name: 'rule 17: ipBlocks CIDR contains an address inside', policies: [ipPolicy(['192.168.0.0/16'])], conn: plain({ src: '192.168.77.1' }), allowed: true },
  { name: 'rule 17: ipBlocks CIDR refuses an address outside', policies: [ipPolicy(['192.168.0.0/16'])], conn: plain({ src: '192.169.0.1' }), allowed: false },
  { name: 'rule 17: notIpBlocks refuses an address inside', policies: [ipPolicy(['10.0.0.0/8'], true)], conn: plain({ src: '10.200.0.1' }), allowed: false },
  { name: 'rule 17: IPv6 CIDR contains an IPv6 peer', policies: [ipPolicy(['fd00:10::/32'])], conn: plain({ src: 'fd00:10:0:1::5', dst: 'fd00:20::10' }), allowed: true },
  { name: 'rule 17: IPv6 CIDR refuses an IPv6 peer outside', policies: [ipPolicy(['fd00:10::/32'])], conn: plain({ src: 'fd00:11::5', dst: 'fd00:20::10' }), allowed: false },
  { name: 'rule 17: IPv6 single address is /128', policies: [ipPolicy(['2001:db8::1'])], conn: plain({ src: '2001:db8:0:0:0:0:0:1', dst: 'fd00:20::10' }), allowed: true },
  { name: 'rule 17: an IPv4 CIDR never matches an IPv6 peer', policies: [ipPolicy(['0.0.0.0/0'])], conn: plain({ src: '2001:db8::1', dst: 'fd00:20::10' }), allowed: false },
  { name: 'rule 17: IPv4-mapped IPv6 source is checked as IPv4', policies: [ipPolicy(['10.1.0.0/16'])], conn: plain({ src: '::ffff:10.1.2.3' }), allowed: true },
  { name: 'rule 17: IPv4-mapped IPv6 source outside the IPv4 CIDR is refused', policies: [ipPolicy(['10.1.0.0/16'])], conn: plain({ src: '::ffff:10.2.2.3' }), allowed: false },
  { name: 'rule 17: CIDR host bits are ignored (10.1.2.3/8 is 10.0.0.0/8)', policies: [authz('host-bits', [rule([match({ sourceIps: [{ address: '10.1.2.3', length: 8 }] })])])], conn: plain({ src: '10.200.1.1' }), allowed: true },

  // ---- rule 19 and 26: destination port and address ----
  { name: 'rule 19: ports match the target port', policies: [portsPolicy(['8080'])], conn: plain({ port: 8080 }), allowed: true },
  { name: 'rule 19: ports name the target port, not the service port (80 ≠ target 8080)', policies: [portsPolicy(['80'])], conn: plain({ port: 8080 }), allowed: false },
  { name: 'rule 19: notPorts refuses that port', policies: [portsPolicy(['8080'], true)], conn: plain({ port: 8080 }), allowed: false },
  { name: 'rule 19: notPorts admits other ports', policies: [portsPolicy(['8080'], true)], conn: plain({ port: 8081 }), allowed: true },
  { name: 'rule 19: a DENY on a port no Service declares still applies', policies: [portsPolicy(['9002'], false, 'DENY')], conn: mtls('bar', 'x', { port: 9002 }), allowed: false, policy: `${NS}/ports` },
  { name: 'rule 26: when destination.ip matches the destination address', policies: [istio('dst-ip', NS, { rules: [{ when: [{ key: 'destination.ip', values: ['10.0.0.0/24'] }] }] })], conn: plain({ dst: '10.0.0.10' }), allowed: true },
  { name: 'rule 26: when destination.ip notValues refuses that address', policies: [istio('dst-ip-not', NS, { rules: [{ when: [{ key: 'destination.ip', notValues: ['10.0.0.10'] }] }] })], conn: plain({ dst: '10.0.0.10' }), allowed: false },
  { name: 'rule 26: when destination.ip IPv6', policies: [istio('dst-ip6', NS, { rules: [{ when: [{ key: 'destination.ip', values: ['fd00:20::/64'] }] }] })], conn: plain({ src: 'fd00:10::1', dst: 'fd00:20::10' }), allowed: true },
  { name: 'rule 26: when source.namespace matches the peer namespace', policies: [istio('when-ns', NS, { rules: [{ when: [{ key: 'source.namespace', values: ['bar'] }] }] })], conn: mtls('bar', 'x'), allowed: true },

  // ---- rules 27 and 28: HTTP-only attributes at L4 ----
  { name: 'rule 28: ALLOW methods+ports rule is dropped: that port denied (fail closed)', policies: [istio('get-9000', NS, { rules: [{ to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] }] })], conn: mtls('bar', 'x', { port: 9000 }), allowed: false, reason: /foo\/get-9000/ },
  { name: 'rule 28: ALLOW methods+ports rule is dropped: other ports denied too', policies: [istio('get-9000', NS, { rules: [{ to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] }] })], conn: mtls('bar', 'x', { port: 9001 }), allowed: false },
  { name: 'rule 28: ALLOW with an HTTP-only rule keeps its L4 sibling rule', policies: [istio('mixed-allow', NS, { rules: [{ to: [{ operation: { paths: ['/x'] } }] }, { from: [{ source: { namespaces: ['bar'] } }] }] })], conn: mtls('bar', 'x'), allowed: true },
  { name: 'rule 28: DENY methods only has no effect at L4', policies: [istio('deny-get', NS, { action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })], conn: plain(), allowed: true },
  { name: 'rule 28: DENY methods+ports denies that port', policies: [istio('deny-get-9000', NS, { action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] }] })], conn: mtls('bar', 'x', { port: 9000 }), allowed: false, policy: `${NS}/deny-get-9000` },
  { name: 'rule 28: DENY methods+ports leaves other ports alone', policies: [istio('deny-get-9000', NS, { action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] }] })], conn: mtls('bar', 'x', { port: 9001 }), allowed: true },
  { name: 'rule 28: DENY when request.headers only has no effect at L4', policies: [istio('deny-hdr', NS, { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-token]', values: ['bad'] }] }] })], conn: plain(), allowed: true },
  { name: 'rule 28: DENY requestPrincipals + namespaces: the namespace part still denies', policies: [istio('deny-rp-ns', NS, { action: 'DENY', rules: [{ from: [{ source: { requestPrincipals: ['*'], namespaces: ['bar'] } }] }] })], conn: mtls('bar', 'x'), allowed: false, policy: `${NS}/deny-rp-ns` },
  { name: 'rule 28: DENY with paths in one operation and ports in another: the ports one denies', policies: [istio('deny-ops', NS, { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }, { operation: { ports: ['9000'] } }] }] })], conn: plain({ port: 9000 }), allowed: false },
  { name: 'rule 28: DENY with paths in one operation and ports in another: the inert one denies nothing', policies: [istio('deny-ops', NS, { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }, { operation: { ports: ['9000'] } }] }] })], conn: plain({ port: 8080 }), allowed: true },

  // ---- rules 40 and 41: PeerAuthentication converted to DENY ----
  { name: 'rule 40: mesh STRICT denies plaintext (static policy, listed by the workload)', policies: meshStrict.policies, workload: workload(meshStrict.keys), conn: plain(), allowed: false, policy: STATIC },
  { name: 'rule 40: mesh STRICT allows mTLS', policies: meshStrict.policies, workload: workload(meshStrict.keys), conn: mtls('bar', 'x'), allowed: true },
  { name: 'rule 40: the static STRICT policy only applies to workloads listing it', policies: meshStrict.policies, workload: workload([]), conn: plain(), allowed: true },
  { name: 'rule 40: STRICT with a PERMISSIVE port: plaintext allowed on that port', policies: strictWithExemptPort.policies, workload: workload(strictWithExemptPort.keys), conn: plain({ port: 8080 }), allowed: true },
  { name: 'rule 40: STRICT with a PERMISSIVE port: plaintext denied on other ports', policies: strictWithExemptPort.policies, workload: workload(strictWithExemptPort.keys), conn: plain({ port: 9090 }), allowed: false, policy: `${NS}/converted_peer_authentication_wl` },
  { name: 'rule 40: STRICT with a PERMISSIVE port: mTLS allowed on other ports', policies: strictWithExemptPort.policies, workload: workload(strictWithExemptPort.keys), conn: mtls('bar', 'x', { port: 9090 }), allowed: true },
  { name: 'rule 40: PERMISSIVE workload with a STRICT port: plaintext denied on that port', policies: permissiveWithStrictPort.policies, workload: workload(permissiveWithStrictPort.keys), conn: plain({ port: 9090 }), allowed: false },
  { name: 'rule 40: PERMISSIVE workload with a STRICT port: plaintext allowed elsewhere', policies: permissiveWithStrictPort.policies, workload: workload(permissiveWithStrictPort.keys), conn: plain({ port: 8080 }), allowed: true },
  { name: 'rule 40: namespace DISABLE under mesh STRICT acts as PERMISSIVE', policies: nsDisable.policies, workload: workload(nsDisable.keys), conn: plain(), allowed: true },
  { name: 'rule 41: STRICT plus an ALLOW on principals: plaintext is denied by STRICT first', policies: [...meshStrict.policies, principalsPolicy(['*'])], workload: workload(meshStrict.keys), conn: plain(), allowed: false, policy: STATIC },
  { name: 'rule 41: PERMISSIVE plaintext carries no identity: ALLOW on namespaces refuses it', policies: [namespacesPolicy(['*'])], conn: plain(), allowed: false, reason: NO_MATCH },

  // ---- ztunnel decoding corners ----
  { name: 'rule 28 (ztunnel decode): a StringMatch without a form is dropped, leaving an empty Match that never matches', policies: [authz('no-form', [rule([match({ principals: [{}] })])], { action: 'DENY' })], conn: plain(), allowed: true },
];

test('the decision table has at least 60 cases, each named after its rule', (t) => {
  t.true(cases.length >= 60, `${cases.length} cases`);
  for (const c of cases) t.regex(c.name, /^rule \d+/);
  t.is(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
});

for (const c of cases) {
  test(c.name, (t) => {
    const compiled = compilePolicies(c.policies, ROOT);
    const w = 'workload' in c ? c.workload : workload();
    const d = authorize(c.conn, w, compiled);
    t.is(d.allowed, c.allowed, d.allowed ? 'allowed' : `denied: ${d.reason}`);
    if (c.policy === 'none') t.is(d.policy, undefined);
    else if (c.policy !== undefined) t.is(d.policy, c.policy);
    if (c.reason) {
      if (d.allowed) t.fail('expected a denial reason');
      else t.regex(d.reason, c.reason);
    }
    if (c.dryRun === null) t.is(d.dryRun, undefined);
    else if (c.dryRun !== undefined) t.like(d.dryRun, c.dryRun);
    if (!c.noOracle && w !== undefined) t.is(oracleAllows(c.policies, w, c.conn, ROOT), c.allowed, 'reference evaluator agrees');
  });
}
