// Gateway API HTTPRoute (gateway.networking.k8s.io): semantics reference rules 97-99 and
// the CRD validations of GWAPI httproute_types.go (ReplacePrefixMatch needs one PathPrefix
// match, Service backendRefs need a port, path value rules, timeouts, retry...).
import type { KubeObject } from '../config/resource.js';
import { parseGatewayApiDuration } from './duration.js';
import type { Field } from './field.js';
import type { ParentRefKey } from './gateway-api-common.js';
import { sectionNameProblem, validateParentRef } from './gateway-api-common.js';
import { validateBackendObjectRef, validateFilters } from './http-route-filters.js';
import { gatewayApiHostname, httpHeaderToken } from './names.js';
import { re2Problem } from './re2.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;

export function validateHttpRoute(obj: KubeObject, spec: Field): void {
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  spec.knownKeys(['parentRefs', 'hostnames', 'rules']);
  const ns = obj.metadata.namespace ?? 'default';

  const parents = spec.key('parentRefs');
  const parentItems = parents.list() ?? [];
  if (parentItems.length === 0) parents.warn('no parentRefs: the route is not attached to any Gateway or Service and has no effect');
  if (parentItems.length > 32) parents.error('at most 32 parentRefs are allowed');
  const seen: ParentRefKey[] = [];
  for (const p of parentItems) {
    const key = validateParentRef(p, ns);
    if (!key) continue;
    const same = seen.filter((s) => s.group === key.group && s.kind === key.kind && s.namespace === key.namespace && s.name === key.name);
    if (same.some((s) => s.sectionName === key.sectionName && s.port === key.port)) {
      p.error('sectionName or port must be unique when parentRefs includes 2 or more references to the same parent');
    } else if (same.length > 0 && (key.sectionName === '' && key.port === undefined || same.some((s) => s.sectionName === '' && s.port === undefined))) {
      p.error('sectionName or port must be specified when parentRefs includes 2 or more references to the same parent');
    }
    seen.push(key);
  }

  const hostnames = spec.key('hostnames').strings() ?? [];
  if (hostnames.length > 16) spec.key('hostnames').error('at most 16 hostnames are allowed');
  for (const h of hostnames) {
    const err = gatewayApiHostname(h.value);
    if (err) h.field.error(err);
  }

  const rules = spec.key('rules').list() ?? [];
  if (rules.length > 16) spec.key('rules').error('at most 16 rules are allowed');
  const ruleNames = new Set<string>();
  for (const rule of rules) {
    if (!rule.record()) {
      if (!rule.present) rule.error('rule must not be null');
      continue;
    }
    rule.knownKeys(['name', 'matches', 'filters', 'backendRefs', 'timeouts', 'retry', 'sessionPersistence']);
    const name = rule.key('name').string();
    if (name !== undefined) {
      const err = sectionNameProblem(name);
      if (err) rule.key('name').error(err);
      if (ruleNames.has(name)) rule.key('name').error(`rule name "${name}" must be unique within the route`);
      ruleNames.add(name);
    }
    const matches = rule.key('matches').list() ?? [];
    if (matches.length > 64) rule.key('matches').error('at most 64 matches are allowed');
    for (const m of matches) validateMatch(m);

    const filters = validateFilters(rule.key('filters'), { backendLevel: false });
    if (filters.replacePrefixMatch.length > 0) {
      const pathType = (m: Field): unknown => (m.key('path').present ? (m.key('path').key('type').value ?? 'PathPrefix') : 'PathPrefix');
      const ok = rule.key('matches').present ? matches.length === 1 && matches[0] !== undefined && pathType(matches[0]) === 'PathPrefix' : true;
      if (!ok) {
        for (const f of filters.replacePrefixMatch) {
          f.key('replacePrefixMatch').error('ReplacePrefixMatch requires exactly one match with a PathPrefix path in the rule');
        }
      }
    }
    const backends = rule.key('backendRefs').list() ?? [];
    if (filters.types.includes('RequestRedirect') && backends.length > 0) {
      rule.key('backendRefs').error('RequestRedirect filter must not be used together with backendRefs');
    }
    if (backends.length > 16) rule.key('backendRefs').error('at most 16 backendRefs are allowed');
    for (const b of backends) {
      if (!b.record()) {
        if (!b.present) b.error('backendRef must not be null');
        continue;
      }
      b.knownKeys(['group', 'kind', 'name', 'namespace', 'port', 'weight', 'filters']);
      validateBackendObjectRef(b, true);
      b.key('weight').intInRange(0, 1000000);
      validateFilters(b.key('filters'), { backendLevel: true });
    }
    validateTimeouts(rule.key('timeouts'));
    validateRetry(rule.key('retry'));
  }
}

