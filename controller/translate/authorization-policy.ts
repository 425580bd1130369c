// AuthorizationPolicy → Authorization for the node proxy (pure), as istiod converts
// policies for ztunnel (istio-semantics §1.6 rules 26–29):
//  - targetRefs policies are for waypoints only: not sent;
//  - CUSTOM and AUDIT are not enforced at L4: not sent, with a warning;
//  - ALLOW: a rule using any HTTP-only attribute is dropped whole (fail closed: the
//    policy still counts as an ALLOW policy);
//  - DENY: HTTP-only attributes are stripped; a clause left with an empty match
//    matches nothing (ztunnel skips empty matches), so a DENY made only of HTTP
//    attributes has no effect at L4.
import type { Authorization, AuthzClause, AuthzMatch, AuthzRule } from '../../api/model.js';
import { emptyMatch } from '../../api/model.js';
import type { KubeObject } from '../config/resource.js';
import { toCidrs, toPorts, toServiceAccountMatches, toStringMatches } from './string-match.js';

interface Source {
  principals?: string[]; notPrincipals?: string[]; namespaces?: string[]; notNamespaces?: string[];
  serviceAccounts?: string[]; notServiceAccounts?: string[]; ipBlocks?: string[]; notIpBlocks?: string[];
  requestPrincipals?: string[]; notRequestPrincipals?: string[]; remoteIpBlocks?: string[]; notRemoteIpBlocks?: string[];
  trustDomains?: string[]; notTrustDomains?: string[];
}
interface Operation {
  ports?: string[]; notPorts?: string[]; hosts?: string[]; notHosts?: string[];
  methods?: string[]; notMethods?: string[]; paths?: string[]; notPaths?: string[];
}
interface Condition { key: string; values?: string[]; notValues?: string[] }
interface Rule { from?: { source?: Source }[]; to?: { operation?: Operation }[]; when?: Condition[] }
export interface AuthorizationPolicySpec {
  selector?: { matchLabels?: Record<string, string> } | null;
  targetRef?: unknown;
  targetRefs?: unknown[];
  action?: string;
  provider?: unknown;
  rules?: Rule[];
}

export interface ConversionResult {
  policy?: Authorization;
  warnings: string[];
}

export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';
const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;
// trustDomains: a Match has no trust-domain field, so ztunnel treats it like an HTTP attribute.
const UNSUPPORTED_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks', 'trustDomains', 'notTrustDomains'] as const;
export const L4_WHEN_KEYS: ReadonlySet<string> = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);

function present(list: readonly unknown[] | undefined): boolean {
  return list !== undefined && list.length > 0;
}

function operationMatch(op: Operation, found: Set<string>): AuthzMatch {
  for (const f of HTTP_OPERATION_FIELDS) if (present(op[f])) found.add(f);
  return { ...emptyMatch(), destinationPorts: toPorts(op.ports), notDestinationPorts: toPorts(op.notPorts) };
}

function sourceMatch(src: Source, policyNamespace: string, found: Set<string>): AuthzMatch {
  for (const f of UNSUPPORTED_SOURCE_FIELDS) if (present(src[f])) found.add(f);
  return {
    ...emptyMatch(),
    sourceIps: toCidrs(src.ipBlocks), notSourceIps: toCidrs(src.notIpBlocks),
    namespaces: toStringMatches(src.namespaces), notNamespaces: toStringMatches(src.notNamespaces),
    serviceAccounts: toServiceAccountMatches(src.serviceAccounts, policyNamespace),
    notServiceAccounts: toServiceAccountMatches(src.notServiceAccounts, policyNamespace),
    principals: toStringMatches(src.principals), notPrincipals: toStringMatches(src.notPrincipals),
  };
}

