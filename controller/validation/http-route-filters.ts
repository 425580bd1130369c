// Gateway API HTTPRouteFilter (GWAPI httproute_types.go): the config field must match the
// filter type; redirect/rewrite paths; header modifiers; mirror backends.
import type { Field } from './field.js';
import { checkPortNumber } from './field-checks.js';
import { checkGroup, checkNamespaceRef, checkObjectName } from './gateway-api-common.js';
import { gatewayApiHostname, httpHeaderToken } from './names.js';

const FILTER_FIELDS: Record<string, string> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
  ExternalAuth: 'externalAuth',
};

export interface FilterSummary {
  types: string[];
  /** A RequestRedirect/URLRewrite path uses ReplacePrefixMatch. */
  replacePrefixMatch: Field[];
}

export function validateFilters(f: Field, opts: { backendLevel: boolean }): FilterSummary {
  const summary: FilterSummary = { types: [], replacePrefixMatch: [] };
  const items = f.list() ?? [];
  if (items.length > 16) f.error('at most 16 filters are allowed');
  for (const item of items) {
    if (!item.record()) {
      if (!item.present) item.error('filter must not be null');
      continue;
    }
    item.knownKeys(['type', ...Object.values(FILTER_FIELDS)]);
    const type = item.key('type').present ? item.key('type').oneOf(Object.keys(FILTER_FIELDS)) : undefined;
    if (!item.key('type').present) item.key('type').error('filter type is required');
    if (type === undefined) continue;
    summary.types.push(type);
    const configKey = FILTER_FIELDS[type] ?? '';
    for (const [t, k] of Object.entries(FILTER_FIELDS)) {
      if (k !== configKey && item.key(k).present) item.key(k).error(`filter.${k} must be nil if the filter.type is not ${t}`);
    }
    const config = item.key(configKey);
    if (!config.present) {
      config.error(`filter.${configKey} must be specified for ${type} filter.type`);
      continue;
    }
    if (opts.backendLevel && (type === 'RequestRedirect' || type === 'URLRewrite')) {
      item.key('type').warn(`${type} in a backendRef filter is not supported by most implementations; use a rule-level filter`);
    }
    switch (type) {
      case 'RequestHeaderModifier':
      case 'ResponseHeaderModifier':
        validateHeaderModifier(config);
        break;
      case 'RequestRedirect':
        validateRedirect(config, summary);
        break;
      case 'URLRewrite':
        validateRewrite(config, summary);
        break;
      case 'RequestMirror':
        validateMirror(config);
        break;
      case 'ExtensionRef':
        if (config.record()) {
          checkGroup(config.key('group'));
          config.key('kind').requiredString();
          checkObjectName(config.key('name'));
        }
        break;
      default:
        config.record();
    }
  }
  const once = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'CORS'];
  for (const t of once) {
    if (summary.types.filter((x) => x === t).length > 1) f.error(`${t} filter cannot be repeated`);
  }
  if (summary.types.includes('RequestRedirect') && summary.types.includes('URLRewrite')) {
    f.error('may specify either RequestRedirect or URLRewrite, but not both');
  }
  return summary;
}

function validateHeaderModifier(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['set', 'add', 'remove']);
  const names = new Set<string>();
  for (const op of ['set', 'add']) {
    const items = f.key(op).list() ?? [];
    if (items.length > 16) f.key(op).error('at most 16 headers are allowed');
    for (const h of items) {
      if (!h.record()) continue;
      h.knownKeys(['name', 'value']);
      const name = h.key('name').requiredString();
      h.key('value').string();
      if (!h.key('value').present) h.key('value').error('is required');
      if (name === undefined) continue;
      const err = httpHeaderToken(name);
      if (err) h.key('name').error(err);
      const lower = name.toLowerCase();
      if (names.has(`${op}/${lower}`)) h.key('name').error(`header "${name}" appears more than once in ${op}`);
      names.add(`${op}/${lower}`);
    }
  }
  const removed = new Set<string>();
  for (const r of f.key('remove').strings() ?? []) {
    const err = httpHeaderToken(r.value);
    if (err) r.field.error(err);
    if (removed.has(r.value.toLowerCase())) r.field.error(`header "${r.value}" appears more than once in remove`);
    removed.add(r.value.toLowerCase());
  }
}

