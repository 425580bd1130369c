// The L4 authorization decision for one inbound connection (rules 1, 4, 5, 8; ztunnel
// `assert_rbac`), over the policies that apply to the destination workload: its
// namespace's, the mesh-wide ones, and the selector policies it lists, in that order.
//  1. a matching DENY policy denies (the first one found is named);
//  2. otherwise, no ALLOW policy applying means allowed;
//  3. otherwise a matching ALLOW policy allows;
//  4. otherwise denied.
// Dry-run policies are evaluated only when some apply, and reported beside the decision.
import type { Workload } from '../../api/model.js';
import type { CompiledPolicies, PolicyBucket } from './compiled-policies.js';
import { EMPTY_BUCKET } from './compiled-policies.js';
import type { CompiledPolicy } from './compiled-policy.js';
import { policyMatches } from './compiled-policy.js';
import type { Connection } from './connection.js';
import { ConnectionView } from './connection.js';
import type { Decision, DryRunReport } from './decision.js';
import { ConnectionKeys, firstMatching } from './policy-index.js';

/** The parts of a Workload a decision reads. */
export type DestinationWorkload = Pick<Workload, 'namespace' | 'authorizationPolicies'>;

const ALLOWED_NO_POLICY: Decision = Object.freeze({ allowed: true });
const MAX_NAMED = 8;

/** The applicable policies, in evaluation order: namespace, mesh-wide, selector. */
type Applicable = readonly [PolicyBucket, PolicyBucket, PolicyBucket];

/** Selector buckets already built, per compilation and per workload key list (both immutable). */
const selectorBuckets = new WeakMap<CompiledPolicies, WeakMap<readonly string[], PolicyBucket>>();

/** The workload's listed WORKLOAD_SELECTOR policies as a bucket (unknown keys skipped), built once per key list. */
function selectorBucket(keys: readonly string[], compiled: CompiledPolicies): PolicyBucket {
  if (keys.length === 0) return EMPTY_BUCKET;
  let cache = selectorBuckets.get(compiled);
  if (cache === undefined) {
    cache = new WeakMap();
    selectorBuckets.set(compiled, cache);
  }
  let bucket = cache.get(keys);
  if (bucket === undefined) {
    bucket = buildSelectorBucket(keys, compiled);
    cache.set(keys, bucket);
  }
  return bucket;
}

function buildSelectorBucket(keys: readonly string[], compiled: CompiledPolicies): PolicyBucket {
  const deny: CompiledPolicy[] = [];
  const allow: CompiledPolicy[] = [];
  const dryRun: CompiledPolicy[] = [];
  for (const k of keys) {
    const p = compiled.selectorByKey.get(k);
    if (p === undefined) continue;
    if (p.dryRun) dryRun.push(p);
    else if (p.action === 'DENY') deny.push(p);
    else allow.push(p);
  }
  return { deny, allow, dryRun };
}

type Kind = keyof PolicyBucket;

function firstMatch(kind: Kind, buckets: Applicable, keys: ConnectionKeys): CompiledPolicy | undefined {
  for (const b of buckets) {
    const p = firstMatching(b[kind], keys);
    if (p) return p;
  }
  return undefined;
}

function count(kind: Kind, buckets: Applicable): number {
  return buckets[0][kind].length + buckets[1][kind].length + buckets[2][kind].length;
}

function all(kind: Kind, buckets: Applicable): CompiledPolicy[] {
  return [...buckets[0][kind], ...buckets[1][kind], ...buckets[2][kind]];
}

function names(policies: readonly CompiledPolicy[]): string {
  let out = '';
  const shown = Math.min(policies.length, MAX_NAMED);
  for (let i = 0; i < shown; i++) out += (i === 0 ? '' : ', ') + policies[i]!.key;
  return policies.length > MAX_NAMED ? `${out} and ${policies.length - MAX_NAMED} more` : out;
}

interface Enforced {
  decision: Decision;
  /** Set when the decision came from a matching DENY policy. */
  deniedBy?: CompiledPolicy;
  allowPolicies: number;
  allowedBy?: CompiledPolicy;
}

/** What the enforced outcome would become with the dry-run policies enforced too. */
function dryRunReport(dry: readonly CompiledPolicy[], enforced: Enforced, view: ConnectionView): DryRunReport {
  const matched = dry.filter((p) => policyMatches(p, view));
  const matchedKeys = matched.map((p) => p.key);
  if (enforced.deniedBy) return { wouldAllow: false, matched: matchedKeys };
  const dryDeny = matched.find((p) => p.action === 'DENY');
  if (dryDeny) return { wouldAllow: false, policy: dryDeny.key, reason: `dry-run DENY policy ${dryDeny.key} matched`, matched: matchedKeys };
  if (enforced.allowedBy) return { wouldAllow: true, matched: matchedKeys };
  const dryAllows = dry.filter((p) => p.action === 'ALLOW');
  if (enforced.allowPolicies + dryAllows.length === 0) return { wouldAllow: true, matched: matchedKeys };
  const dryAllow = matched.find((p) => p.action === 'ALLOW');
  if (dryAllow) return { wouldAllow: true, policy: dryAllow.key, matched: matchedKeys };
  return {
    wouldAllow: false,
    reason: enforced.allowPolicies === 0 ? `dry-run ALLOW policies exist but none matched: ${names(dryAllows)}` : 'no ALLOW policy matched',
    matched: matchedKeys,
  };
}

function enforce(buckets: Applicable, view: ConnectionView): Enforced {
  const keys = new ConnectionKeys(view);
  const deny = firstMatch('deny', buckets, keys);
  if (deny) {
    return { decision: { allowed: false, reason: `denied by DENY policy ${deny.key}`, policy: deny.key }, deniedBy: deny, allowPolicies: 0 };
  }
  const allowPolicies = count('allow', buckets);
  if (allowPolicies === 0) return { decision: ALLOWED_NO_POLICY, allowPolicies };
  const allow = firstMatch('allow', buckets, keys);
  if (allow) return { decision: { allowed: true, policy: allow.key }, allowPolicies, allowedBy: allow };
  return { decision: { allowed: false, reason: `allow policies exist but none matched: ${names(all('allow', buckets))}` }, allowPolicies };
}

/**
 * Decides whether `conn` may reach `workload` (undefined: the destination is not a known
 * workload, which ztunnel denies). Pure: reads only its arguments.
 */
export function authorize(conn: Connection, workload: DestinationWorkload | undefined, compiled: CompiledPolicies): Decision {
  if (workload === undefined) return { allowed: false, reason: 'destination workload not found' };
  const view = new ConnectionView(conn);
  const buckets: Applicable = [
    compiled.byNamespace.get(workload.namespace) ?? EMPTY_BUCKET,
    compiled.global,
    selectorBucket(workload.authorizationPolicies, compiled),
  ];
  const enforced = enforce(buckets, view);
  if (count('dryRun', buckets) === 0) return enforced.decision;
  return { ...enforced.decision, dryRun: dryRunReport(all('dryRun', buckets), enforced, view) };
}
