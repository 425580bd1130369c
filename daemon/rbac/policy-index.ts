// A faster way to find the first policy of a list that matches a connection, for long
// lists (thousands of policies applying to one workload). A Match holds only if every
// field it sets holds, so one positive field of it — the peer's principal, its namespace
// or its source address, else the destination port — already names the connections it
// can match: "principal is X", "starts with Y", "address in Z/24", "port 8080". A policy
// whose every rule has a clause made of such Matches is filed under those keys and
// looked at only for connections that have one of them; the others are always scanned.
// Ports narrow least (many policies share one), so they are used only when nothing
// else narrows. Candidates are visited in the list's order, so the first match — the
// policy a decision names — is the one a scan finds.
import type { CompiledStringMatch } from './string-match.js';
import type { CompiledClause, CompiledPolicy, CompiledRule } from './compiled-policy.js';
import { policyMatches } from './compiled-policy.js';
import type { CompiledMatch } from './compiled-match.js';
import { cidrMask, type CompiledCidr } from './cidr.js';
import type { ConnectionView } from './connection.js';
import type { ParsedIp } from './ip-address.js';

/** Lists shorter than this are scanned (an index costs more than it saves). */
export const INDEX_MIN_POLICIES = 16;

// Keys, tagged by dimension: principal (p) or namespace (n) exact "=", prefix "<" and
// suffix ">" (with the length), presence "*"; source CIDR "c<family>/<length>:<network>";
// destination port "d=<port>".
function stringKeys(tag: 'p' | 'n', list: readonly CompiledStringMatch[]): string[] {
  return list.map((s) => {
    switch (s.kind) {
      case 'exact': return `${tag}=${s.value}`;
      case 'prefix': return `${tag}<${s.value.length}:${s.value}`;
      case 'suffix': return `${tag}>${s.value.length}:${s.value}`;
      case 'presence': return `${tag}*`;
    }
  });
}

/** The CIDR's prefix length: its mask words are leading ones. */
function prefixLength(c: CompiledCidr): number {
  let bits = 0;
  for (const w of c.mask) {
    for (let x = w >>> 0; x !== 0; x = (x & (x - 1)) >>> 0) bits++;
  }
  return bits;
}

function cidrKey(family: number, length: number, net: readonly number[]): string {
  return `c${family}/${length}:${net.join('.')}`;
}

/** Compiled ports are u16 integers; a connection's port makes the same string iff it is one of them. */
function portKey(port: number): string {
  return `d=${port}`;
}

function isPortKey(key: string): boolean {
  return key.startsWith('d=');
}

/** The keys one of which a connection must have for `m` to hold, or null (none of its fields narrows it). */
function matchKeys(m: CompiledMatch): string[] | null {
  if (m.principals !== null && m.principals.pos.length > 0) return stringKeys('p', m.principals.pos);
  if (m.namespaces !== null && m.namespaces.pos.length > 0) return stringKeys('n', m.namespaces.pos);
  if (m.sourceIps !== null && m.sourceIps.pos.length > 0) return m.sourceIps.pos.map((c) => cidrKey(c.family, prefixLength(c), c.net));
  if (m.ports !== null && m.ports.pos !== null) return [...m.ports.pos].map(portKey);
  return null;
}

interface Clause {
  readonly keys: readonly string[];
  /** Some Match is keyed by its port (a weak key: such a clause is chosen after any other). */
  readonly ports: boolean;
}

/** A clause holds only if one of its Matches does: the union of their keys, or null. */
function clauseKeys(clause: CompiledClause): Clause | null {
  const keys: string[] = [];
  for (const m of clause) {
    const k = matchKeys(m);
    if (k === null) return null;
    keys.push(...k);
  }
  return { keys, ports: keys.some(isPortKey) };
}

function better(a: Clause, b: Clause): boolean {
  return a.ports === b.ports ? a.keys.length < b.keys.length : !a.ports;
}

/**
 * The keys a connection must have one of for `rules` to match (a matching rule has all
 * its clauses matching, so one clause is enough: one without port keys if it can, then
 * the one with the fewest keys), or null when some rule needs none. No rules: no keys
 * (the policy never matches).
 */
export function requiredKeys(rules: readonly CompiledRule[]): Set<string> | null {
  const out = new Set<string>();
  for (const rule of rules) {
    let best: Clause | null = null;
    for (const clause of rule) {
      const c = clauseKeys(clause);
      if (c !== null && (best === null || better(c, best))) best = c;
    }
    if (best === null) return null;
    for (const k of best.keys) out.add(k);
  }
  return out;
}

interface PolicyIndex {
  readonly byKey: ReadonlyMap<string, readonly number[]>;
  /** Lengths of the indexed prefixes / suffixes per dimension, and CIDR shapes. */
  readonly prefixLengths: { readonly p: readonly number[]; readonly n: readonly number[] };
  readonly suffixLengths: { readonly p: readonly number[]; readonly n: readonly number[] };
  readonly cidrShapes: readonly { family: 4 | 6; length: number; mask: readonly number[] }[];
  /** Which exact / presence / port keys exist ("p=", "p*", "n=", "n*", "d="): the others are not made. */
  readonly kinds: ReadonlySet<string>;
  /** Positions of the policies that must always be looked at. */
  readonly scan: readonly number[];
}

