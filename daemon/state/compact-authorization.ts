// Decoded policies with their empty lists shared. Protobuf decoding (with defaults) gives
// every Match twelve arrays, most of them empty, and a daemon may hold thousands of
// policies: sharing one frozen empty array halves the memory a decoded policy takes
// (5.3 → 2.6 KB for B5's policies). Content is unchanged; nothing mutates policies.
import type { Authorization, AuthzMatch } from '../../api/model.js';

const EMPTY: readonly never[] = Object.freeze([]);

function shared<T>(list: T[]): T[] {
  // Frozen: a write to a shared list throws instead of changing every policy.
  return list.length === 0 ? (EMPTY as never[]) : list;
}

export function compactMatch(m: AuthzMatch): AuthzMatch {
  return {
    namespaces: shared(m.namespaces), notNamespaces: shared(m.notNamespaces),
    principals: shared(m.principals), notPrincipals: shared(m.notPrincipals),
    sourceIps: shared(m.sourceIps), notSourceIps: shared(m.notSourceIps),
    destinationIps: shared(m.destinationIps), notDestinationIps: shared(m.notDestinationIps),
    destinationPorts: shared(m.destinationPorts), notDestinationPorts: shared(m.notDestinationPorts),
    serviceAccounts: shared(m.serviceAccounts), notServiceAccounts: shared(m.notServiceAccounts),
  };
}

export function compactAuthorization(a: Authorization): Authorization {
  return {
    ...a,
    rules: a.rules.map((rule) => ({ clauses: rule.clauses.map((clause) => ({ matches: clause.matches.map(compactMatch) })) })),
  };
}
