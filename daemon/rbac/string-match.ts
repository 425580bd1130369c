// StringMatch (rule 11): exact, prefix, suffix, or presence (any non-empty value).
// A StringMatch with no form set is dropped at compile time, as ztunnel drops it when
// it decodes the policy (which can leave a Match empty, and an empty Match never matches).
import type { StringMatch } from '../../api/model.js';

export type CompiledStringMatch =
  | { readonly kind: 'exact' | 'prefix' | 'suffix'; readonly value: string }
  | { readonly kind: 'presence' };

export function compileStringMatch(m: StringMatch): CompiledStringMatch | undefined {
  // The decoded oneof names its member in matchType; hand-built objects may only set the member.
  const kind = m.matchType
    ?? (m.exact !== undefined ? 'exact' : m.prefix !== undefined ? 'prefix' : m.suffix !== undefined ? 'suffix' : m.presence !== undefined ? 'presence' : undefined);
  switch (kind) {
    case 'exact': return { kind, value: m.exact ?? '' };
    case 'prefix': return { kind, value: m.prefix ?? '' };
    case 'suffix': return { kind, value: m.suffix ?? '' };
    case 'presence': return { kind }; // ztunnel: Presence(_) whatever the bool says
    default: return undefined;
  }
}

export function stringMatches(m: CompiledStringMatch, value: string): boolean {
  switch (m.kind) {
    case 'exact': return value === m.value;
    case 'prefix': return value.startsWith(m.value);
    case 'suffix': return value.endsWith(m.value);
    case 'presence': return value !== '';
  }
}
