// AuthorizationPolicy (security.istio.io): semantics reference §1, validation rule 12 and
// the field rules 6-8, 11, 13-17, 19-24, 26-29.
import type { KubeObject } from '../config/resource.js';
import { conditionKeyInfo, forbiddenForCustom, L4_CONDITION_KEYS } from './authz-condition.js';
import type { ListFieldSpec } from './authz-fields.js';
import { OPERATION_FIELDS, SOURCE_FIELDS } from './authz-fields.js';
import type { Field } from './field.js';
import type { FindingCollector } from './finding.js';
import type { ValidateOptions } from './options.js';
import { rootNamespaceOf } from './options.js';
import { GATEWAY_CLASS_TARGET, GATEWAY_TARGET, SERVICE_ENTRY_TARGET, SERVICE_TARGET, validatePolicyScope } from './policy-scope.js';

const ACTIONS = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const;
type Action = (typeof ACTIONS)[number];

/** What one from/to clause contains: used for the TCP/L4 warnings (rules 26-28). */
interface ClauseShape {
  any: boolean;
  l4: boolean;
  http: string[];
}

function validateClause(f: Field, fields: Map<string, ListFieldSpec>, action: Action | undefined, what: string): ClauseShape {
  const shape: ClauseShape = { any: false, l4: false, http: [] };
  if (!f.present) return shape;
  if (!f.record()) return shape;
  f.knownKeys([...fields.keys()]);
  for (const [name, spec] of fields) {
    const lf = f.key(name);
    const items = lf.strings({ nonEmpty: true });
    if (!items || lf.size === 0) continue;
    shape.any = true;
    if (spec.httpOnly) shape.http.push(name);
    else shape.l4 = true;
    if (action === 'CUSTOM' && spec.identity) lf.error(`${name} is not supported with CUSTOM action`);
    for (const item of items) spec.check?.(item, name);
  }
  if (!shape.any) f.error(`\`${what}\` must not be empty`);
  return shape;
}

export function validateAuthorizationPolicy(obj: KubeObject, spec: Field, opts?: ValidateOptions): void {
  const specRec = spec.present ? spec.record() : {};
  if (!specRec) return;
  spec.knownKeys(['selector', 'targetRef', 'targetRefs', 'rules', 'action', 'provider']);
  const namespace = obj.metadata.namespace ?? '';
  const actionField = spec.key('action');
  const action: Action | undefined = actionField.present ? actionField.oneOf(ACTIONS) : 'ALLOW';

  const scope = validatePolicyScope(spec, [SERVICE_TARGET, SERVICE_ENTRY_TARGET, GATEWAY_TARGET, GATEWAY_CLASS_TARGET]);
  if (scope.targets.some((t) => t.kind === 'GatewayClass') && namespace !== rootNamespaceOf(opts)) {
    spec.key('targetRefs').warn(`a GatewayClass target applies only from the root namespace (${rootNamespaceOf(opts)})`);
  }

  const provider = spec.key('provider');
  if (provider.present && action !== 'CUSTOM') provider.error(`\`provider\` must not be set with non CUSTOM action, found ${action ?? 'an invalid action'}`);
  if (provider.present) {
    provider.record();
    provider.knownKeys(['name']);
  }

  const rules = spec.key('rules');
  // `rules: []` unmarshals to the same empty list as no `rules` at all.
  if (rules.emptyList && (action === 'DENY' || action === 'CUSTOM')) {
    spec.error(`${action} action without \`rules\` is meaningless as it will never be triggered; add an empty rule \`{}\` if you want it triggered for every request`);
  }
  if (action === 'CUSTOM' && rules.present) {
    const name = provider.key('name').string();
    if (name === undefined || name === '') provider.key('name').error('`provider.name` must not be empty');
  }
  if ((action === 'CUSTOM' || action === 'AUDIT') && !scope.hasTargetRefs) {
    actionField.warn(`the node proxy (ztunnel) does not support the ${action} action; attach the policy to a waypoint with targetRefs`);
  }

  validateDryRun(obj, action, spec.out);

  for (const [i, rule] of (rules.list() ?? []).entries()) {
    if (!rule.present) {
      rule.error(`\`rule\` must not be null, found at rule ${i}`);
      continue;
    }
    if (!rule.record()) continue;
    rule.knownKeys(['from', 'to', 'when']);
    const from = validateClauses(rule.key('from'), 'source', SOURCE_FIELDS, action);
    const to = validateClauses(rule.key('to'), 'operation', OPERATION_FIELDS, action);
    const when = validateConditions(rule.key('when'), action);
    if (rule.key('from').present && rule.key('from').size === 0 && Array.isArray(rule.key('from').value)) rule.key('from').error('`from` must not be empty; omit it to match any source');
    if (rule.key('to').present && rule.key('to').size === 0 && Array.isArray(rule.key('to').value)) rule.key('to').error('`to` must not be empty; omit it to match any operation');

    const httpFields = [...from.http, ...to.http, ...when.http];
    if (action === 'DENY' && httpFields.length > 0 && denyOnlyHttp(from, to, when)) {
      rule.warn(`configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes (${httpFields.join(', ')}) in a DENY rule; it is recommended to explicitly specify the port`);
    }
    if (action === 'ALLOW' && !scope.hasTargetRefs && httpFields.length > 0) {
      rule.warn(`rule uses HTTP-only attributes (${httpFields.join(', ')}); the node proxy enforces selector/namespace policies at L4 and drops such rules, so traffic only this rule allows is denied; attach the policy to a waypoint with targetRefs for HTTP matching`);
    }
  }
}

