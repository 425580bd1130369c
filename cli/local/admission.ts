// What `ambit local apply` lets in: every incoming object is defaulted (namespace), then
// validated the way the controller would take it (analyzeObjects over the cluster's
// objects with the incoming ones in place of the versions they replace), plus the local
// runtime's own rules: the namespace must exist (or come in the same batch), the reserved
// namespace `ambit-system` is off limits, a Pod's nodeName must be a node of the cluster,
// and every container must map to a host program that is installed. Objects with an error
// are rejected with a finding naming resource, field and reason; the others are accepted.
// Pure apart from `programExists` (injected).
import { isAmbitError } from '../../api/errors.js';
import type { LoadedObject } from '../../controller/config/load-yaml.js';
import type { KubeObject } from '../../controller/config/resource.js';
import { CLUSTER_SCOPED_KINDS, displayName, groupKind, objectKey } from '../../controller/config/resource.js';
import { analyzeObjects } from '../../controller/validation/analyze.js';
import type { Finding } from '../../controller/validation/finding.js';
import { podLaunch } from './launch.js';
import { materialize } from './materialize.js';
import { SYSTEM_NAMESPACE } from './state.js';

/** The `file` of findings about objects already in the cluster (those findings are dropped). */
const IN_CLUSTER = '<cluster>';

export interface AdmissionInput {
  incoming: readonly LoadedObject[];
  /** The cluster's current objects (namespaces defaulted). */
  existing: readonly KubeObject[];
  nodes: readonly string[];
  /** Whether argv[0] names an installed program under PATH (supervisor.ts findProgram). */
  programExists: (program: string, pathVar: string) => boolean;
}

export interface AdmissionResult {
  accepted: LoadedObject[];
  /** Errors (of rejected objects) and warnings (of accepted ones), in input order. */
  findings: Finding[];
}

/** Sets metadata.namespace to `default` on namespaced objects without one. */
export function withDefaultNamespace(o: KubeObject, namespace = 'default'): KubeObject {
  if (CLUSTER_SCOPED_KINDS.has(o.kind) || o.metadata.namespace) return o;
  return { ...o, metadata: { ...o.metadata, namespace } };
}

function isNamespace(o: KubeObject): boolean {
  return groupKind(o) === 'Namespace';
}

function about(lo: LoadedObject, f: Finding): boolean {
  return f.kind === lo.object.kind && f.name === displayName(lo.object) && (f.file === undefined || f.file === lo.file);
}

function error(lo: LoadedObject, path: string, message: string): Finding {
  return { severity: 'error', kind: lo.object.kind, name: displayName(lo.object), path, message, file: lo.file };
}

function containersOf(o: KubeObject): { prefix: string; containers: unknown[] } | undefined {
  const gk = groupKind(o);
  if (gk === 'Pod') return { prefix: 'spec.containers', containers: ((o.spec as { containers?: unknown[] } | undefined)?.containers ?? []) };
  if (gk === 'apps/Deployment') {
    const template = (o.spec as { template?: { spec?: { containers?: unknown[] } } } | undefined)?.template;
    return { prefix: 'spec.template.spec.containers', containers: template?.spec?.containers ?? [] };
  }
  return undefined;
}

/** Can each container of a Pod or Deployment run here? Errors and warnings, with field paths. */
function launchFindings(lo: LoadedObject, input: AdmissionInput): Finding[] {
  const shape = containersOf(lo.object);
  if (!shape) return [];
  const out: Finding[] = [];
  const node = (lo.object.spec as { nodeName?: unknown } | undefined)?.nodeName;
  if (groupKind(lo.object) === 'Pod' && node !== undefined && (typeof node !== 'string' || !input.nodes.includes(node))) {
    out.push(error(lo, 'spec.nodeName', `node ${JSON.stringify(node)} is not a node of this cluster (${input.nodes.join(', ')})`));
  }
  // One replica tells for all: materialize the object alone, with one replica.
  const single: KubeObject = groupKind(lo.object) === 'apps/Deployment' ? { ...lo.object, spec: { ...lo.object.spec, replicas: 1 } } : lo.object;
  const pod = materialize([single], { nodes: input.nodes }).find((o) => groupKind(o) === 'Pod');
  if (!pod) return out;
  shape.containers.forEach((container, i) => {
    const path = `${shape.prefix}[${i}]`;
    const alone: KubeObject = { ...pod, spec: { ...pod.spec, containers: [container], initContainers: undefined } };
    try {
      const launch = podLaunch(alone, { netns: 'admission' });
      for (const spec of launch.specs) {
        const program = spec.argv[0] ?? '';
        if (!input.programExists(program, spec.env.PATH ?? '')) {
          out.push(error(lo, `${path}.command`, `program "${program}" is not installed on this host (ambit local runs containers as host programs)`));
        }
      }
      for (const w of launch.warnings) out.push({ ...error(lo, path, w), severity: 'warning' });
    } catch (err) {
      if (!isAmbitError(err)) throw err;
      out.push(error(lo, `${path}.image`, err.message));
    }
  });
  return out;
}

export function admit(input: AdmissionInput): AdmissionResult {
  const incoming = input.incoming.map((lo) => ({ ...lo, object: withDefaultNamespace(lo.object) }));
  const replaced = new Set(incoming.map((lo) => objectKey(lo.object)));
  const others: LoadedObject[] = input.existing.filter((o) => !replaced.has(objectKey(o))).map((object) => ({ object, file: IN_CLUSTER }));
  const analyzed = analyzeObjects([...others, ...incoming]).filter((f) => f.file !== IN_CLUSTER);

  const findings = new Map<LoadedObject, Finding[]>(incoming.map((lo) => [lo, []]));
  const unattributed: Finding[] = [];
  for (const f of analyzed) {
    const owners = incoming.filter((lo) => about(lo, f));
    if (owners.length === 0) unattributed.push(f);
    for (const lo of owners) findings.get(lo)!.push(f);
  }
  const hasError = (lo: LoadedObject): boolean => findings.get(lo)!.some((f) => f.severity === 'error');

  for (const lo of incoming) {
    const ns = isNamespace(lo.object) ? lo.object.metadata.name : lo.object.metadata.namespace;
    if (ns === SYSTEM_NAMESPACE) findings.get(lo)!.push(error(lo, isNamespace(lo.object) ? 'metadata.name' : 'metadata.namespace', `namespace "${SYSTEM_NAMESPACE}" is reserved for the local runtime`));
  }
  // Namespaces that exist once this batch is in (accepted Namespace objects only).
  const namespaces = new Set(input.existing.filter(isNamespace).map((o) => o.metadata.name));
  for (const lo of incoming) if (isNamespace(lo.object) && !hasError(lo)) namespaces.add(lo.object.metadata.name);
  for (const lo of incoming) {
    const ns = lo.object.metadata.namespace;
    if (!isNamespace(lo.object) && ns !== undefined && ns !== SYSTEM_NAMESPACE && !namespaces.has(ns)) {
      findings.get(lo)!.push(error(lo, 'metadata.namespace', `namespace "${ns}" does not exist (apply a Namespace ${ns} first, or in the same batch)`));
    }
    if (!hasError(lo)) findings.get(lo)!.push(...launchFindings(lo, input));
  }
  return {
    accepted: incoming.filter((lo) => !hasError(lo)),
    findings: [...incoming.flatMap((lo) => findings.get(lo)!), ...unattributed],
  };
}
