// The two "string match" shapes Istio uses:
//  - AuthorizationPolicy values: `abc` exact, `abc*` prefix, `*abc` suffix, `*` presence
//    (semantics reference rule 11; no regex, no infix wildcard);
//  - VirtualService StringMatch objects: exactly one of {exact, prefix, regex} (RE2).
import type { Field } from './field.js';
import { re2Problem } from './re2.js';

export type AuthzMatchForm = 'exact' | 'prefix' | 'suffix' | 'presence' | 'unsupported';

/** Classifies an AuthorizationPolicy string value. `unsupported` = a `*` anywhere else. */
export function authzMatchForm(v: string): AuthzMatchForm {
  if (v === '*') return 'presence';
  const stars = v.split('*').length - 1;
  if (stars === 0) return 'exact';
  if (stars === 1 && v.endsWith('*')) return 'prefix';
  if (stars === 1 && v.startsWith('*')) return 'suffix';
  return 'unsupported';
}

export interface StringMatchOptions {
  /** Validate `regex` as RE2 (withoutHeaders tolerates anything: reference rule 62). */
  checkRegex?: boolean;
  /** `{}` (no match type) is allowed: header presence. */
  allowEmpty?: boolean;
}

const STRING_MATCH_KEYS = ['exact', 'prefix', 'regex'] as const;

/** Validates a VirtualService StringMatch object at `f`. */
export function validateStringMatch(f: Field, opts: StringMatchOptions = {}): void {
  const rec = f.record();
  if (!rec) return;
  f.knownKeys(STRING_MATCH_KEYS);
  const set = STRING_MATCH_KEYS.filter((k) => rec[k] !== undefined && rec[k] !== null);
  if (set.length > 1) {
    f.error(`only one of exact, prefix or regex may be set, found ${set.join(', ')}`);
    return;
  }
  if (set.length === 0) {
    if (!opts.allowEmpty) f.error('one of exact, prefix or regex must be set');
    return;
  }
  const kind = set[0] ?? 'exact';
  const vf = f.key(kind);
  const v = vf.string();
  if (v === undefined) return;
  if (kind === 'prefix' && v === '') vf.error('prefix string match should not be empty');
  if (kind === 'regex' && (opts.checkRegex ?? true)) {
    const problem = re2Problem(v);
    if (problem) vf.error(`${problem}; Istio uses RE2 syntax and the regex must match the whole value`);
  }
}

/** The match kind of a StringMatch object, when well-formed. */
export function stringMatchKind(v: unknown): 'exact' | 'prefix' | 'regex' | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const rec = v as Record<string, unknown>;
  for (const k of STRING_MATCH_KEYS) if (typeof rec[k] === 'string') return k;
  return undefined;
}
