// One Authorization, compiled (rules 4, 9, 28; ztunnel rbac.rs `matches`):
//  - a policy matches iff it has at least one rule and ANY rule matches;
//  - a rule matches iff ALL its clauses match (no clauses: matches everything);
//  - a clause with no matches matches; otherwise it matches iff ANY of its non-empty
//    Matches matches (an empty Match is skipped: it never matches).
// Compilation folds the constant parts away: a clause that always matches is removed
// from its rule, a rule holding a clause that can never match (all its Matches empty)
// is removed from the policy. A policy left with no rule never matches (an ALLOW one
// still counts as an ALLOW policy: fail closed).
import type { Authorization, AuthzClause, AuthzRule } from '../../api/model.js';
import { policyKey } from '../../api/model.js';
import type { CompiledMatch } from './compiled-match.js';
import { compileMatch, matchMatches } from './compiled-match.js';
import type { ConnectionView } from './connection.js';

/** OR of matches; never empty (a clause that always matches is folded away). */
export type CompiledClause = readonly CompiledMatch[];
/** AND of clauses; empty = matches every connection. */
export type CompiledRule = readonly CompiledClause[];

export interface CompiledPolicy {
  /** "<namespace>/<name>", the key workloads reference. */
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly scope: Authorization['scope'];
  readonly action: Authorization['action'];
  readonly dryRun: boolean;
  /** The rules that can match (OR'd). */
  readonly rules: readonly CompiledRule[];
  /** Some rule has no clause left: the policy matches every connection. */
  readonly matchesAll: boolean;
  /** What compilation dropped (entries ztunnel would drop too), for logs. */
  readonly problems: readonly string[];
  /** The object this was compiled from (to reuse the compilation while it is unchanged). */
  readonly source: Authorization;
}

/** undefined when the clause always matches; [] when it never matches. */
function compileClause(c: AuthzClause, problems: string[], where: string): CompiledClause | undefined {
  if (c.matches.length === 0) return undefined;
  const out: CompiledMatch[] = [];
  for (const m of c.matches) {
    const compiled = compileMatch(m, problems, where);
    if (compiled) out.push(compiled);
  }
  return out;
}

/** undefined when the rule can never match. */
function compileRule(r: AuthzRule, problems: string[], where: string): CompiledRule | undefined {
  const clauses: CompiledClause[] = [];
  for (const c of r.clauses) {
    const compiled = compileClause(c, problems, where);
    if (compiled === undefined) continue;
    if (compiled.length === 0) return undefined;
    clauses.push(compiled);
  }
  return clauses;
}

export function compilePolicy(a: Authorization): CompiledPolicy {
  const key = policyKey(a);
  const problems: string[] = [];
  const rules: CompiledRule[] = [];
  a.rules.forEach((r, i) => {
    const compiled = compileRule(r, problems, `policy ${key} rule ${i}`);
    if (compiled) rules.push(compiled);
  });
  return {
    key, name: a.name, namespace: a.namespace, scope: a.scope, action: a.action, dryRun: a.dryRun,
    rules, matchesAll: rules.some((r) => r.length === 0), problems, source: a,
  };
}

function ruleMatches(rule: CompiledRule, c: ConnectionView): boolean {
  for (const clause of rule) {
    let hit = false;
    for (const m of clause) {
      if (matchMatches(m, c)) { hit = true; break; }
    }
    if (!hit) return false;
  }
  return true;
}

export function policyMatches(p: CompiledPolicy, c: ConnectionView): boolean {
  if (p.matchesAll) return true;
  for (const r of p.rules) if (ruleMatches(r, c)) return true;
  return false;
}