function conditionMatch(c: Condition, found: Set<string>): AuthzMatch {
  if (!L4_WHEN_KEYS.has(c.key)) found.add(c.key);
  const m = emptyMatch();
  switch (c.key) {
    case 'source.namespace': m.namespaces = toStringMatches(c.values); m.notNamespaces = toStringMatches(c.notValues); break;
    case 'source.principal': m.principals = toStringMatches(c.values); m.notPrincipals = toStringMatches(c.notValues); break;
    case 'source.ip': m.sourceIps = toCidrs(c.values); m.notSourceIps = toCidrs(c.notValues); break;
    case 'destination.ip': m.destinationIps = toCidrs(c.values); m.notDestinationIps = toCidrs(c.notValues); break;
    case 'destination.port': m.destinationPorts = toPorts(c.values); m.notDestinationPorts = toPorts(c.notValues); break;
    default: break; // HTTP-only or unsupported key: an empty match
  }
  return m;
}

/** One Istio rule → one rule (AND of clauses), or undefined when an ALLOW rule must be dropped. */
export function convertRule(rule: Rule, action: 'ALLOW' | 'DENY', policyNamespace: string, found: Set<string>): AuthzRule | undefined {
  const local = new Set<string>();
  const clauses: AuthzClause[] = [];
  if (rule.to !== undefined) clauses.push({ matches: rule.to.map((t) => operationMatch(t.operation ?? {}, local)) });
  if (rule.from !== undefined) clauses.push({ matches: rule.from.map((f) => sourceMatch(f.source ?? {}, policyNamespace, local)) });
  for (const c of rule.when ?? []) clauses.push({ matches: [conditionMatch(c, local)] });
  for (const f of local) found.add(f);
  if (action === 'ALLOW' && local.size > 0) return undefined;
  return { clauses };
}

export function isMatchEmpty(m: AuthzMatch): boolean {
  return Object.values(m).every((v) => !Array.isArray(v) || v.length === 0);
}

/** Can any rule of this policy ever match? (A rule with no clauses matches everything.) */
export function hasEffectiveRules(rules: readonly AuthzRule[]): boolean {
  return rules.some((r) => r.clauses.every((c) => c.matches.length === 0 || c.matches.some((m) => !isMatchEmpty(m))));
}

export function convertAuthorizationPolicy(obj: KubeObject, rootNamespace: string): ConversionResult {
  const spec = (obj.spec ?? {}) as AuthorizationPolicySpec;
  const namespace = obj.metadata.namespace ?? 'default';
  const id = `AuthorizationPolicy ${namespace}/${obj.metadata.name}`;
  if (present(spec.targetRefs) || spec.targetRef) return { warnings: [] }; // waypoint-only policy
  const action = spec.action ?? 'ALLOW';
  if (action !== 'ALLOW' && action !== 'DENY') {
    return { warnings: [`${id}: the node proxy does not support the ${action} action; it is not enforced (a waypoint enforces it only when attached with targetRefs)`] };
  }
  const found = new Set<string>();
  const rules: AuthzRule[] = [];
  for (const r of spec.rules ?? []) {
    const converted = convertRule(r, action, namespace, found);
    if (converted) rules.push(converted);
  }
  const warnings: string[] = [];
  if (found.size > 0) {
    const attrs = [...found].sort().join(', ');
    const consequence = action === 'ALLOW'
      ? 'Within an ALLOW policy, rules using HTTP attributes are omitted (more restrictive than requested).'
      : hasEffectiveRules(rules)
        ? 'The DENY policy is enforced without its HTTP attributes (more restrictive than requested).'
        : 'After omitting the HTTP attributes this DENY policy has no effect at L4; use a waypoint with targetRefs.';
    warnings.push(`${id}: the node proxy does not enforce HTTP attributes (found: ${attrs}). ${consequence}`);
  }
  const selector = spec.selector;
  const scope = selector === undefined || selector === null ? (namespace === rootNamespace ? 'GLOBAL' : 'NAMESPACE') : 'WORKLOAD_SELECTOR';
  return {
    policy: {
      name: obj.metadata.name,
      namespace,
      scope,
      action,
      rules,
      dryRun: obj.metadata.annotations?.[DRY_RUN_ANNOTATION] === 'true',
    },
    warnings,
  };
}