function validatePathModifier(f: Field, summary: FilterSummary): void {
  if (!f.record()) return;
  f.knownKeys(['type', 'replaceFullPath', 'replacePrefixMatch']);
  const type = f.key('type').present ? f.key('type').oneOf(['ReplaceFullPath', 'ReplacePrefixMatch']) : undefined;
  if (!f.key('type').present) f.key('type').error('path modifier type is required');
  const full = f.key('replaceFullPath');
  const prefix = f.key('replacePrefixMatch');
  if (type === 'ReplaceFullPath') {
    if (prefix.present) prefix.error('replacePrefixMatch must not be specified when type is ReplaceFullPath');
    if (!full.present) full.error('replaceFullPath must be specified when type is ReplaceFullPath');
  }
  if (type === 'ReplacePrefixMatch') {
    if (full.present) full.error('replaceFullPath must not be specified when type is ReplacePrefixMatch');
    if (!prefix.present) prefix.error('replacePrefixMatch must be specified when type is ReplacePrefixMatch');
    summary.replacePrefixMatch.push(f);
  }
  for (const v of [full, prefix]) {
    const s = v.string();
    if (s !== undefined && s !== '' && !s.startsWith('/')) v.error('path must start with "/"');
  }
}

function validateRedirect(f: Field, summary: FilterSummary): void {
  if (!f.record()) return;
  f.knownKeys(['scheme', 'hostname', 'path', 'port', 'statusCode']);
  if (f.key('scheme').present) f.key('scheme').oneOf(['http', 'https']);
  const host = f.key('hostname').string();
  if (host !== undefined) {
    const err = gatewayApiHostname(host);
    if (err) f.key('hostname').error(err);
    else if (host.startsWith('*')) f.key('hostname').error('redirect hostname must be a precise hostname (no wildcard)');
  }
  if (f.key('port').present) checkPortNumber(f.key('port'));
  if (f.key('statusCode').present) {
    const code = f.key('statusCode').integer();
    if (code !== undefined && ![301, 302, 303, 307, 308].includes(code)) f.key('statusCode').error(`statusCode ${code} must be one of 301, 302, 303, 307, 308`);
  }
  validatePathModifier(f.key('path'), summary);
}

function validateRewrite(f: Field, summary: FilterSummary): void {
  if (!f.record()) return;
  f.knownKeys(['hostname', 'path']);
  const host = f.key('hostname').string();
  if (host !== undefined) {
    const err = gatewayApiHostname(host);
    if (err) f.key('hostname').error(err);
    else if (host.startsWith('*')) f.key('hostname').error('rewrite hostname must be a precise hostname (no wildcard)');
  }
  validatePathModifier(f.key('path'), summary);
}

function validateMirror(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['backendRef', 'percent', 'fraction']);
  validateBackendObjectRef(f.key('backendRef'), true);
  if (f.key('percent').present && f.key('fraction').present) f.error('only one of percent or fraction may be specified');
  f.key('percent').intInRange(0, 100);
  const fr = f.key('fraction');
  if (fr.record()) {
    fr.knownKeys(['numerator', 'denominator']);
    const num = fr.key('numerator').intInRange(0);
    const den = fr.key('denominator').present ? fr.key('denominator').intInRange(1) : 100;
    if (!fr.key('numerator').present) fr.key('numerator').error('numerator is required');
    if (num !== undefined && den !== undefined && num > den) fr.error('numerator must be less than or equal to denominator');
  }
}

/** BackendObjectReference: Service references need a port. */
export function validateBackendObjectRef(f: Field, required: boolean): void {
  if (!f.present) {
    if (required) f.error('backendRef is required');
    return;
  }
  if (!f.record()) return;
  const group = f.key('group').present ? checkGroup(f.key('group')) : '';
  const kind = f.key('kind').string() ?? 'Service';
  checkObjectName(f.key('name'));
  checkNamespaceRef(f.key('namespace'));
  if (f.key('port').present) checkPortNumber(f.key('port'));
  else if (group === '' && kind === 'Service') f.key('port').error('port is required for a Service backend reference');
}
