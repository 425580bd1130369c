// A faster way to find the first policy of a list that matches a connection, for long
// lists (thousands of policies applying to one workload). Most L4 policies name their
// peers exactly (`source.principals`, `source.namespaces`): such a policy can only match
// a connection whose principal (or namespace) is one of the names it lists, so it is
// filed under those names and only looked at for them. The others are always scanned.
// The candidates are visited in the list's order, so the first match — the policy a
// decision names — is the same as a plain scan finds.
import type { CompiledStringMatch } from './string-match.js';
import type { CompiledPolicy, CompiledRule } from './compiled-policy.js';
import { policyMatches } from './compiled-policy.js';
import type { CompiledMatch } from './compiled-match.js';
import type { ConnectionView } from './connection.js';

type StringField = { readonly pos: readonly CompiledStringMatch[]; readonly neg: readonly CompiledStringMatch[] } | null;

/** Lists shorter than this are scanned (an index costs more than it saves). */
export const INDEX_MIN_POLICIES = 16;

/** The exact values one clause requires (any of its matches must hold one), or null. */
function clauseRequires(clause: readonly CompiledMatch[], field: (m: CompiledMatch) => StringField): Set<string> | null {
  const out = new Set<string>();
  for (const m of clause) {
    const f = field(m);
    if (f === null || f.pos.length === 0) return null;
    for (const s of f.pos) {
      if (s.kind !== 'exact') return null;
      out.add(s.value);
    }
  }
  return out;
}

/**
 * The values a connection's field must take for `rules` to match (a matching rule has
 * all its clauses matching, so one clause's requirement is enough), or null when some
 * rule needs none. No rules: the empty set (the policy never matches).
 */
export function requiredValues(rules: readonly CompiledRule[], field: (m: CompiledMatch) => StringField): Set<string> | null {
  const out = new Set<string>();
  for (const rule of rules) {
    let best: Set<string> | null = null;
    for (const clause of rule) {
      const req = clauseRequires(clause, field);
      if (req !== null && (best === null || req.size < best.size)) best = req;
    }
    if (best === null) return null;
    for (const v of best) out.add(v);
  }
  return out;
}

const principals = (m: CompiledMatch): StringField => m.principals;
const namespaces = (m: CompiledMatch): StringField => m.namespaces;

interface PolicyIndex {
  readonly byPrincipal: ReadonlyMap<string, readonly number[]>;
  readonly byNamespace: ReadonlyMap<string, readonly number[]>;
  /** Positions of the policies that must always be looked at. */
  readonly scan: readonly number[];
}

function buildIndex(list: readonly CompiledPolicy[]): PolicyIndex {
  const byPrincipal = new Map<string, number[]>();
  const byNamespace = new Map<string, number[]>();
  const scan: number[] = [];
  const file = (map: Map<string, number[]>, keys: Set<string>, i: number): void => {
    for (const k of keys) {
      const at = map.get(k);
      if (at) at.push(i);
      else map.set(k, [i]);
    }
  };
  list.forEach((p, i) => {
    if (p.matchesAll) return scan.push(i);
    const byP = requiredValues(p.rules, principals);
    if (byP !== null) return file(byPrincipal, byP, i);
    const byNs = requiredValues(p.rules, namespaces);
    if (byNs !== null) return file(byNamespace, byNs, i);
    return scan.push(i);
  });
  return { byPrincipal, byNamespace, scan };
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

const NONE: readonly number[] = [];

/** The first policy of `list` (in order) that matches `view`; the same answer as a scan. */
export function firstMatching(list: readonly CompiledPolicy[], view: ConnectionView): CompiledPolicy | undefined {
  if (list.length < INDEX_MIN_POLICIES) {
    for (const p of list) if (policyMatches(p, view)) return p;
    return undefined;
  }
  const index = indexOf(list);
  const principal = view.principal;
  const a = principal === null ? NONE : index.byPrincipal.get(principal) ?? NONE;
  const b = index.byNamespace.get(view.namespace) ?? NONE;
  const c = index.scan;
  // Visit a ∪ b ∪ c in ascending position (each policy is in exactly one of them).
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length || k < c.length) {
    const ai = i < a.length ? a[i]! : Infinity;
    const bj = j < b.length ? b[j]! : Infinity;
    const ck = k < c.length ? c[k]! : Infinity;
    let at: number;
    if (ai <= bj && ai <= ck) { at = ai; i++; } else if (bj <= ck) { at = bj; j++; } else { at = ck; k++; }
    const p = list[at]!;
    if (policyMatches(p, view)) return p;
  }
  return undefined;
}
