// A tiny test-only evaluator of converted policies with ztunnel's semantics, to check
// conversions by what they do rather than by their shape:
//  - a policy with no rules never matches; it matches when any rule matches;
//  - a rule matches when every clause matches;
//  - a clause with no matches matches; otherwise it matches when any NON-EMPTY Match
//    matches (an empty Match never matches);
//  - a Match matches when every field passes: positive list empty or containing the
//    value, negative list empty or not containing it;
//  - principals are compared without "spiffe://"; a plaintext peer has no identity, so a
//    positive identity list (principals, namespaces, service accounts) never matches it
//    and a negative one always does; presence means a non-empty value.
import { BlockList, isIP } from 'node:net';
import type { Authorization, AuthzClause, AuthzMatch, AuthzRule, Cidr, ServiceAccountMatch, StringMatch } from '../../../api/model.js';

export interface Conn {
  /** "<td>/ns/<ns>/sa/<sa>" (no spiffe://), or undefined for plaintext. */
  principal?: string;
  sourceIp?: string;
  destinationIp?: string;
  destinationPort?: number;
}

interface Identity { principal: string; namespace: string; serviceAccount: string }

function identityOf(conn: Conn): Identity | undefined {
  if (conn.principal === undefined || conn.principal === '') return undefined;
  const p = conn.principal.replace(/^spiffe:\/\//, '');
  const m = /^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(p);
  return { principal: p, namespace: m?.[1] ?? '', serviceAccount: m?.[2] ?? '' };
}

export function stringMatches(m: StringMatch, value: string): boolean {
  switch (m.matchType) {
    case 'exact': return value === m.exact;
    case 'prefix': return value.startsWith(m.prefix ?? '');
    case 'suffix': return value.endsWith(m.suffix ?? '');
    case 'presence': return value !== '';
    default: return false;
  }
}

function cidrContains(c: Cidr, ip: string | undefined): boolean {
  if (ip === undefined) return false;
  const family = isIP(c.address);
  if (family === 0 || isIP(ip) !== family) return false;
  const bl = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  bl.addSubnet(c.address, c.length, type);
  return bl.check(ip, type);
}

/** Positive/negative pair: (positive empty or any hit) and (negative empty or no hit). */
function field<T>(pos: readonly T[], neg: readonly T[], hit: (v: T) => boolean): boolean {
  return (pos.length === 0 || pos.some(hit)) && (neg.length === 0 || !neg.some(hit));
}

export function isEmptyMatch(m: AuthzMatch): boolean {
  return Object.values(m).every((v) => !Array.isArray(v) || v.length === 0);
}

export function matchMatches(m: AuthzMatch, conn: Conn): boolean {
  if (isEmptyMatch(m)) return false;
  const id = identityOf(conn);
  const strHit = (value: string | undefined) => (s: StringMatch): boolean => value !== undefined && stringMatches(s, value);
  const saHit = (s: ServiceAccountMatch): boolean => id !== undefined && s.namespace === id.namespace && s.serviceAccount === id.serviceAccount;
  const portHit = (p: number): boolean => conn.destinationPort === p;
  return field(m.principals, m.notPrincipals, strHit(id?.principal))
    && field(m.namespaces, m.notNamespaces, strHit(id?.namespace))
    && field(m.serviceAccounts, m.notServiceAccounts, saHit)
    && field(m.sourceIps, m.notSourceIps, (c) => cidrContains(c, conn.sourceIp))
    && field(m.destinationIps, m.notDestinationIps, (c) => cidrContains(c, conn.destinationIp))
    && field(m.destinationPorts, m.notDestinationPorts, portHit);
}

export function clauseMatches(c: AuthzClause, conn: Conn): boolean {
  return c.matches.length === 0 || c.matches.some((m) => matchMatches(m, conn));
}

export function ruleMatches(r: AuthzRule, conn: Conn): boolean {
  return r.clauses.every((c) => clauseMatches(c, conn));
}

export function policyMatches(p: Authorization, conn: Conn): boolean {
  return p.rules.some((r) => ruleMatches(r, conn));
}

/** ztunnel's decision over the policies that apply to one workload (dry-run policies ignored). */
export function isAllowed(policies: readonly Authorization[], conn: Conn): boolean {
  const enforced = policies.filter((p) => !p.dryRun);
  if (enforced.some((p) => p.action === 'DENY' && policyMatches(p, conn))) return false;
  const allows = enforced.filter((p) => p.action === 'ALLOW');
  return allows.length === 0 || allows.some((p) => policyMatches(p, conn));
}