function buildIndex(list: readonly CompiledPolicy[]): PolicyIndex {
  const byKey = new Map<string, number[]>();
  const scan: number[] = [];
  list.forEach((p, i) => {
    const keys = p.matchesAll ? null : requiredKeys(p.rules);
    if (keys === null) {
      scan.push(i);
      return;
    }
    for (const k of keys) {
      const at = byKey.get(k);
      if (at) at.push(i);
      else byKey.set(k, [i]);
    }
  });
  const lengths = (tag: string): number[] => [...new Set([...byKey.keys()].filter((k) => k.startsWith(tag)).map((k) => Number(k.slice(2, k.indexOf(':')))))];
  const shapes = new Map<string, { family: 4 | 6; length: number; mask: readonly number[] }>();
  for (const k of byKey.keys()) {
    if (!k.startsWith('c')) continue;
    const family = k[1] === '4' ? 4 : 6;
    const length = Number(k.slice(3, k.indexOf(':')));
    shapes.set(`${family}/${length}`, { family, length, mask: cidrMask(family, length) });
  }
  return {
    byKey,
    prefixLengths: { p: lengths('p<'), n: lengths('n<') },
    suffixLengths: { p: lengths('p>'), n: lengths('n>') },
    cidrShapes: [...shapes.values()],
    kinds: new Set([...byKey.keys()].map((k) => k.slice(0, 2))),
    scan,
  };
}

const indexes = new WeakMap<readonly CompiledPolicy[], PolicyIndex>();

function indexOf(list: readonly CompiledPolicy[]): PolicyIndex {
  let index = indexes.get(list);
  if (index === undefined) {
    index = buildIndex(list);
    indexes.set(list, index);
  }
  return index;
}

/**
 * The key strings of one connection, made once per decision (a decision may search
 * several indexed lists: namespace, mesh-wide and selector policies, DENY and ALLOW).
 */
export class ConnectionKeys {
  private made: Map<string, string> | undefined;

  constructor(readonly view: ConnectionView) {}

  get(shape: string, make: () => string): string {
    this.made ??= new Map();
    let key = this.made.get(shape);
    if (key === undefined) {
      key = make();
      this.made.set(shape, key);
    }
    return key;
  }
}

/** The keys a connection has in `index` (principal, namespace, source address, destination port). */
function connectionKeys(index: PolicyIndex, ck: ConnectionKeys): string[] {
  const view = ck.view;
  const keys: string[] = [];
  const strings = (tag: 'p' | 'n', value: string): void => {
    if (index.kinds.has(`${tag}=`)) keys.push(ck.get(`${tag}=`, () => `${tag}=${value}`));
    for (const l of index.prefixLengths[tag]) if (l <= value.length) keys.push(ck.get(`${tag}<${l}`, () => `${tag}<${l}:${value.slice(0, l)}`));
    for (const l of index.suffixLengths[tag]) if (l <= value.length) keys.push(ck.get(`${tag}>${l}`, () => `${tag}>${l}:${value.slice(value.length - l)}`));
    if (value !== '' && index.kinds.has(`${tag}*`)) keys.push(`${tag}*`);
  };
  const principal = view.principal;
  if (principal !== null) strings('p', principal);
  strings('n', view.namespace);
  if (index.cidrShapes.length > 0) {
    const ip: ParsedIp | null = view.srcIp;
    if (ip !== null) {
      for (const s of index.cidrShapes) {
        if (s.family !== ip.family) continue;
        const w = ip.words;
        keys.push(ck.get(`c${s.family}/${s.length}`, () => cidrKey(s.family, s.length, [(w[0] & s.mask[0]!) >>> 0, (w[1] & s.mask[1]!) >>> 0, (w[2] & s.mask[2]!) >>> 0, (w[3] & s.mask[3]!) >>> 0])));
      }
    }
  }
  if (index.kinds.has('d=')) keys.push(ck.get('d=', () => portKey(view.dstPort)));
  return keys;
}

/** The first policy of `list` (in order) that matches the connection; the same answer as a scan. */
export function firstMatching(list: readonly CompiledPolicy[], ck: ConnectionKeys): CompiledPolicy | undefined {
  const view = ck.view;
  if (list.length < INDEX_MIN_POLICIES) {
    for (const p of list) if (policyMatches(p, view)) return p;
    return undefined;
  }
  const index = indexOf(list);
  const lists: (readonly number[])[] = [index.scan];
  for (const k of connectionKeys(index, ck)) {
    const at = index.byKey.get(k);
    if (at) lists.push(at);
  }
  // Visit the union of the candidate lists (each sorted) in ascending position, once each.
  const next = lists.map(() => 0);
  let last = -1;
  for (;;) {
    let min = Infinity;
    let from = -1;
    for (let l = 0; l < lists.length; l++) {
      const v = lists[l]![next[l]!];
      if (v !== undefined && v < min) { min = v; from = l; }
    }
    if (from < 0) return undefined;
    next[from] = next[from]! + 1;
    if (min === last) continue;
    last = min;
    const p = list[min]!;
    if (policyMatches(p, view)) return p;
  }
}
