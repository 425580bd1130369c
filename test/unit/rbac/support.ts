// Builders shared by the daemon RBAC tests: connections, destination workloads, and
// policies, either written directly in the wire shape or produced from Istio objects by
// the controller's own translation (so those cases check the whole chain).
import type { Identity } from '../../../api/identity.js';
import type { Authorization, AuthzMatch, AuthzRule } from '../../../api/model.js';
import { policyKey } from '../../../api/model.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { DRY_RUN_ANNOTATION, convertAuthorizationPolicy } from '../../../controller/translate/authorization-policy.js';
import {
  convertPeerAuthentication, peerAuthnPolicyKeys, selectLevels, staticStrictPolicy,
} from '../../../controller/translate/peer-authentication.js';
import type { Connection } from '../../../daemon/rbac/connection.js';
import type { DestinationWorkload } from '../../../daemon/rbac/authorize.js';

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const ROOT = 'istio-system';
export const NS = 'foo';
export const DST_IP = '10.0.0.10';

// ---- connections ----

export interface ConnOptions { port?: number; src?: string; dst?: string; td?: string }

export function identity(ns: string, sa: string, td = 'cluster.local'): Identity {
  return { trustDomain: td, namespace: ns, serviceAccount: sa };
}

/** An mTLS connection from <ns>/<sa>. */
export function mtls(ns: string, sa: string, o: ConnOptions = {}): Connection {
  return { srcIp: o.src ?? '10.1.2.3', srcPort: 40000, dstIp: o.dst ?? DST_IP, dstPort: o.port ?? 8080, srcIdentity: identity(ns, sa, o.td) };
}

/** A plaintext connection (no peer identity). */
export function plain(o: ConnOptions = {}): Connection {
  return { srcIp: o.src ?? '10.1.2.3', srcPort: 40000, dstIp: o.dst ?? DST_IP, dstPort: o.port ?? 8080 };
}

// ---- workloads ----

export function workload(keys: string[] = [], ns = NS): DestinationWorkload {
  return { namespace: ns, authorizationPolicies: keys };
}

// ---- policies in the wire shape ----

export { match, sm } from '../translate/builders.js';

/** A rule of clauses, each clause given as its list of matches. */
export function rule(...clauses: AuthzMatch[][]): AuthzRule {
  return { clauses: clauses.map((matches) => ({ matches })) };
}

export interface AuthzOptions {
  ns?: string;
  scope?: Authorization['scope'];
  action?: Authorization['action'];
  dryRun?: boolean;
}

export function authz(name: string, rules: AuthzRule[], o: AuthzOptions = {}): Authorization {
  const ns = o.ns ?? NS;
  return {
    name, namespace: ns, scope: o.scope ?? (ns === ROOT ? 'GLOBAL' : 'NAMESPACE'), action: o.action ?? 'ALLOW', rules, dryRun: o.dryRun ?? false,
  };
}

// ---- policies through the controller's translation ----

export interface IstioOptions { dryRun?: boolean }

/** An Istio AuthorizationPolicy run through convertAuthorizationPolicy; throws when nothing is sent. */
export function istio(name: string, ns: string, spec: Record<string, unknown>, o: IstioOptions = {}): Authorization {
  const obj: KubeObject = {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: ns, annotations: o.dryRun ? { [DRY_RUN_ANNOTATION]: 'true' } : {} },
    spec,
  };
  const { policy } = convertAuthorizationPolicy(obj, ROOT);
  if (!policy) throw new Error(`AuthorizationPolicy ${ns}/${name} was not sent to the node proxy`);
  return policy;
}

export function peerAuthentication(name: string, ns: string, spec: Record<string, unknown>, created = '2026-01-01T00:00:00Z'): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns, creationTimestamp: created }, spec };
}

/**
 * What the controller sends for a set of PeerAuthentications and one pod: the converted
 * policies (static STRICT + port-level ones) and the keys the pod's workload lists.
 */
export function fromPeerAuthentications(pas: KubeObject[], podNs = NS, labels: Record<string, string> = { app: 'web' }): { policies: Authorization[]; keys: string[] } {
  const policies = new Map<string, Authorization>();
  const strict = staticStrictPolicy(ROOT);
  policies.set(policyKey(strict), strict);
  for (const pa of pas) {
    const parents = selectLevels(pas, ROOT, pa.metadata.namespace ?? '', {});
    const converted = convertPeerAuthentication(pa, { mesh: parents.mesh, namespace: parents.namespace }, ROOT);
    if (converted) policies.set(policyKey(converted), converted);
  }
  const keys = peerAuthnPolicyKeys(selectLevels(pas, ROOT, podNs, labels), ROOT);
  return { policies: [...policies.values()], keys };
}
