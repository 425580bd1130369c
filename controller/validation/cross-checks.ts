// Cross-resource checks that are cheap and sure: duplicate resources, conflicting
// Telemetry/PeerAuthentication at one scope (reference rules 36, 100), VirtualService
// subsets no DestinationRule defines (rule 72), duplicate DR subsets (rule 83) and
// several mesh VirtualServices for one host (rule 57).
import type { LoadedObject } from '../config/load-yaml.js';
import type { KubeObject } from '../config/resource.js';
import { canonicalJson } from './canonical-json.js';
import { CLUSTER_SCOPED_KINDS, displayName, groupKind, groupOf, isRecord } from '../config/resource.js';
import type { Finding, Severity } from './finding.js';
import { resolveHost } from './host-names.js';
import { labelsMatch } from './labels.js';
import { hostSubsetOf } from './names.js';
import type { ValidateOptions } from './options.js';
import { rootNamespaceOf } from './options.js';

function finding(lo: LoadedObject, severity: Severity, path: string, message: string): Finding {
  return { severity, kind: lo.object.kind, name: displayName(lo.object), path, message, file: lo.file };
}

function nsOf(o: KubeObject): string {
  return o.metadata.namespace ?? '';
}

function identity(o: KubeObject): string {
  const ns = CLUSTER_SCOPED_KINDS.has(o.kind) ? '' : nsOf(o);
  return `${groupKind(o)}/${ns}/${o.metadata.name}`;
}

function where(lo: LoadedObject): string {
  return `${displayName(lo.object)} (${lo.file})`;
}

/** Oldest first by creationTimestamp (when both have one), else input order. */
function byAge(a: LoadedObject, b: LoadedObject): number {
  const ta = a.object.metadata.creationTimestamp;
  const tb = b.object.metadata.creationTimestamp;
  if (typeof ta === 'string' && typeof tb === 'string' && ta !== tb) return ta < tb ? -1 : 1;
  return 0;
}

/** Same kind/namespace/name twice: error on every later one (warning when identical). Returns the first of each identity. */
export function checkDuplicates(objects: readonly LoadedObject[], out: Finding[]): LoadedObject[] {
  const first = new Map<string, LoadedObject>();
  for (const lo of objects) {
    const key = identity(lo.object);
    const prev = first.get(key);
    if (!prev) {
      first.set(key, lo);
      continue;
    }
    if (canonicalJson(prev.object) === canonicalJson(lo.object)) {
      out.push(finding(lo, 'warning', 'metadata.name', `duplicate ${lo.object.kind} ${displayName(lo.object)}: already defined with identical content in ${prev.file}`));
    } else {
      out.push(finding(lo, 'error', 'metadata.name', `duplicate ${lo.object.kind} ${displayName(lo.object)}: already defined in ${prev.file}; only one definition can apply`));
    }
  }
  return [...first.values()];
}

function spec(o: KubeObject): Record<string, unknown> {
  return isRecord(o.spec) ? o.spec : {};
}

function matchLabelsOf(o: KubeObject): Record<string, string> | undefined {
  const sel = spec(o).selector;
  if (!isRecord(sel)) return undefined;
  const ml = isRecord(sel.matchLabels) ? sel.matchLabels : {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ml)) if (typeof v === 'string') out[k] = v;
  return out;
}

function hasTargetRefs(o: KubeObject): boolean {
  const s = spec(o);
  return isRecord(s.targetRef) || (Array.isArray(s.targetRefs) && s.targetRefs.length > 0);
}

function ofKind(objects: readonly LoadedObject[], group: string, kind: string): LoadedObject[] {
  return objects.filter((lo) => lo.object.kind === kind && groupOf(lo.object.apiVersion) === group);
}

