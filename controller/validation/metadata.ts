// Checks on metadata shared by every kind: name format, namespace, labels, annotations,
// and the values of the Istio labels Ambit reads (reference DESIGN §7).
import type { KubeObject } from '../config/resource.js';
import { CLUSTER_SCOPED_KINDS, isRecord } from '../config/resource.js';
import { Field } from './field.js';
import type { FindingCollector } from './finding.js';
import { validateLabelMap } from './labels.js';
import { dns1035Label, dns1123Label, dns1123Subdomain, qualifiedName } from './names.js';

export type NameRule = 'subdomain' | 'dns1123-label' | 'dns1035-label';

const ENUM_LABELS: Record<string, readonly string[]> = {
  'istio.io/dataplane-mode': ['ambient', 'none'],
  'istio.io/waypoint-for': ['service', 'workload', 'all', 'none'],
};

export function validateMetadata(obj: KubeObject, out: FindingCollector, nameRule: NameRule): void {
  const meta = new Field(obj.metadata, 'metadata', out);
  if (!isRecord(obj.metadata)) {
    meta.error('required mapping');
    return;
  }
  const name = meta.key('name').requiredString();
  if (name !== undefined) {
    const err = nameRule === 'subdomain' ? dns1123Subdomain(name) : nameRule === 'dns1123-label' ? dns1123Label(name) : dns1035Label(name);
    if (err) meta.key('name').error(`invalid name: ${err}`);
  }
  const nsField = meta.key('namespace');
  const ns = nsField.string();
  if (ns !== undefined) {
    if (CLUSTER_SCOPED_KINDS.has(obj.kind)) {
      nsField.warn(`${obj.kind} is cluster-scoped; metadata.namespace is ignored`);
    } else {
      const err = ns === '' ? 'must not be empty' : dns1123Label(ns);
      if (err) nsField.error(`invalid namespace: ${err}`);
    }
  }
  const labels = validateLabelMap(meta.key('labels'));
  for (const [k, item] of labels ?? []) {
    const allowed = ENUM_LABELS[k];
    if (allowed && !allowed.includes(item.value)) {
      item.field.warn(`label ${k} should be one of ${allowed.join(', ')}, got "${item.value}"; other values are ignored`);
    }
  }
  for (const [k, item] of meta.key('annotations').stringMap() ?? []) {
    const err = k === '' ? 'empty annotation key is not allowed' : qualifiedName(k);
    if (err) item.field.error(`invalid annotation key: ${err}`);
  }
}
