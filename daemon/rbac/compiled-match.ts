// One Match, compiled (rules 9–10, 13–15, 17, 19). Every set field must pass; a field
// passes iff (its positive list is empty OR some value hits) AND (its negative list is
// empty OR no value hits). Values a connection cannot have never hit: a plaintext peer
// has no principal and no service account, an unparsable address is in no CIDR.
// The peer namespace of a plaintext connection is "" (ztunnel compares that string).
// Entries ztunnel drops when decoding (unparsable CIDRs, StringMatch without a form) are
// dropped here too; a Match left with no field set is empty and never matches (None).
import type { AuthzMatch, Cidr, ServiceAccountMatch, StringMatch } from '../../api/model.js';
import type { Identity } from '../../api/identity.js';
import type { CompiledCidr } from './cidr.js';
import { cidrContains, compileCidr } from './cidr.js';
import type { ConnectionView } from './connection.js';
import type { ParsedIp } from './ip-address.js';
import type { CompiledStringMatch } from './string-match.js';
import { compileStringMatch, stringMatches } from './string-match.js';

interface Field<T> {
  readonly pos: readonly T[];
  readonly neg: readonly T[];
}

interface PortField {
  readonly pos: ReadonlySet<number> | null;
  readonly neg: ReadonlySet<number> | null;
}

export interface CompiledMatch {
  readonly ports: PortField | null;
  readonly destinationIps: Field<CompiledCidr> | null;
  readonly sourceIps: Field<CompiledCidr> | null;
  readonly serviceAccounts: Field<ServiceAccountMatch> | null;
  readonly principals: Field<CompiledStringMatch> | null;
  readonly namespaces: Field<CompiledStringMatch> | null;
}

function field<T>(pos: readonly T[], neg: readonly T[]): Field<T> | null {
  return pos.length === 0 && neg.length === 0 ? null : { pos, neg };
}

function strings(list: readonly StringMatch[], problems: string[], where: string): CompiledStringMatch[] {
  const out: CompiledStringMatch[] = [];
  for (const s of list) {
    const c = compileStringMatch(s);
    if (c) out.push(c);
    else problems.push(`${where}: string match without exact/prefix/suffix/presence dropped`);
  }
  return out;
}

function cidrs(list: readonly Cidr[], problems: string[], where: string): CompiledCidr[] {
  const out: CompiledCidr[] = [];
  for (const c of list) {
    const compiled = compileCidr(c);
    if (compiled) out.push(compiled);
    else problems.push(`${where}: invalid CIDR ${c.address}/${c.length} dropped`);
  }
  return out;
}

function serviceAccounts(list: readonly ServiceAccountMatch[]): ServiceAccountMatch[] {
  return list.map((s) => ({ namespace: s.namespace, serviceAccount: s.serviceAccount }));
}

/** ztunnel reads ports as u16 (`as u16`: the low 16 bits). */
function ports(list: readonly number[]): ReadonlySet<number> | null {
  return list.length === 0 ? null : new Set(list.map((p) => p & 0xffff));
}

/** The compiled Match, or undefined when it is empty (no field set after decoding). */
export function compileMatch(m: AuthzMatch, problems: string[], where: string): CompiledMatch | undefined {
  const posPorts = ports(m.destinationPorts);
  const negPorts = ports(m.notDestinationPorts);
  const compiled: CompiledMatch = {
    ports: posPorts === null && negPorts === null ? null : { pos: posPorts, neg: negPorts },
    destinationIps: field(cidrs(m.destinationIps, problems, where), cidrs(m.notDestinationIps, problems, where)),
    sourceIps: field(cidrs(m.sourceIps, problems, where), cidrs(m.notSourceIps, problems, where)),
    serviceAccounts: field(serviceAccounts(m.serviceAccounts), serviceAccounts(m.notServiceAccounts)),
    principals: field(strings(m.principals, problems, where), strings(m.notPrincipals, problems, where)),
    namespaces: field(strings(m.namespaces, problems, where), strings(m.notNamespaces, problems, where)),
  };
  const empty = compiled.ports === null && compiled.destinationIps === null && compiled.sourceIps === null
    && compiled.serviceAccounts === null && compiled.principals === null && compiled.namespaces === null;
  return empty ? undefined : compiled;
}

function anyString(list: readonly CompiledStringMatch[], value: string | null): boolean {
  if (value === null) return false;
  for (const s of list) if (stringMatches(s, value)) return true;
  return false;
}

function anyCidr(list: readonly CompiledCidr[], ip: ParsedIp | null): boolean {
  if (ip === null) return false;
  for (const c of list) if (cidrContains(c, ip)) return true;
  return false;
}

/** Namespace and service account must both be equal; the trust domain is not compared (as ztunnel). */
function anyServiceAccount(list: readonly ServiceAccountMatch[], id: Identity | undefined): boolean {
  if (id === undefined) return false;
  for (const s of list) if (s.namespace === id.namespace && s.serviceAccount === id.serviceAccount) return true;
  return false;
}

function stringField(f: Field<CompiledStringMatch>, value: string | null): boolean {
  return (f.pos.length === 0 || anyString(f.pos, value)) && (f.neg.length === 0 || !anyString(f.neg, value));
}

function cidrField(f: Field<CompiledCidr>, ip: ParsedIp | null): boolean {
  return (f.pos.length === 0 || anyCidr(f.pos, ip)) && (f.neg.length === 0 || !anyCidr(f.neg, ip));
}

export function matchMatches(m: CompiledMatch, c: ConnectionView): boolean {
  const p = m.ports;
  if (p !== null) {
    const port = c.dstPort;
    if (p.pos !== null && !p.pos.has(port)) return false;
    if (p.neg !== null && p.neg.has(port)) return false;
  }
  if (m.destinationIps !== null && !cidrField(m.destinationIps, c.dstIp)) return false;
  if (m.sourceIps !== null && !cidrField(m.sourceIps, c.srcIp)) return false;
  const sa = m.serviceAccounts;
  if (sa !== null) {
    const id = c.identity;
    if (sa.pos.length > 0 && !anyServiceAccount(sa.pos, id)) return false;
    if (sa.neg.length > 0 && anyServiceAccount(sa.neg, id)) return false;
  }
  if (m.principals !== null && !stringField(m.principals, c.principal)) return false;
  if (m.namespaces !== null && !stringField(m.namespaces, c.namespace)) return false;
  return true;
}
