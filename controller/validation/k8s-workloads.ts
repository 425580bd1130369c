// Kubernetes Pod (v1) and Deployment (apps/v1).
import type { KubeObject } from '../config/resource.js';
import { Field } from './field.js';
import type { StringItem } from './field.js';
import { validateLabelMap } from './labels.js';
import { ipAddress } from './network.js';
import { validatePodSpec } from './pod-spec.js';

export function validatePod(obj: KubeObject, spec: Field): void {
  validatePodSpec(spec);
  const status = new Field(obj.status, 'status', spec.out);
  if (!status.record()) return;
  const podIP = status.key('podIP').string();
  if (podIP !== undefined && podIP !== '' && ipAddress(podIP)) status.key('podIP').error(ipAddress(podIP) ?? '');
  for (const ip of status.key('podIPs').list() ?? []) {
    const v = ip.key('ip').string();
    if (v !== undefined && ipAddress(v)) ip.key('ip').error(ipAddress(v) ?? '');
  }
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export function validateDeployment(_obj: KubeObject, spec: Field): void {
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  spec.key('replicas').intInRange(0);
  const selector = spec.key('selector');
  if (!selector.present) selector.error('selector is required (apps/v1)');
  const matchLabels: [string, StringItem][] = [];
  const expressions: { key: string; op: string; values: string[] }[] = [];
  if (selector.record()) {
    matchLabels.push(...(validateLabelMap(selector.key('matchLabels')) ?? []));
    for (const e of selector.key('matchExpressions').list() ?? []) {
      if (!e.record()) continue;
      const key = e.key('key').requiredString();
      const op = e.key('operator').present ? e.key('operator').oneOf(OPERATORS) : undefined;
      if (!e.key('operator').present) e.key('operator').error('is required');
      const values = (e.key('values').strings() ?? []).map((v) => v.value);
      if ((op === 'In' || op === 'NotIn') && values.length === 0) e.key('values').error(`values must be non-empty for operator ${op}`);
      if ((op === 'Exists' || op === 'DoesNotExist') && e.key('values').size > 0) e.key('values').error(`values must be empty for operator ${op}`);
      if (key !== undefined && op !== undefined) expressions.push({ key, op, values });
    }
    if (matchLabels.length === 0 && expressions.length === 0) selector.error('empty selector is invalid for deployment');
  }
  const template = spec.key('template');
  if (!template.present) {
    template.error('template is required');
    return;
  }
  if (!template.record()) return;
  const labelsField = template.key('metadata').key('labels');
  const labels = Object.fromEntries((validateLabelMap(labelsField) ?? []).map(([k, v]) => [k, v.value]));
  const matches = matchLabels.every(([k, v]) => labels[k] === v.value) && expressions.every((e) => expressionMatches(e, labels));
  if ((matchLabels.length > 0 || expressions.length > 0) && !matches) {
    labelsField.error('selector does not match template labels');
  }
  validatePodSpec(template.key('spec'));
}

function expressionMatches(e: { key: string; op: string; values: string[] }, labels: Record<string, string>): boolean {
  const v = labels[e.key];
  switch (e.op) {
    case 'In':
      return v !== undefined && e.values.includes(v);
    case 'NotIn':
      return v === undefined || !e.values.includes(v);
    case 'Exists':
      return v !== undefined;
    default:
      return v === undefined;
  }
}
