// Scope fields shared by AuthorizationPolicy, RequestAuthentication, PeerAuthentication and
// Telemetry: the workload `selector` (matchLabels), `targetRef`/`targetRefs`, and their
// mutual exclusion (reference rule 6; VAL validateOneOfSelectorType, validateWorkloadSelector).
import type { Field } from './field.js';
import { labelValue, qualifiedName } from './names.js';

/** Validates `selector: {matchLabels}`; returns the labels (possibly empty) when present. */
export function validateWorkloadSelector(f: Field): Record<string, string> | undefined {
  const rec = f.record();
  if (!rec) return undefined;
  f.knownKeys(['matchLabels']);
  const ml = f.key('matchLabels');
  const labels: Record<string, string> = {};
  for (const [k, item] of ml.stringMap() ?? []) {
    if (k === '') item.field.error('empty key is not supported in selector');
    else if (k.includes('*') || item.value.includes('*')) item.field.error(`wildcard is not supported in selector: "${k}=${item.value}"`);
    else {
      const ke = qualifiedName(k);
      if (ke) item.field.error(`invalid label key: ${ke}`);
      const ve = labelValue(item.value);
      if (ve) item.field.error(`invalid label value: ${ve}`);
    }
    labels[k] = item.value;
  }
  if (ml.size === 0) f.warn('workload selector specified without labels; it selects every workload in the namespace');
  return labels;
}

export interface TargetKind {
  group: string; // "" = core
  kind: string;
}

export const SERVICE_TARGET: TargetKind = { group: '', kind: 'Service' };
export const SERVICE_ENTRY_TARGET: TargetKind = { group: 'networking.istio.io', kind: 'ServiceEntry' };
export const GATEWAY_TARGET: TargetKind = { group: 'gateway.networking.k8s.io', kind: 'Gateway' };
export const GATEWAY_CLASS_TARGET: TargetKind = { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' };

/** Validates one PolicyTargetReference; returns its kind when allowed. */
export function validateTargetRef(f: Field, allowed: readonly TargetKind[]): TargetKind | undefined {
  if (!f.record()) return undefined;
  f.knownKeys(['group', 'kind', 'name', 'namespace']);
  f.key('name').requiredString();
  const ns = f.key('namespace').string();
  if (ns !== undefined && ns !== '') f.key('namespace').error('targetRef namespace must not be set; cross namespace referencing is not supported');
  const group = f.key('group').string() ?? '';
  const kind = f.key('kind').requiredString();
  if (kind === undefined) return undefined;
  const canonical = group === 'core' ? '' : group;
  const match = allowed.find((a) => a.kind === kind && a.group === canonical);
  if (!match) {
    const list = allowed.map((a) => `${a.group === '' ? 'core' : a.group}/${a.kind}`).join(', ');
    f.error(`targetRef must be one of ${list}, got ${group === '' ? 'core' : group}/${kind}`);
  }
  return match;
}

export interface ScopeResult {
  selector?: Record<string, string>;
  targets: TargetKind[];
  hasTargetRefs: boolean;
}

/** Validates selector / targetRef / targetRefs on `spec`. */
export function validatePolicyScope(spec: Field, allowed: readonly TargetKind[]): ScopeResult {
  const selField = spec.key('selector');
  const selector = validateWorkloadSelector(selField);
  const targets: TargetKind[] = [];
  const single = spec.key('targetRef');
  if (single.present) {
    const t = validateTargetRef(single, allowed);
    if (t) targets.push(t);
  }
  const many = spec.key('targetRefs');
  for (const item of many.list() ?? []) {
    const t = validateTargetRef(item, allowed);
    if (t) targets.push(t);
  }
  const hasTargetRefs = single.present || many.size > 0;
  const set = [selField.present, single.present, many.size > 0].filter(Boolean).length;
  if (set > 1) (many.size > 0 ? many : single).error('only one of selector, targetRef or targetRefs can be set');
  return { selector, targets, hasTargetRefs };
}

/** `exportTo` entries: ".", "*", "~" (ServiceEntry only) or a namespace name (VAL validateExportTo). */
export function validateExportTo(f: Field, namespace: string, opts: { serviceEntry?: boolean; drWithSelector?: boolean } = {}): void {
  const items = f.strings();
  if (!items || items.length === 0) return;
  const seen = new Set<string>();
  for (const { field, value } of items) {
    const key = value === '.' ? namespace : value;
    if (seen.has(key)) {
      field.error(value === '.' || key === namespace ? `duplicate entries in exportTo: . and current namespace ${namespace}` : `duplicate entries in exportTo for entry ${value}`);
      continue;
    }
    seen.add(key);
    if (value === '~' && !opts.serviceEntry) field.error('exportTo "~" is only allowed for ServiceEntry');
    else if (value !== '*' && value !== '.' && value !== '~' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
      field.error(`exportTo "${value}" must be ".", "*" or a namespace name`);
    }
  }
  if (seen.has('*') && items.length > 1) f.error('cannot have both public (*) and non-public exportTo values for a resource');
  if (seen.has('~') && items.length > 1) f.error('cannot export service entry to no one (~) and someone');
  if (opts.drWithSelector) {
    if (!seen.has(namespace)) f.error('destination rule with workload selector cannot have exportTo beyond current namespace');
    else if (seen.size > 1) f.error('destination rule with workload selector cannot have multiple entries in exportTo');
  }
}
