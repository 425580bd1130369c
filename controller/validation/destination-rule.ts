// DestinationRule (networking.istio.io): semantics reference §5, rules 81-89
// (VAL ValidateDestinationRule).
import type { KubeObject } from '../config/resource.js';
import type { Field } from './field.js';
import { validateLabelMap } from './labels.js';
import { dns1123Label, wildcardDomain } from './names.js';
import { validateExportTo, validateWorkloadSelector } from './policy-scope.js';
import { validateTrafficPolicy } from './traffic-policy.js';

export function validateDestinationRule(obj: KubeObject, spec: Field): void {
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  spec.knownKeys(['host', 'trafficPolicy', 'subsets', 'exportTo', 'workloadSelector']);
  const host = spec.key('host').requiredString();
  if (host !== undefined) {
    const err = wildcardDomain(host);
    if (err) spec.key('host').error(err);
  }
  if (spec.key('trafficPolicy').present) validateTrafficPolicy(spec.key('trafficPolicy'));

  const names = new Map<string, number>();
  for (const [i, subset] of (spec.key('subsets').list() ?? []).entries()) {
    if (!subset.present) {
      subset.error('subset may not be null');
      continue;
    }
    if (!subset.record()) continue;
    subset.knownKeys(['name', 'labels', 'trafficPolicy']);
    const nf = subset.key('name');
    const name = nf.string();
    if (name === undefined || name === '') nf.error('subset name cannot be empty');
    else {
      const err = dns1123Label(name);
      if (err) nf.error(`subset name is invalid: ${err}`);
      const prev = names.get(name);
      if (prev !== undefined) nf.error(`duplicate subset names: ${name} (also at subsets[${prev}])`);
      else names.set(name, i);
    }
    validateLabelMap(subset.key('labels'));
    if (subset.key('trafficPolicy').present) validateTrafficPolicy(subset.key('trafficPolicy'));
  }
  const ws = spec.key('workloadSelector');
  validateWorkloadSelector(ws);
  validateExportTo(spec.key('exportTo'), obj.metadata.namespace ?? 'default', { drWithSelector: ws.present });
}