function validateMatch(f: Field): void {
  if (!f.record()) {
    if (!f.present) f.error('match must not be null');
    return;
  }
  f.knownKeys(['path', 'headers', 'queryParams', 'method']);
  const path = f.key('path');
  if (path.record()) {
    path.knownKeys(['type', 'value']);
    const type = path.key('type').present ? path.key('type').oneOf(['Exact', 'PathPrefix', 'RegularExpression']) : 'PathPrefix';
    const value = path.key('value').string() ?? '/';
    if (value.length > 1024) path.key('value').error('path value must be at most 1024 characters');
    if (type === 'Exact' || type === 'PathPrefix') {
      const err = pathValueProblem(value);
      if (err) path.key('value').error(err);
    } else if (type === 'RegularExpression') {
      const err = re2Problem(value);
      if (err) path.key('value').error(err);
    }
  }
  for (const [k, label] of [['headers', 'header'], ['queryParams', 'query param']] as const) {
    const items = f.key(k).list() ?? [];
    if (items.length > 16) f.key(k).error(`at most 16 ${k} matches are allowed`);
    const names = new Set<string>();
    for (const h of items) {
      if (!h.record()) continue;
      h.knownKeys(['type', 'name', 'value']);
      const type = h.key('type').present ? h.key('type').oneOf(['Exact', 'RegularExpression']) : 'Exact';
      const name = h.key('name').requiredString();
      const value = h.key('value').string();
      if (!h.key('value').present) h.key('value').error('is required');
      if (name !== undefined) {
        const err = httpHeaderToken(name);
        if (err) h.key('name').error(err);
        const norm = k === 'headers' ? name.toLowerCase() : name;
        if (names.has(norm)) h.key('name').error(`${label} name "${name}" must be unique within a match`);
        names.add(norm);
      }
      if (type === 'RegularExpression' && value !== undefined) {
        const err = re2Problem(value);
        if (err) h.key('value').error(err);
      }
    }
  }
  if (f.key('method').present) f.key('method').oneOf(METHODS);
}

/** Exact/PathPrefix values (GWAPI CEL): start with "/", no "//", "/./", "/../", "%2f", "#", not ending "/.." or "/.". */
export function pathValueProblem(v: string): string | undefined {
  if (!v.startsWith('/')) return 'value must be an absolute path and start with \'/\' when type one of [\'Exact\', \'PathPrefix\']';
  if (v.includes('//')) return "must not contain '//' when type one of ['Exact', 'PathPrefix']";
  if (v.includes('/./')) return "must not contain '/./' when type one of ['Exact', 'PathPrefix']";
  if (v.includes('/../')) return "must not contain '/../' when type one of ['Exact', 'PathPrefix']";
  if (/%2f/i.test(v)) return "must not contain '%2f' or '%2F' when type one of ['Exact', 'PathPrefix']";
  if (v.includes('#')) return "must not contain '#' when type one of ['Exact', 'PathPrefix']";
  if (v.endsWith('/..')) return "must not end with '/..' when type one of ['Exact', 'PathPrefix']";
  if (v.endsWith('/.')) return "must not end with '/.' when type one of ['Exact', 'PathPrefix']";
  return undefined;
}

/** A Gateway API Duration (GEP-2257) in nanoseconds; undefined when absent or invalid (reported). */
function gatewayDuration(f: Field): bigint | undefined {
  const s = f.string();
  if (s === undefined) return undefined;
  const ns = parseGatewayApiDuration(s);
  if (ns === undefined) f.error(`"${s}" is not a valid Gateway API duration (e.g. 10s, 500ms, 1h30m)`);
  return ns;
}

function validateTimeouts(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['request', 'backendRequest']);
  const request = gatewayDuration(f.key('request'));
  const backend = gatewayDuration(f.key('backendRequest'));
  if (request !== undefined && backend !== undefined && request !== 0n && backend > request) {
    f.key('backendRequest').error('backendRequest timeout cannot be longer than request timeout');
  }
}

/** HTTPRouteRetry (GWAPI v1.2+): codes are HTTPRouteRetryStatusCode (400-599), attempts an int, backoff a Duration. */
function validateRetry(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['codes', 'attempts', 'backoff']);
  for (const c of f.key('codes').list() ?? []) c.intInRange(400, 599);
  f.key('attempts').integer();
  gatewayDuration(f.key('backoff'));
}
