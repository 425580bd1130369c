// PeerAuthentication → L4 DENY policies (pure), as istiod does for ztunnel
// (istio-semantics §2, rules 33–40):
//  - the effective mode composes mesh (root namespace, no selector) → namespace →
//    workload (selector, not in the root namespace), oldest policy winning at each
//    level, UNSET inheriting;
//  - an effectively STRICT workload references the static policy
//    "<root>/istio_converted_static_strict": DENY connections without a principal;
//  - a workload policy with portLevelMtls becomes its own DENY policy
//    "<ns>/converted_peer_authentication_<name>" carrying the port exceptions;
//  - ambient has no DISABLE: it behaves like PERMISSIVE (plaintext accepted, never required).
import type { Authorization, AuthzMatch, AuthzRule } from '../../api/model.js';
import { emptyMatch } from '../../api/model.js';
import type { KubeObject } from '../config/resource.js';
import { istioSelector, selectorMatches } from './kube-types.js';

export const STATIC_STRICT_POLICY = 'istio_converted_static_strict';
export const CONVERTED_PA_PREFIX = 'converted_peer_authentication_';

type Mode = 'UNSET' | 'PERMISSIVE' | 'STRICT' | 'DISABLE';
interface PeerAuthnSpec { selector?: unknown; mtls?: { mode?: string } | null; portLevelMtls?: Record<string, { mode?: string } | null> | null }

function specOf(pa: KubeObject): PeerAuthnSpec {
  return pa.spec ?? {};
}

function modeOf(mtls: { mode?: string } | null | undefined): Mode {
  const m = mtls?.mode;
  return m === 'STRICT' || m === 'PERMISSIVE' || m === 'DISABLE' ? m : 'UNSET';
}

const isStrict = (m: Mode): boolean => m === 'STRICT';
const isNonStrictSet = (m: Mode): boolean => m === 'PERMISSIVE' || m === 'DISABLE';

function noPrincipal(extra: Partial<AuthzMatch> = {}): AuthzMatch {
  return { ...emptyMatch(), notPrincipals: [{ presence: true, matchType: 'presence' }], ...extra };
}

export function staticStrictPolicy(rootNamespace: string): Authorization {
  return {
    name: STATIC_STRICT_POLICY, namespace: rootNamespace, scope: 'WORKLOAD_SELECTOR', action: 'DENY',
    rules: [{ clauses: [{ matches: [noPrincipal()] }] }], dryRun: false,
  };
}

function older(a: KubeObject, b: KubeObject | undefined): boolean {
  if (!b) return true;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb;
  return a.metadata.name < b.metadata.name; // deterministic tie-break
}

function hasSelector(pa: KubeObject): boolean {
  const sel = istioSelector(pa);
  return sel !== undefined && Object.keys(sel).length > 0;
}

export interface PeerAuthnLevels { mesh?: KubeObject; namespace?: KubeObject; workload?: KubeObject }

/** Picks the effective (oldest) mesh, namespace and workload policies for one workload. */
export function selectLevels(policies: readonly KubeObject[], rootNamespace: string, workloadNamespace: string, labels: Record<string, string>): PeerAuthnLevels {
  const levels: PeerAuthnLevels = {};
  for (const pa of policies) {
    const ns = pa.metadata.namespace ?? '';
    if (!hasSelector(pa)) {
      if (ns === rootNamespace) { if (older(pa, levels.mesh)) levels.mesh = pa; }
      else if (ns === workloadNamespace) { if (older(pa, levels.namespace)) levels.namespace = pa; }
    } else if (ns !== rootNamespace && ns === workloadNamespace && selectorMatches(istioSelector(pa) ?? {}, labels)) {
      if (older(pa, levels.workload)) levels.workload = pa;
    }
  }
  return levels;
}

function parentIsStrict(levels: PeerAuthnLevels): boolean {
  let strict = levels.mesh ? isStrict(modeOf(specOf(levels.mesh).mtls)) : false;
  if (levels.namespace) {
    const m = modeOf(specOf(levels.namespace).mtls);
    if (m !== 'UNSET') strict = isStrict(m);
  }
  return strict;
}

function portModes(pa: KubeObject): [number, Mode][] {
  return Object.entries(specOf(pa).portLevelMtls ?? {})
    .map(([port, mtls]): [number, Mode] => [Number(port), modeOf(mtls)])
    .filter(([port]) => Number.isInteger(port) && port > 0 && port < 65536)
    .sort((a, b) => a[0] - b[0]);
}

export function convertedPolicyName(pa: KubeObject): string {
  return `${CONVERTED_PA_PREFIX}${pa.metadata.name}`;
}

/** Keys ("<ns>/<name>") of the converted policies one workload must reference. */
export function peerAuthnPolicyKeys(levels: PeerAuthnLevels, rootNamespace: string): string[] {
  let strict = parentIsStrict(levels);
  const w = levels.workload;
  let portPolicy: string | undefined;
  if (w) {
    const mode = modeOf(specOf(w).mtls);
    if (isStrict(mode)) strict = true;
    if (isNonStrictSet(mode)) strict = false;
    const ports = portModes(w);
    if (ports.length > 0) {
      const key = `${w.metadata.namespace}/${convertedPolicyName(w)}`;
      const effectiveStrict = mode === 'UNSET' ? strict : isStrict(mode);
      if (effectiveStrict && ports.some(([, m]) => isNonStrictSet(m))) { portPolicy = key; strict = false; }
      if (!effectiveStrict && ports.some(([, m]) => isStrict(m))) { portPolicy = key; strict = false; }
    }
  }
  const keys: string[] = [];
  if (strict) keys.push(`${rootNamespace}/${STATIC_STRICT_POLICY}`);
  if (portPolicy) keys.push(portPolicy);
  return keys;
}

/**
 * The DENY policy for a workload PeerAuthentication with portLevelMtls, given the
 * effective namespace and mesh policies; undefined when the static policy suffices or
 * nothing is enforced.
 */
export function convertPeerAuthentication(pa: KubeObject, parents: Omit<PeerAuthnLevels, 'workload'>, rootNamespace: string): Authorization | undefined {
  const ns = pa.metadata.namespace ?? '';
  if (ns === rootNamespace || !hasSelector(pa)) return undefined;
  const ports = portModes(pa);
  if (ports.length === 0) return undefined;
  const mode = modeOf(specOf(pa).mtls);
  const parentStrict = parentIsStrict(parents);
  const effectiveStrict = mode === 'UNSET' ? parentStrict : isStrict(mode);

  const rules: AuthzRule[] = []; // one OR'd rule per STRICT port exception below
  const exemptPorts: number[] = [];
  for (const [port, portMode] of ports) {
    if (isStrict(portMode) && !effectiveStrict) {
      rules.push({ clauses: [{ matches: [noPrincipal({ destinationPorts: [port] })] }] });
    } else if (isNonStrictSet(portMode) && effectiveStrict) {
      exemptPorts.push(port);
    }
  }
  if (exemptPorts.length > 0) {
    // Deny connections without a principal unless they arrive on an exempt port.
    rules.push({ clauses: [{ matches: [noPrincipal()] }, ...exemptPorts.map((p) => ({ matches: [{ ...emptyMatch(), notDestinationPorts: [p] }] }))] });
  }
  if (rules.length === 0) return undefined;
  return { name: convertedPolicyName(pa), namespace: ns, scope: 'WORKLOAD_SELECTOR', action: 'DENY', rules, dryRun: false };
}