/** Rule 100: one selector-less Telemetry per namespace; one selector Telemetry per workload. */
export function checkTelemetry(objects: readonly LoadedObject[], out: Finding[]): void {
  const tels = ofKind(objects, 'telemetry.istio.io', 'Telemetry').sort(byAge);
  const pods = ofKind(objects, '', 'Pod');
  const byNs = new Map<string, LoadedObject[]>();
  for (const t of tels) byNs.set(nsOf(t.object), [...(byNs.get(nsOf(t.object)) ?? []), t]);
  for (const [, list] of byNs) {
    const wide = list.filter((t) => matchLabelsOf(t.object) === undefined && !hasTargetRefs(t.object));
    const [oldest, ...rest] = wide;
    for (const t of rest) {
      if (oldest) out.push(finding(t, 'error', 'spec', `only one Telemetry without selector is allowed per namespace; ${where(oldest)} already applies to namespace "${nsOf(t.object)}"`));
    }
    const selected = list.filter((t) => matchLabelsOf(t.object) !== undefined);
    selected.forEach((t, i) => {
      const labels = matchLabelsOf(t.object) ?? {};
      for (const earlier of selected.slice(0, i)) {
        const el = matchLabelsOf(earlier.object) ?? {};
        const same = JSON.stringify(Object.entries(labels).sort()) === JSON.stringify(Object.entries(el).sort());
        const sharedPod = pods.find((p) => nsOf(p.object) === nsOf(t.object) && labelsMatch(labels, p.object.metadata.labels) && labelsMatch(el, p.object.metadata.labels));
        if (same || sharedPod) {
          const why = same ? 'the same selector' : `pod ${displayName(sharedPod?.object ?? t.object)}`;
          out.push(finding(t, 'error', 'spec.selector', `only one Telemetry with a selector may select a workload; ${where(earlier)} also selects ${why}`));
          break;
        }
      }
    });
  }
}

/** Rule 36: at one scope the oldest PeerAuthentication wins; the others are ignored. */
export function checkPeerAuthentication(objects: readonly LoadedObject[], out: Finding[], opts?: ValidateOptions): void {
  const root = rootNamespaceOf(opts);
  const pas = ofKind(objects, 'security.istio.io', 'PeerAuthentication').sort(byAge);
  const seen = new Map<string, LoadedObject>();
  for (const pa of pas) {
    const labels = matchLabelsOf(pa.object);
    const hasSelector = labels !== undefined && Object.keys(labels).length > 0;
    if (hasSelector && nsOf(pa.object) === root) continue; // ignored anyway (rule 34)
    const scope = hasSelector ? `workload:${nsOf(pa.object)}:${JSON.stringify(Object.entries(labels).sort())}` : nsOf(pa.object) === root ? 'mesh' : `namespace:${nsOf(pa.object)}`;
    const prev = seen.get(scope);
    if (prev) {
      const level = hasSelector ? 'workload (same selector)' : scope === 'mesh' ? 'mesh' : 'namespace';
      out.push(finding(pa, 'warning', 'spec', `several ${level}-level PeerAuthentications: only the oldest (${where(prev)}) takes effect; this one is ignored`));
    } else seen.set(scope, pa);
  }
}

interface DrInfo {
  lo: LoadedObject;
  host: string;
  subsets: Set<string>;
}

function drInfos(objects: readonly LoadedObject[]): DrInfo[] {
  return ofKind(objects, 'networking.istio.io', 'DestinationRule').flatMap((lo) => {
    const s = spec(lo.object);
    if (typeof s.host !== 'string') return [];
    const subsets = new Set<string>();
    for (const sub of Array.isArray(s.subsets) ? (s.subsets as unknown[]) : []) if (isRecord(sub) && typeof sub.name === 'string') subsets.add(sub.name);
    return [{ lo, host: resolveHost(s.host, nsOf(lo.object) || 'default'), subsets }];
  });
}

