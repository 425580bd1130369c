// AuthorizationPolicy `when` keys (semantics reference rule 23; VAL security.ValidateAttribute):
// which keys exist, which are rejected with a specific reason, how their values are checked,
// and which are HTTP-only (rule 26).
import { ipOrCidr, portString } from './network.js';

export type ValueCheck = (value: string) => string | undefined;

export interface ConditionKeyInfo {
  /** Rejection reason, when the key is not allowed. */
  error?: string;
  /** Per-value check (IPs, ports). */
  check?: ValueCheck;
  /** Only meaningful for HTTP traffic (rule 26). */
  httpOnly: boolean;
  /** Identity-derived (not allowed with CUSTOM, rule 12). */
  identity: boolean;
}

const BRACKETED = /^[^[\]]+(\[[^[\]]+\])+$/;

/** `prefix[b]` (or `prefix[b][c]` when nested): bracketed non-empty names right after the prefix. */
function mapKeyProblem(key: string, prefix: string, nested: boolean): string | undefined {
  const bad = `bad key (${key}): should have format ${prefix}[name]`;
  if (prefix.endsWith('.')) {
    if (!BRACKETED.test(key)) return bad;
  } else if (key[prefix.length] !== '[' || !BRACKETED.test(key)) return bad;
  if (!nested && key.indexOf(']') !== key.length - 1) return bad;
  return undefined;
}

const destPort: ValueCheck = (v) => portString(v, 0); // range 0..65535 (rule 23)

export function conditionKeyInfo(key: string): ConditionKeyInfo {
  const ok = (httpOnly: boolean, identity = false, check?: ValueCheck): ConditionKeyInfo => ({ httpOnly, identity, check });
  if (key.startsWith('request.headers')) {
    return { ...ok(true), error: mapKeyProblem(key, 'request.headers', false) };
  }
  if (key.startsWith('request.auth.claims')) {
    return { ...ok(true, true), error: mapKeyProblem(key, 'request.auth.claims', true) };
  }
  if (key.startsWith('experimental.envoy.filters.')) {
    return { ...ok(true), error: mapKeyProblem(key, 'experimental.envoy.filters.', true) };
  }
  switch (key) {
    case 'source.ip':
      return ok(false, false, ipOrCidr);
    case 'remote.ip':
      return ok(true, false, ipOrCidr);
    case 'source.namespace':
    case 'source.principal':
    case 'source.serviceAccount':
    case 'source.trustDomain':
      return ok(false, true);
    case 'request.auth.principal':
    case 'request.auth.audiences':
    case 'request.auth.presenter':
      return ok(true, true);
    case 'destination.ip':
      return ok(false, false, ipOrCidr);
    case 'destination.port':
      return ok(false, false, destPort);
    case 'connection.sni':
      return ok(false);
    case 'destination.namespace':
      return { ...ok(false), error: `attribute ${key} is replaced by the metadata.namespace` };
    case 'destination.name':
    case 'destination.user':
      return { ...ok(false), error: `deprecated attribute ${key}: only supported in v1alpha1` };
    default:
      if (key.startsWith('destination.labels')) return { ...ok(false), error: `attribute ${key} is replaced by the workload selector` };
      return { ...ok(false), error: `unknown attribute: ${key}` };
  }
}

/** `when` keys ztunnel enforces at L4 (rule 26); all others are dropped for TCP traffic. */
export const L4_CONDITION_KEYS: ReadonlySet<string> = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);

/** Keys CUSTOM policies may not use (rule 12). */
export function forbiddenForCustom(key: string): boolean {
  return ['source.namespace', 'source.principal', 'source.serviceAccount', 'source.trustDomain'].includes(key) || key.startsWith('request.auth.');
}
