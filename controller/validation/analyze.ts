// `analyze`: validates a whole input (files or loaded objects) the way the controller
// would take it in, plus cross-resource checks, naming the file of every finding.
import type { LoadedObject } from '../config/load-yaml.js';
import { loadConfigPaths } from '../config/load-yaml.js';
import { displayName, groupKind } from '../config/resource.js';
import { checkDestinationRules, checkDuplicates, checkMeshHostConflicts, checkPeerAuthentication, checkSubsetReferences, checkTelemetry } from './cross-checks.js';
import type { Finding } from './finding.js';
import type { ValidateOptions } from './options.js';
import { isKnownKind, validateResource } from './validate.js';
import { checkWaypointUse } from './waypoint-use.js';

export function analyzeObjects(objects: readonly LoadedObject[], opts?: ValidateOptions): Finding[] {
  const out: Finding[] = [];
  const unknown = new Map<string, { first: LoadedObject; count: number }>();
  const known: LoadedObject[] = [];
  for (const lo of objects) {
    if (!isKnownKind(lo.object)) {
      const key = groupKind(lo.object);
      const entry = unknown.get(key);
      if (entry) entry.count++;
      else unknown.set(key, { first: lo, count: 1 });
      continue;
    }
    known.push(lo);
    for (const f of validateResource(lo.object, opts)) out.push({ ...f, file: lo.file });
  }
  for (const { first, count } of unknown.values()) {
    out.push({
      severity: 'warning',
      kind: first.object.kind,
      name: displayName(first.object),
      path: 'kind',
      message: `unknown kind ${first.object.kind} (${first.object.apiVersion}) is ignored${count > 1 ? ` (${count} resources)` : ''}`,
      file: first.file,
    });
  }
  const unique = checkDuplicates(known, out);
  checkTelemetry(unique, out);
  checkPeerAuthentication(unique, out, opts);
  checkDestinationRules(unique, out);
  checkSubsetReferences(unique, out);
  checkMeshHostConflicts(unique, out);
  // GRPCRoute is not validated yet (an unknown kind above), but the controller routes by it.
  checkWaypointUse([...unique, ...objects.filter((lo) => groupKind(lo.object) === 'gateway.networking.k8s.io/GRPCRoute')], out);
  return out;
}

/** Loads files/directories (YAML/JSON) and analyzes them; YAML problems are findings too. */
export async function analyzePaths(paths: readonly string[], opts?: ValidateOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const objects: LoadedObject[] = [];
  for (const p of paths) {
    try {
      const loaded = await loadConfigPaths([p]);
      findings.push(...loaded.findings);
      objects.push(...loaded.objects);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      findings.push({ severity: 'error', kind: 'File', name: p, path: '', message: `cannot read: ${reason}`, file: p });
    }
  }
  findings.push(...analyzeObjects(objects, opts));
  return findings;
}
