// A second opinion for every decision: the policies that apply to the workload, chosen
// here independently of the index, evaluated by the translation tests' reference
// evaluator (test/unit/translate/rbac-eval.ts, ztunnel semantics written plainly).
import type { Authorization } from '../../../api/model.js';
import { policyKey } from '../../../api/model.js';
import { principalOf } from '../../../api/identity.js';
import type { DestinationWorkload } from '../../../daemon/rbac/authorize.js';
import type { Connection } from '../../../daemon/rbac/connection.js';
import type { Conn } from '../translate/rbac-eval.js';
import { isAllowed } from '../translate/rbac-eval.js';

/** Rule 6: mesh-wide (GLOBAL, or root namespace without selector), the workload's namespace, its listed selector policies. */
export function applicablePolicies(policies: readonly Authorization[], w: DestinationWorkload, rootNamespace: string): Authorization[] {
  const listed = new Set(w.authorizationPolicies);
  return policies.filter((p) => {
    switch (p.scope) {
      case 'GLOBAL': return true;
      case 'NAMESPACE': return p.namespace === w.namespace || p.namespace === rootNamespace;
      case 'WORKLOAD_SELECTOR': return listed.has(policyKey(p));
    }
  });
}

function unmapped(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

export function oracleConn(c: Connection): Conn {
  const conn: Conn = { sourceIp: unmapped(c.srcIp), destinationIp: unmapped(c.dstIp), destinationPort: c.dstPort };
  if (c.srcIdentity) conn.principal = principalOf(c.srcIdentity);
  return conn;
}

export function oracleAllows(policies: readonly Authorization[], w: DestinationWorkload, c: Connection, rootNamespace: string): boolean {
  return isAllowed(applicablePolicies(policies, w, rootNamespace), oracleConn(c));
}