interface ClausesShape {
  present: boolean;
  l4: boolean;
  http: string[];
}

function validateClauses(f: Field, inner: 'source' | 'operation', fields: Map<string, ListFieldSpec>, action: Action | undefined): ClausesShape {
  const out: ClausesShape = { present: false, l4: false, http: [] };
  const items = f.list();
  if (!items) return out;
  for (const item of items) {
    if (!item.present) {
      item.error(`\`${f.path.split('.').pop() ?? ''}\` entry must not be null`);
      continue;
    }
    if (!item.record()) continue;
    item.knownKeys([inner]);
    const innerField = item.key(inner);
    if (!innerField.present) {
      innerField.error(`\`${inner}\` is required`);
      continue;
    }
    out.present = true;
    const shape = validateClause(innerField, fields, action, inner);
    if (shape.l4) out.l4 = true;
    for (const h of shape.http) if (!out.http.includes(h)) out.http.push(h);
    if (inner === 'source') {
      const hasSa = innerField.key('serviceAccounts').size > 0 || innerField.key('notServiceAccounts').size > 0;
      const hasOther = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].some((k) => innerField.key(k).size > 0);
      if (hasSa && hasOther) {
        innerField.key(innerField.key('serviceAccounts').size > 0 ? 'serviceAccounts' : 'notServiceAccounts').error('serviceAccounts cannot be set together with principals or namespaces');
      }
    }
  }
  return out;
}

interface ConditionsShape {
  present: boolean;
  l4: boolean;
  http: string[];
}

function validateConditions(f: Field, action: Action | undefined): ConditionsShape {
  const out: ConditionsShape = { present: false, l4: false, http: [] };
  for (const cond of f.list() ?? []) {
    if (!cond.present) {
      cond.error('`when` condition must not be null');
      continue;
    }
    if (!cond.record()) continue;
    cond.knownKeys(['key', 'values', 'notValues']);
    const keyField = cond.key('key');
    const key = keyField.string();
    if (key === undefined || key === '') {
      keyField.error('`key` must not be empty');
      continue;
    }
    const values = cond.key('values').strings({ nonEmpty: true }) ?? [];
    const notValues = cond.key('notValues').strings({ nonEmpty: true }) ?? [];
    if (cond.key('values').size === 0 && cond.key('notValues').size === 0) {
      cond.error(`at least one of \`values\` or \`notValues\` must be set for key ${key}`);
    }
    const info = conditionKeyInfo(key);
    if (info.error) {
      keyField.error(info.error);
      continue;
    }
    if (action === 'CUSTOM' && forbiddenForCustom(key)) keyField.error(`${key} is not supported with CUSTOM action`);
    if (/\[["']/.test(key)) keyField.warn(`do not quote names in "${key}"; quotes become part of the name`);
    for (const item of [...values, ...notValues]) {
      const err = info.check?.(item.value);
      if (err) item.field.error(err);
    }
    out.present = true;
    if (L4_CONDITION_KEYS.has(key)) out.l4 = true;
    else if (info.httpOnly && !out.http.includes(key)) out.http.push(key);
  }
  return out;
}

/**
 * A DENY rule whose remaining TCP part is empty (VAL: from without L4 fields and no `to`,
 * or `to` without ports; extended: a rule made only of HTTP `when` keys).
 */
function denyOnlyHttp(from: ClausesShape, to: ClausesShape, when: ConditionsShape): boolean {
  if (to.present && !to.l4) return true;
  if (from.present && !to.present && !from.l4) return true;
  if (!from.present && !to.present && when.present && !when.l4 && when.http.length > 0) return true;
  return false;
}

function validateDryRun(obj: KubeObject, action: Action | undefined, out: FindingCollector): void {
  const value: unknown = obj.metadata.annotations?.['istio.io/dry-run'];
  if (value === undefined) return;
  const path = 'metadata.annotations[istio.io/dry-run]';
  if (action !== 'ALLOW' && action !== 'DENY') {
    out.error(path, `the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found ${action ?? 'an invalid action'}`);
    return;
  }
  if (typeof value !== 'string' || !GO_BOOLS.includes(value)) {
    out.error(path, `annotation istio.io/dry-run has an invalid value (${JSON.stringify(value)}); use "true" or "false"`);
  }
}

/** Values Go's strconv.ParseBool accepts. */
const GO_BOOLS = ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'];
