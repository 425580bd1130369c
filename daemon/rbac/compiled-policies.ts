// Every policy of the daemon's state, compiled and indexed by scope, so a decision only
// touches the policies that apply to its destination workload (rules 5–6, ZT
// `assert_rbac`): the GLOBAL ones, its namespace's NAMESPACE ones, and the
// WORKLOAD_SELECTOR ones it lists by key. Build it again (pure) whenever the policies
// change; pass the previous result to reuse the compilation of unchanged objects.
import type { Authorization } from '../../api/model.js';
import { policyKey } from '../../api/model.js';
import type { CompiledPolicy } from './compiled-policy.js';
import { compilePolicy } from './compiled-policy.js';

/** The policies of one scope, split by how they take part in the decision. */
export interface PolicyBucket {
  readonly deny: readonly CompiledPolicy[];
  readonly allow: readonly CompiledPolicy[];
  /** Dry-run policies (either action): evaluated and reported, never enforced. */
  readonly dryRun: readonly CompiledPolicy[];
}

export interface CompiledPolicies {
  readonly rootNamespace: string;
  /** Every compiled policy by "<namespace>/<name>". */
  readonly byKey: ReadonlyMap<string, CompiledPolicy>;
  /** Mesh-wide policies (scope GLOBAL, or a namespace-wide policy of the root namespace). */
  readonly global: PolicyBucket;
  /** Namespace-wide policies by namespace. */
  readonly byNamespace: ReadonlyMap<string, PolicyBucket>;
  /** WORKLOAD_SELECTOR policies by key: they apply to the workloads listing the key. */
  readonly selectorByKey: ReadonlyMap<string, CompiledPolicy>;
  /** What compilation dropped or read in a particular way, for logs (never fatal). */
  readonly problems: readonly string[];
}

interface MutableBucket {
  deny: CompiledPolicy[];
  allow: CompiledPolicy[];
  dryRun: CompiledPolicy[];
}

export const EMPTY_BUCKET: PolicyBucket = Object.freeze({ deny: [], allow: [], dryRun: [] });

function newBucket(): MutableBucket {
  return { deny: [], allow: [], dryRun: [] };
}

function add(bucket: MutableBucket, p: CompiledPolicy): void {
  if (p.dryRun) bucket.dryRun.push(p);
  else if (p.action === 'DENY') bucket.deny.push(p);
  else bucket.allow.push(p);
}

/**
 * Compiles and indexes `policies`. Later entries with the same key replace earlier ones.
 * With `previous`, a policy whose object is the very one compiled there is reused as is.
 */
export function compilePolicies(policies: Iterable<Authorization>, rootNamespace: string, previous?: CompiledPolicies): CompiledPolicies {
  const byKey = new Map<string, CompiledPolicy>();
  for (const a of policies) {
    const key = policyKey(a);
    const old = previous?.byKey.get(key);
    byKey.set(key, old !== undefined && old.source === a ? old : compilePolicy(a));
  }
  const problems: string[] = [];
  for (const p of byKey.values()) problems.push(...p.problems);

  const global = newBucket();
  const byNamespace = new Map<string, MutableBucket>();
  const selectorByKey = new Map<string, CompiledPolicy>();
  for (const p of byKey.values()) {
    switch (p.scope) {
      case 'GLOBAL':
        if (p.namespace !== rootNamespace) problems.push(`policy ${p.key}: GLOBAL scope outside the root namespace ${rootNamespace}; applied mesh-wide`);
        add(global, p);
        break;
      case 'NAMESPACE': {
        if (p.namespace === rootNamespace) { add(global, p); break; } // rule 6: root-namespace policy without selector
        let bucket = byNamespace.get(p.namespace);
        if (!bucket) { bucket = newBucket(); byNamespace.set(p.namespace, bucket); }
        add(bucket, p);
        break;
      }
      case 'WORKLOAD_SELECTOR':
        selectorByKey.set(p.key, p);
        break;
    }
  }
  return { rootNamespace, byKey, global, byNamespace, selectorByKey, problems };
}