/** Rule 83: the first DR defining a subset name / a top-level trafficPolicy for a host wins. */
export function checkDestinationRules(objects: readonly LoadedObject[], out: Finding[]): void {
  const drs = drInfos(objects).sort((a, b) => byAge(a.lo, b.lo));
  for (const [i, dr] of drs.entries()) {
    for (const earlier of drs.slice(0, i)) {
      if (earlier.host !== dr.host || nsOf(earlier.lo.object) !== nsOf(dr.lo.object)) continue;
      for (const name of dr.subsets) {
        if (earlier.subsets.has(name)) out.push(finding(dr.lo, 'warning', 'spec.subsets', `subset "${name}" for host ${dr.host} is also defined by ${where(earlier.lo)}; the first definition wins`));
      }
      if (spec(dr.lo.object).trafficPolicy !== undefined && spec(earlier.lo.object).trafficPolicy !== undefined) {
        out.push(finding(dr.lo, 'warning', 'spec.trafficPolicy', `host ${dr.host} already has a top-level trafficPolicy in ${where(earlier.lo)}; the first one wins`));
      }
    }
  }
}

interface SubsetRef {
  host: string;
  subset: string;
  path: string;
}

function subsetRefs(vs: KubeObject): SubsetRef[] {
  const refs: SubsetRef[] = [];
  const ns = nsOf(vs) || 'default';
  const visit = (dest: unknown, path: string): void => {
    if (isRecord(dest) && typeof dest.host === 'string' && typeof dest.subset === 'string' && dest.subset !== '') {
      refs.push({ host: resolveHost(dest.host, ns), subset: dest.subset, path: `${path}.subset` });
    }
  };
  for (const section of ['http', 'tcp', 'tls']) {
    const routes = spec(vs)[section];
    if (!Array.isArray(routes)) continue;
    routes.forEach((r: unknown, i) => {
      if (!isRecord(r)) return;
      const base = `spec.${section}[${i}]`;
      if (Array.isArray(r.route)) r.route.forEach((d: unknown, j) => isRecord(d) && visit(d.destination, `${base}.route[${j}].destination`));
      visit(r.mirror, `${base}.mirror`);
      if (Array.isArray(r.mirrors)) r.mirrors.forEach((m: unknown, j) => isRecord(m) && visit(m.destination, `${base}.mirrors[${j}].destination`));
    });
  }
  return refs;
}

/** Rule 72: a route to a subset no DestinationRule defines fails with 503. */
export function checkSubsetReferences(objects: readonly LoadedObject[], out: Finding[]): void {
  const drs = drInfos(objects);
  for (const vs of ofKind(objects, 'networking.istio.io', 'VirtualService')) {
    for (const ref of subsetRefs(vs.object)) {
      const forHost = drs.filter((d) => hostSubsetOf(ref.host, d.host));
      if (forHost.some((d) => d.subsets.has(ref.subset))) continue;
      const msg = forHost.length === 0
        ? `subset "${ref.subset}" is referenced but no DestinationRule for host ${ref.host} is in the input; requests to it fail with 503`
        : `subset "${ref.subset}" is not defined by the DestinationRule(s) for host ${ref.host} (${forHost.map((d) => where(d.lo)).join(', ')}); requests to it fail with 503`;
      out.push(finding(vs, 'warning', ref.path, msg));
    }
  }
}

/** Rule 57: mesh VirtualServices are not merged; two for one host means one is ignored. */
export function checkMeshHostConflicts(objects: readonly LoadedObject[], out: Finding[]): void {
  const owner = new Map<string, LoadedObject>();
  for (const vs of ofKind(objects, 'networking.istio.io', 'VirtualService').sort(byAge)) {
    const s = spec(vs.object);
    const gateways = Array.isArray(s.gateways) ? (s.gateways as unknown[]) : [];
    if (gateways.length > 0 && !gateways.includes('mesh')) continue;
    const hosts = Array.isArray(s.hosts) ? (s.hosts as unknown[]) : [];
    hosts.forEach((h, i) => {
      if (typeof h !== 'string') return;
      const key = resolveHost(h, nsOf(vs.object) || 'default');
      const prev = owner.get(key);
      if (prev && prev !== vs) out.push(finding(vs, 'warning', `spec.hosts[${i}]`, `host ${key} is also routed by mesh VirtualService ${where(prev)}; mesh VirtualServices for one host are not merged`));
      else owner.set(key, vs);
    });
  }
}
