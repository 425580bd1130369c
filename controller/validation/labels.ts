// Label maps: keys are qualified names, values are label values (Kubernetes rules).
import type { Field, StringItem } from './field.js';
import { labelValue, qualifiedName } from './names.js';

/** Validates a `map[string]string` of labels; returns the well-typed entries. */
export function validateLabelMap(f: Field): [string, StringItem][] | undefined {
  const entries = f.stringMap();
  if (!entries) return undefined;
  for (const [k, item] of entries) {
    const keyErr = k === '' ? 'empty label key is not allowed' : qualifiedName(k);
    if (keyErr) item.field.error(`invalid label key: ${keyErr}`);
    const valErr = labelValue(item.value);
    if (valErr) item.field.error(`invalid label value: ${valErr}`);
  }
  return entries;
}

/** Plain label-selector semantics: every selector entry is present with the same value. */
export function labelsMatch(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) {
    if (labels?.[k] !== v) return false;
  }
  return true;
}
